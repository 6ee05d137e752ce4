#!/usr/bin/env node
// Typechecks renderer/ (DOM, no Node types) and proves its whole import graph stays in the
// browser's world: tsc lists every file the program includes, and any file from Node's types,
// Electron, app/node, app/cli or main/ fails the check with the chain's culprit named.
import { execFileSync } from 'node:child_process';
import { relative, sep } from 'node:path';

const root = process.cwd();
const tsc = ['node_modules/typescript/bin/tsc', '-p', 'renderer/tsconfig.json', '--noEmit'];
try {
  execFileSync(process.execPath, tsc, { stdio: 'inherit' });
} catch {
  process.exit(1);
}
const listed = execFileSync(process.execPath, [...tsc, '--listFilesOnly'], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean)
  .map((f) => relative(root, f).split(sep).join('/'));
const FORBIDDEN = [
  [/^node_modules\/@types\/node\//, 'Node.js types'],
  [/^node_modules\/electron\//, 'Electron'],
  [/^app\/node\//, 'app/node (back end)'],
  [/^app\/cli\//, 'app/cli'],
  [/^main\//, 'main/ (Electron main process)'],
];
const bad = listed.flatMap((file) => FORBIDDEN.filter(([re]) => re.test(file)).map(([, what]) => `${file}  (${what})`));
if (bad.length > 0) {
  console.error(`renderer/ must import only app/common, React and DOM APIs, but its program includes:\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `renderer boundary ok: ${listed.filter((f) => !f.startsWith('node_modules/')).length} project files, none from Node, Electron or app/node`,
);
