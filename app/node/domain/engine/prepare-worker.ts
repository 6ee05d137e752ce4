import { parentPort } from 'node:worker_threads';
import { prepareFile, PrepareTask } from './prepare.ts';

/**
 * A decode + preprocess thread of the engine's PreparePool: one task at a time, the network
 * input handed back by transfer (no copy).
 */
const port = parentPort;
if (!port) throw new Error('prepare-worker.ts runs as a worker thread of PreparePool');
port.on('message', async (message: { id: number; task: unknown }) => {
  const parsed = PrepareTask.safeParse(message.task);
  const prepared = parsed.success
    ? await prepareFile(parsed.data)
    : { ok: false as const, error: { code: 'INTERNAL' as const, message: `bad prepare task: ${parsed.error.message}` } };
  port.postMessage({ id: message.id, prepared }, prepared.ok ? [prepared.modelImage.buffer as ArrayBuffer] : []);
});
port.postMessage({ ready: true });
