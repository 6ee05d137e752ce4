import type { EngineMessage, EngineRequest } from '../../../common/contract/engine-protocol.ts';
import { DenseRayError, toErrorInfo } from '../../shared/errors.ts';
import type { Engine } from './engine.ts';
import { openEngine } from './open-engine.ts';

/**
 * The engine's request handler, independent of transport: one model loaded at a time, requests
 * run one after another (the backend already uses every core), cancel aborts a running classify.
 */
export class EngineService {
  private engine: Engine | undefined;
  private readonly running = new Map<number, AbortController>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly send: (message: EngineMessage) => void) {}

  handle(request: EngineRequest): void {
    if (request.type === 'cancel') {
      this.running.get(request.target)?.abort();
      this.reply(request.id, { cancelled: this.running.has(request.target) });
      return;
    }
    if (request.type === 'classify') this.running.set(request.id, new AbortController());
    this.queue = this.queue.then(() => this.run(request)).catch(() => undefined);
  }

  private async run(request: Exclude<EngineRequest, { type: 'cancel' }>): Promise<void> {
    try {
      switch (request.type) {
        case 'open': {
          const { id: _id, type: _type, ...options } = request;
          const next = await openEngine(options);
          await this.engine?.dispose();
          this.engine = next;
          // Warm-up so the first study does not pay for lazy initialisation.
          await next.runtime.backend.run(
            new Float32Array(next.runtime.manifest.preprocessing.channels * next.runtime.manifest.preprocessing.size ** 2),
            1,
          );
          this.reply(request.id, next.model);
          return;
        }
        case 'info':
          this.reply(request.id, this.requireEngine().model);
          return;
        case 'classify': {
          const signal = this.running.get(request.id)?.signal;
          const results = await this.requireEngine().classifyFiles(request.files, {
            cams: request.cams,
            ...(request.frame !== undefined ? { frame: request.frame } : {}),
            ...(request.batchSize ? { batchSize: request.batchSize } : {}),
            ...(signal ? { signal } : {}),
            onResult: (result, index) => this.send({ type: 'result', id: request.id, index, result }),
          });
          this.reply(request.id, { results, cancelled: signal?.aborted === true });
          return;
        }
      }
    } catch (error) {
      this.send({ type: 'reply', id: request.id, ok: false, error: toErrorInfo(error) });
    } finally {
      this.running.delete(request.id);
    }
  }

  /** Releases the open model (its backend's native memory and threads), after any request in flight. */
  async close(): Promise<void> {
    for (const controller of this.running.values()) controller.abort();
    await this.queue;
    await this.engine?.dispose();
    this.engine = undefined;
  }

  private requireEngine(): Engine {
    if (!this.engine) throw new DenseRayError('MODEL_NOT_FOUND', 'no model is open: send an open request first');
    return this.engine;
  }

  private reply(id: number, value: unknown): void {
    this.send({ type: 'reply', id, ok: true, value });
  }
}
