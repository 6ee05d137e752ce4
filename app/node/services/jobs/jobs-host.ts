import { fileURLToPath } from 'node:url';
import type { ApiEvent, ApiRequest, ApiResponse } from '../../../common/contract/api.ts';
import { JOBS_API, JobsMessage, type JobsMethod, type JobsRequest } from '../../../common/contract/jobs-protocol.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { PendingReplies } from '../../shared/process/pending-replies.ts';
import { forkChild, type ChildTransport } from '../../shared/process/child-transport.ts';

export const JOBS_ENTRY = fileURLToPath(new URL('./jobs-process.ts', import.meta.url));

/** How long a graceful shutdown may take (the running batch pauses after its batch in flight). */
const SHUTDOWN_GRACE_MS = 5_000;

export interface JobsHostOptions {
  dataDir: string;
  /** Progress from the jobs process goes out here, to every connected UI. */
  emit(event: ApiEvent): void;
  /** Defaults to a Node child (browser mode, tests); Electron main passes a utilityProcess. */
  start?: () => ChildTransport;
}

/**
 * Host side of the jobs protocol. The process starts on first call; if it dies, calls in flight
 * fail with INTERNAL and the next call starts a fresh one. Nothing is replayed: a batch job it was
 * running shows as `interrupted` in the store and a fine-tune job as `running` in its job.json,
 * and both continue with `jobs.resume` / `finetune.resume`, as after an app crash.
 */
export class JobsHost {
  private transport: ChildTransport | undefined;
  private readonly pending = new PendingReplies();
  private exited: Promise<void> = Promise.resolve();
  restarts = 0;

  constructor(private readonly options: JobsHostOptions) {}

  async call<M extends JobsMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
    const value = await this.send(method, request);
    const parsed = JOBS_API[method].response.safeParse(value);
    if (!parsed.success)
      throw new DenseRayError('INTERNAL', `${method}: the jobs process replied with a value that does not match the contract`);
    // The schema is JOBS_API[M]'s, which is api[M]'s; TypeScript cannot narrow the generic index.
    return parsed.data as ApiResponse<M>;
  }

  /** Asks the process to pause its batch job and exit; kills it if it takes longer than the grace period. */
  async close(): Promise<void> {
    const transport = this.transport;
    if (!transport) return;
    transport.post({ type: 'shutdown' } satisfies JobsRequest);
    const timer = setTimeout(() => transport.kill(), SHUTDOWN_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private send(method: JobsMethod, payload: unknown): Promise<unknown> {
    const transport = this.ensure();
    const { id, reply } = this.pending.open(undefined);
    transport.post({ type: 'call', id, method, payload } satisfies JobsRequest);
    return reply;
  }

  private ensure(): ChildTransport {
    if (this.transport) return this.transport;
    const transport = (this.options.start ?? (() => forkChild(JOBS_ENTRY)))();
    this.transport = transport;
    this.exited = new Promise((resolveExit) => {
      transport.onExit((code) => {
        resolveExit();
        if (this.transport !== transport) return;
        this.transport = undefined;
        this.restarts++;
        this.pending.failAll(new DenseRayError('INTERNAL', `the jobs process exited (code ${code}); the request was not completed`));
      });
    });
    transport.onMessage((raw) => {
      if (this.transport === transport) this.receive(raw);
    });
    // Messages arrive in order, so every call below finds the process initialised.
    transport.post({ type: 'init', dataDir: this.options.dataDir } satisfies JobsRequest);
    return transport;
  }

  private receive(raw: unknown): void {
    const parsed = JobsMessage.safeParse(raw);
    if (!parsed.success) return; // never trust a message that does not parse
    const message = parsed.data;
    if (message.type === 'event') {
      this.options.emit({ channel: message.channel, payload: message.payload });
      return;
    }
    this.pending.settle(message);
  }
}
