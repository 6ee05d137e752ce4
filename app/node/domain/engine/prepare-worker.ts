import { parentPort } from 'node:worker_threads';
import { type Prepared, prepareFile, PrepareTask } from './prepare.ts';

/**
 * A decode + preprocess thread of the engine's PreparePool: tasks one at a time in the order they
 * came (the pool sends several ahead), each network input handed back by transfer (no copy).
 */
const port = parentPort;
if (!port) throw new Error('prepare-worker.ts runs as a worker thread of PreparePool');
let previous: Promise<void> = Promise.resolve();
port.on('message', (message: { id: number; task: unknown }) => {
  previous = previous
    .then(async () => {
      const prepared = await prepare(message.task);
      port.postMessage(
        { id: message.id, prepared },
        prepared.ok ? [prepared.modelImage.buffer as ArrayBuffer, prepared.seen.buffer as ArrayBuffer] : [],
      );
    })
    // Whatever went wrong answers this task alone; the tasks queued behind it still run.
    .catch((error: unknown) =>
      port.postMessage({
        id: message.id,
        prepared: { ok: false, error: { code: 'INTERNAL', message: `decoding thread: ${String(error)}` } },
      }),
    );
});
port.postMessage({ ready: true });

function prepare(task: unknown): Promise<Prepared> {
  const parsed = PrepareTask.safeParse(task);
  return parsed.success
    ? prepareFile(parsed.data)
    : Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: `bad prepare task: ${parsed.error.message}` } });
}
