import { EngineRequest, type EngineMessage } from '../../../common/contract/engine-protocol.ts';
import type { ChildTransport } from '../../shared/process/child-transport.ts';
import { EngineService } from './engine-service.ts';

/**
 * The engine protocol without a process: the same EngineService the engine process runs, spoken to
 * through the same messages, for one-shot front doors (the CLI) where a fork would only add start-up
 * time. Messages are delivered on a later turn of the event loop, as across a process boundary, and
 * parsed on both sides exactly as the process versions are.
 */
export function inProcessEngineTransport(): ChildTransport {
  const listeners: ((message: unknown) => void)[] = [];
  const exits: ((code: number | null) => void)[] = [];
  const service = new EngineService((message: EngineMessage) => {
    setImmediate(() => {
      for (const listener of listeners) listener(message);
    });
  });
  let closed = false;
  return {
    post: (raw) => {
      if (closed) return;
      const parsed = EngineRequest.safeParse(raw);
      if (parsed.success) service.handle(parsed.data);
    },
    onMessage: (listener) => listeners.push(listener),
    onExit: (listener) => exits.push(listener),
    kill: () => {
      if (closed) return;
      closed = true;
      void service.close().finally(() => {
        for (const exit of exits) exit(0);
      });
    },
  };
}
