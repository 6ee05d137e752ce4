// Entry point of the engine process: Electron's utilityProcess (process.parentPort) or a Node
// child started with child_process.fork (process.send, advanced serialization). Every incoming
// message is parsed with the contract before it is acted on; bad ones get a coded error reply.
import { EngineRequest, type EngineMessage } from '../../../common/contract/engine-protocol.ts';
import { EngineService } from './engine-service.ts';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

const send = (message: EngineMessage): void => {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
};

const service = new EngineService(send);

function receive(raw: unknown): void {
  const parsed = EngineRequest.safeParse(raw);
  if (parsed.success) {
    service.handle(parsed.data);
    return;
  }
  const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
  send({
    type: 'reply',
    id,
    ok: false,
    error: {
      code: 'INVALID_ARGUMENT',
      message: `malformed engine request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    },
  });
}

if (parentPort) parentPort.on('message', (event) => receive(event.data));
else process.on('message', receive);
