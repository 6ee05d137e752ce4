import { fileURLToPath } from 'node:url';
import type { FileResult, ModelInfo } from '../../../common/contract/classify.ts';
import { ClassifyValue, EngineMessage, OpenValue, type EngineRequestInput } from '../../../common/contract/engine-protocol.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { forkChild, type ChildTransport } from '../../shared/process/child-transport.ts';
import { PendingReplies } from '../../shared/process/pending-replies.ts';

/** How a host talks to the engine process: Node's fork here, Electron's utilityProcess in main/. */
export type EngineTransport = ChildTransport;

export const ENGINE_ENTRY = fileURLToPath(new URL('./engine-process.ts', import.meta.url));

/** Starts the engine in a Node child process. */
export function forkEngineTransport(): EngineTransport {
  return forkChild(ENGINE_ENTRY);
}

type OnResult = ((result: FileResult, index: number) => void) | undefined;

/**
 * Host side of the engine protocol. Replies and events are parsed with the contract. If the
 * process dies, every request in flight fails with INTERNAL ("engine process exited"), and the
 * next request starts a fresh process and reopens the last model.
 */
export class EngineClient {
  private transport: EngineTransport | undefined;
  private readonly pending = new PendingReplies<OnResult>();
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
    options: {
      cams?: boolean;
      frame?: number;
      onResult?: (result: FileResult, index: number) => void;
      onRequestId?: (id: number) => void;
    } = {},
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
      this.pending.failAll(new DenseRayError('INTERNAL', `engine process exited (code ${code}); the request was not completed`));
    });
    if (this.lastOpen && this.restarts > 0) {
      // A restarted process reopens the model the host last asked for before serving anything else.
      await this.send(transport, { type: 'open', ...this.lastOpen });
    }
    return transport;
  }

  private async request(
    message: EngineRequestInput extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never,
    onResult?: OnResult,
    onRequestId?: (id: number) => void,
  ): Promise<unknown> {
    const transport = await this.ensureTransport();
    return this.send(transport, message, onResult, onRequestId);
  }

  private send(
    transport: EngineTransport,
    message: Record<string, unknown>,
    onResult?: OnResult,
    onRequestId?: (id: number) => void,
  ): Promise<unknown> {
    const { id, reply } = this.pending.open(onResult);
    onRequestId?.(id);
    transport.post({ ...message, id } satisfies Record<string, unknown>);
    return reply;
  }

  private receive(raw: unknown): void {
    const parsed = EngineMessage.safeParse(raw);
    if (!parsed.success) return; // A message that does not parse is dropped, never trusted.
    const message = parsed.data;
    if (message.type === 'result') this.pending.extra(message.id)?.(message.result, message.index);
    else this.pending.settle(message);
  }
}
