import { fork } from 'node:child_process';

/**
 * How a host talks to a worker process it owns: Node's fork in the CLI and browser mode, Electron's
 * utilityProcess in main/. One interface for the engine, file-reader and jobs processes.
 */
export interface ChildTransport {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

/** Starts a TypeScript entry point in a Node child (tsx; typed arrays via advanced serialization). */
export function forkChild(entry: string): ChildTransport {
  const child = fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    post: (message) => child.send(message as object),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => child.kill('SIGKILL'),
  };
}
