import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { projectRoot } from '../helpers/shared.ts';

export interface ImportEdge {
  from: string;
  to: string;
}

const SOURCE = /\.(ts|tsx|mjs)$/;

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(join(projectRoot, dir), { withFileTypes: true })) {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (SOURCE.test(entry.name)) out.push(path);
  }
  return out;
}

/** Relative import specifiers of one file (static, dynamic, `export … from`), comments ignored. */
export function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g)) specs.push(m[2]!);
  return specs;
}

/** Every project-internal import edge under the given top folders, as repository-relative paths. */
export function importEdges(folders: string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const folder of folders) {
    for (const file of walk(folder, [])) {
      for (const spec of importSpecifiers(readFileSync(join(projectRoot, file), 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const to = relative(projectRoot, join(projectRoot, dirname(file), spec))
          .split(sep)
          .join('/');
        edges.push({ from: file, to });
      }
    }
  }
  return edges;
}
