import { readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';

export type WalkEntry = { kind: 'file'; path: string } | { kind: 'unreadable'; path: string; reason: string };

/**
 * Every file under the roots, depth first in name order (so a job's worklist order is stable
 * across runs), following symbolic links but never the same folder twice. A root that is a file
 * is yielded as is; an unreadable folder or missing root is yielded as `unreadable`, never thrown.
 * Paths keep the form of their root (absolute roots give absolute paths).
 */
export async function* walkFiles(roots: string[]): AsyncGenerator<WalkEntry> {
  const seenDirs = new Set<string>();
  for (const root of roots) yield* walkPath(root, seenDirs);
}

async function* walkPath(path: string, seenDirs: Set<string>): AsyncGenerator<WalkEntry> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    yield { kind: 'unreadable', path, reason: (error as NodeJS.ErrnoException).code ?? 'stat failed' };
    return;
  }
  if (info.isFile()) {
    yield { kind: 'file', path };
    return;
  }
  if (!info.isDirectory()) return; // sockets, devices, fifos are no studies
  const real = await realpath(path).catch(() => path);
  if (seenDirs.has(real)) return;
  seenDirs.add(real);
  let names: string[];
  try {
    names = (await readdir(path)).sort();
  } catch (error) {
    yield { kind: 'unreadable', path, reason: (error as NodeJS.ErrnoException).code ?? 'readdir failed' };
    return;
  }
  for (const name of names) yield* walkPath(join(path, name), seenDirs);
}
