import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../shared/project-files.ts';

/** Where `vite build` puts the UI that browser mode serves. */
export const RENDERER_DIST = join(PROJECT_ROOT, 'dist', 'renderer');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether dist/renderer is missing or older than the renderer or contract sources (a source checkout only). */
export function rendererNeedsBuild(): boolean {
  const index = join(RENDERER_DIST, 'index.html');
  const sources = join(PROJECT_ROOT, 'renderer');
  if (!existsSync(sources)) return !existsSync(index); // an installed build ships no sources
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const newest = Math.max(
    newestMtime(sources),
    newestMtime(join(PROJECT_ROOT, 'app', 'common')),
    statSync(join(PROJECT_ROOT, 'vite.config.ts')).mtimeMs,
  );
  return built <= newest;
}

/** Builds the UI with vite (a few seconds) when it is missing or stale, so `denseray serve` works from a fresh checkout. */
export function buildRendererIfNeeded(log: (line: string) => void = () => undefined): void {
  if (!rendererNeedsBuild()) return;
  const vite = join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) return; // no dev tools here: serve reports the missing UI
  log('building the user interface (first start after an update, a few seconds)…');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
