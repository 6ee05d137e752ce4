import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** The tfjs backends DenseRay can run on, fastest first. */
export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu';

const FALLBACK_ORDER: readonly TfjsBackendName[] = ['tensorflow', 'wasm', 'cpu'];

// Held in a variable so neither tsc nor the bundler tries to resolve a package that is usually absent.
const TFJS_NODE_PACKAGE = '@tensorflow/tfjs-node';

let wasmPathsSet = false;
/** Every init goes through this chain so concurrent callers never race two `setBackend`s. */
let queue: Promise<string> | undefined;

/**
 * Activates a tfjs backend and returns the name of the one actually running: `preferred` if it
 * initialises, else the first of tensorflow (native, only when `@tensorflow/tfjs-node` is installed),
 * wasm, cpu that does. Idempotent: once a backend is active, calls without a preference, or naming
 * the active one, return it without touching tfjs.
 */
export function initTfjsBackend(preferred?: TfjsBackendName): Promise<string> {
  const previous = queue ?? Promise.resolve('');
  queue = previous
    .catch(() => '')
    .then(async (active) => {
      if (active !== '' && (preferred === undefined || preferred === active)) return active;
      const order = preferred === undefined ? FALLBACK_ORDER : [preferred, ...FALLBACK_ORDER.filter((b) => b !== preferred)];
      for (const candidate of order) {
        if (await activate(candidate)) return candidate;
      }
      // cpu ships inside @tensorflow/tfjs, so reaching this means tfjs itself is broken.
      throw new Error(`no tfjs backend could be initialised (tried ${order.join(', ')})`);
    });
  return queue;
}

async function activate(backend: TfjsBackendName): Promise<boolean> {
  if (tf.getBackend() === backend) return true;
  if (backend === 'tensorflow' && !(await registerNativeBackend())) return false;
  try {
    if (backend === 'wasm') pointWasmAtInstalledBinaries();
    // setBackend resolves false (after a console warning) when the backend fails to initialise.
    const ok = await tf.setBackend(backend);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === backend;
  } catch {
    return false;
  }
}

/** Importing tfjs-node registers its 'tensorflow' backend as a side effect. */
async function registerNativeBackend(): Promise<boolean> {
  if (tf.findBackendFactory('tensorflow') !== null) return true;
  try {
    await import(/* @vite-ignore */ TFJS_NODE_PACKAGE);
  } catch {
    return false;
  }
  // A tfjs-node bound to a different tfjs-core copy registers elsewhere; then it is not usable here.
  return tf.findBackendFactory('tensorflow') !== null;
}

/**
 * The wasm backend looks for its .wasm binaries next to the script that loaded it, which is wrong
 * once this code is bundled or run through a loader; the installed package's dist/ always has them.
 */
function pointWasmAtInstalledBinaries(): void {
  if (wasmPathsSet || typeof process === 'undefined' || process.versions?.node === undefined) return;
  const require = createRequire(import.meta.url);
  const binary = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  setWasmPaths(dirname(binary) + sep);
  wasmPathsSet = true;
}
