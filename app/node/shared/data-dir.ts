import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The user's DenseRay data folder: `--data-dir`, else DENSERAY_DATA_DIR, else the OS's
 * per-user application-data folder (the same place Electron's app.getPath('userData') uses).
 */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (explicit) return explicit;
  if (env.DENSERAY_DATA_DIR) return env.DENSERAY_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'DenseRay');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'DenseRay');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'denseray');
}
