#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary is installed; otherwise browser mode
// (`denseray serve`), so a newcomer always sees the app. Installs made with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1 have the electron package but no binary.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron'); // the binary's path, or a throw when it was never downloaded
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const run = (command, args) => {
  const child = spawn(command, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
};

const binary = electronBinary();
if (binary) {
  execFileSync(process.execPath, ['main/build/build-electron.mjs'], { stdio: 'inherit' });
  run(binary, ['.']);
} else {
  console.log('Electron is not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD=1): starting browser mode instead.\n');
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  run(process.execPath, ['bin/denseray.mjs', 'serve', ...process.argv.slice(2).filter((a) => a !== '--')]);
}
