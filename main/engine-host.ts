import { utilityProcess } from 'electron';
import type { ChildTransport } from '../app/node/shared/process/child-transport.ts';

/**
 * A worker in Electron's utilityProcess: its own Node process, owned by main, so a forward pass
 * or a hostile file never blocks main's event loop. Messages travel by structured clone (typed
 * arrays included); engine-process.ts, reader-process.ts and jobs-process.ts answer on process.parentPort.
 */
export function utilityTransport(entry: string, serviceName: string): ChildTransport {
  const child = utilityProcess.fork(entry, [], { serviceName, stdio: 'inherit' });
  return {
    post: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => {
      child.kill();
    },
  };
}
