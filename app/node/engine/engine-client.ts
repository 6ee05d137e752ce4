import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FileResult, ModelInfo } from '../../common/contract/classify.ts';
import { ClassifyValue, EngineMessage, OpenValue, type EngineRequestInput } from '../../common/contract/engine-protocol.ts';
import type { ErrorInfo } from '../../common/errors.ts';
import { DenseRayError } from '../errors.ts';

/** How a host talks to the engine process: Node's fork here, Electron's utilityProcess in main/. */
export interface EngineTransport {
  post(message: EngineRequestInput): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export const ENGINE_ENTRY = fileURLToPath(new URL('./engine-process.ts', import.meta.url));

/** Starts the engine in a Node child process (TypeScript via tsx; typed arrays via advanced serialization). */
export function forkEngineTransport(): EngineTransport {
  const child = fork(ENGINE_ENTRY, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    post: (message) => child.send(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => child.kill('SIGKILL'),
  };
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: DenseRayError) => void;
  onResult?: ((result: FileResult, index: number) => void) | undefined;
}

/**
 * Host side of the engine protocol. Replies and events are parsed with the contract. If the
 * process dies, every request in flight fails with INTERNAL ("engine process exited"), and the
 * next request starts a fresh process and reopens the last model.
 */
export class EngineClient {
  private transport: EngineTransport | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private lastOpen: Omit<Extract<EngineRequestInput, { type: 'open' }>, 'id' | 'type'> | undefined;
  restarts = 0;

  constructor(private readonly startTransport: () => EngineTransport = forkEngineTransport) {}

  async open(options: NonNullable<EngineClient['lastOpen']>): Promise<ModelInfo> {
    this.lastOpen = options;
    return OpenValue.parse(await this.request({ type: 'open', ...options }));
  }

  /** `onRequestId` receives the id the request was sent under, for cancel(). */
  async classify(
    files: string[],
    options: { cams?: boolean; frame?: number; onResult?: (result: FileResult, index: number) => void; onRequestId?: (id: number) => void } = {},
  ): Promise<ClassifyValue> {
    const { onResult, onRequestId, ...rest } = options;
    return ClassifyValue.parse(await this.request({ type: 'classify', files, ...rest }, onResult, onRequestId));
  }

  /** Cancels a running classify; results so far are kept in its reply. */
  async cancel(requestId: number): Promise<void> {
    await this.request({ type: 'cancel', target: requestId });
  }

  close(): void {
    this.transport?.kill();
    this.transport = undefined;
  }

  private async ensureTransport(): Promise<EngineTransport> {
    if (this.transport) return this.transport;
    const transport = this.startTransport();
    this.transport = transport;
    transport.onMessage((raw) => this.receive(raw));
    transport.onExit((code) => {
      if (this.transport !== transport) return;
      this.transport = undefined;
      this.restarts++;
      const error = new DenseRayError('INTERNAL', `engine process exited (code ${code}); the request was not completed`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
    if (this.lastOpen && this.restarts > 0) {
      // A restarted process reopens the model the host last asked for before serving anything else.
      await this.send(transport, { type: 'open', ...this.lastOpen });
    }
    return transport;
  }

  private async request(
    message: EngineRequestInput extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never,
    onResult?: Pending['onResult'],
    onRequestId?: (id: number) => void,
  ): Promise<unknown> {
    const transport = await this.ensureTransport();
    return this.send(transport, message, onResult, onRequestId);
  }

  private send(transport: EngineTransport, message: Record<string, unknown>, onResult?: Pending['onResult'], onRequestId?: (id: number) => void): Promise<unknown> {
    const id = this.nextId++;
    onRequestId?.(id);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onResult });
      transport.post({ ...message, id } as EngineRequestInput);
    });
  }

  private receive(raw: unknown): void {
    const parsed = EngineMessage.safeParse(raw);
    if (!parsed.success) return; // A message that does not parse is dropped, never trusted.
    const message = parsed.data;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'result') {
      pending.onResult?.(message.result, message.index);
      return;
    }
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(fromInfo(message.error));
  }
}

function fromInfo(info: ErrorInfo): DenseRayError {
  return new DenseRayError(info.code, info.message, info.details ? { details: info.details } : undefined);
}
