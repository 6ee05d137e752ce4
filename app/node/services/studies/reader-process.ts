// Entry point of the study-reader process: parses and decodes untrusted image files away from the
// host (Electron main must never parse them). Electron utilityProcess (process.parentPort) or a
// Node child (process.send). Requests are parsed with the protocol before anything is read.
import { toErrorInfo } from '../../shared/errors.ts';
import { expandInputs } from '../../domain/input/expand-inputs.ts';
import { importModel } from '../../domain/store/import-weights.ts';
import { ModelStore } from '../../domain/store/model-store.ts';
import { inspectStudyFile, readStudyPixels, readStudyTags } from './read-study-file.ts';
import { ReaderRequest, type ReaderReply } from './reader-protocol.ts';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send = (reply: ReaderReply): void => {
  if (parentPort) parentPort.postMessage(reply);
  else process.send?.(reply);
};

async function run(request: ReaderRequest): Promise<unknown> {
  switch (request.op) {
    case 'expand':
      return expandInputs(request.paths);
    case 'inspect':
      return inspectStudyFile(request.path);
    case 'pixels':
      return readStudyPixels(request.path, request.frame);
    case 'tags':
      return readStudyTags(request.path);
    case 'importModel': {
      const { manifest } = importModel(new ModelStore(request.dataDir), {
        file: request.path,
        ...(request.arch ? { arch: request.arch } : {}),
        ...(request.labels ? { labels: request.labels } : {}),
        ...(request.name ? { name: request.name } : {}),
      });
      return manifest;
    }
  }
}

// One request at a time: decoding is CPU-bound, and order keeps memory bounded.
let queue: Promise<void> = Promise.resolve();

function receive(raw: unknown): void {
  const parsed = ReaderRequest.safeParse(raw);
  if (!parsed.success) {
    const id =
      typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
    send({ id, ok: false, error: { code: 'INVALID_ARGUMENT', message: 'malformed reader request' } });
    return;
  }
  const request = parsed.data;
  queue = queue.then(async () => {
    try {
      send({ id: request.id, ok: true, value: await run(request) });
    } catch (error) {
      send({
        id: request.id,
        ok: false,
        error: toErrorInfo(error, request.op === 'importModel' ? 'WEIGHTS_FORMAT' : 'IMAGE_DECODE_FAILED'),
      });
    }
  });
}

if (parentPort) parentPort.on('message', (event) => receive(event.data));
else process.on('message', receive);
