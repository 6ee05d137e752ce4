import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Project root, found from this file so tests run from any working directory. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared/data` beside the checkout (CI lays it there); DENSERAY_SHARED_DATA overrides. */
export const sharedData = process.env.DENSERAY_SHARED_DATA ?? resolve(projectRoot, '..', 'shared', 'data');

export function shared(...parts: string[]): string {
  const path = join(sharedData, ...parts);
  if (!existsSync(path)) throw new Error(`shared test data missing: ${path} (expected ../shared/data beside the checkout)`);
  return path;
}
