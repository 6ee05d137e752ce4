import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder that holds `models/` (the shipped guard statistics and catalogue): the repository
 * root when run from source, `dist/electron` in a built app (the build copies `models/` there).
 */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function projectFile(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts);
}
