// Entry point of the jobs process: batch jobs and fine-tuning, away from the host's event loop
// (Electron main, `denseray serve`), so a training step or a batch of decodes never freezes the UI.
// Electron utilityProcess (process.parentPort) or a Node child (process.send). Every message is
// parsed with the protocol; calls then go through callApi, which parses the payload with the API table.
import { JobsEvent, JobsRequest, type JobsMessage } from '../../../common/contract/jobs-protocol.ts';
import { callApi } from '../call-api.ts';
import { createJobsHandlers } from './jobs-handlers.ts';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send = (message: JobsMessage): void => {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
};

let jobs: ReturnType<typeof createJobsHandlers> | undefined;

function emit(event: { channel: string; payload: unknown }): void {
  const parsed = JobsEvent.safeParse({ type: 'event', ...event });
  if (parsed.success) send(parsed.data);
  else process.stderr.write(`jobs process: dropped a ${event.channel} event that does not match the contract\n`);
}

async function shutdown(): Promise<never> {
  await jobs?.close();
  process.exit(0);
}

function receive(raw: unknown): void {
  const parsed = JobsRequest.safeParse(raw);
  if (!parsed.success) {
    const id =
      typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
    send({ type: 'reply', id, ok: false, error: { code: 'INVALID_ARGUMENT', message: 'malformed jobs request' } });
    return;
  }
  const message = parsed.data;
  switch (message.type) {
    case 'init':
      jobs ??= createJobsHandlers({ dataDir: message.dataDir, emit });
      return;
    case 'shutdown':
      void shutdown();
      return;
    case 'call': {
      if (!jobs) {
        send({
          type: 'reply',
          id: message.id,
          ok: false,
          error: { code: 'INTERNAL', message: 'the jobs process was not told its data folder' },
        });
        return;
      }
      // Calls run concurrently, as they did on the host: JobService and FinetuneJobs queue their own work.
      void callApi(jobs.handlers, message.method, message.payload)
        .then((outcome) => send({ type: 'reply', id: message.id, ...outcome.result }))
        // A value the channel cannot carry must fail that one call, not take the process down.
        .catch((error: unknown) =>
          send({
            type: 'reply',
            id: message.id,
            ok: false,
            error: { code: 'INTERNAL', message: `${message.method}: reply could not be sent: ${String(error)}` },
          }),
        );
      return;
    }
  }
}

if (parentPort) parentPort.on('message', (event) => receive(event.data));
else {
  process.on('message', receive);
  // A Node child whose host has gone (crash, SIGKILL) must not keep training as an orphan.
  process.on('disconnect', () => process.exit(0));
}
