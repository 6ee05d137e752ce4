import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where the built pieces live. `npm run build:electron` emits app/ and main/ as JavaScript under
 * dist/electron/ (same layout as the sources) and the preload as one CommonJS file beside main.js;
 * the renderer is in dist/renderer/.
 */
const mainDir = dirname(fileURLToPath(import.meta.url));
const electronRoot = join(mainDir, '..');

export const PRELOAD_FILE = join(mainDir, 'preload.cjs');
export const ENGINE_ENTRY_FILE = join(electronRoot, 'app', 'node', 'domain', 'engine', 'engine-process.js');
export const READER_ENTRY_FILE = join(electronRoot, 'app', 'node', 'services', 'studies', 'reader-process.js');
export const JOBS_ENTRY_FILE = join(electronRoot, 'app', 'node', 'services', 'jobs', 'jobs-process.js');
export const RENDERER_INDEX_FILE = join(electronRoot, '..', 'renderer', 'index.html');
export const RENDERER_INDEX_URL = pathToFileURL(RENDERER_INDEX_FILE).href;
