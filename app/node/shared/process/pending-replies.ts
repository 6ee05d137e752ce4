import type { ErrorInfo } from '../../../common/errors.ts';
import { DenseRayError } from '../errors.ts';

export type ProcessReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ErrorInfo };

interface Entry<Extra> {
  resolve: (value: unknown) => void;
  reject: (error: DenseRayError) => void;
  extra: Extra;
}

/**
 * The request/reply bookkeeping every host of a child process needs (engine, file reader, jobs):
 * numbered requests, replies matched by id, and one coded failure for all in flight when the
 * process dies.
 */
export class PendingReplies<Extra = undefined> {
  private nextId = 1;
  private readonly entries = new Map<number, Entry<Extra>>();

  /** Registers a request; send it under `id`, await `reply`. */
  open(extra: Extra): { id: number; reply: Promise<unknown> } {
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) => this.entries.set(id, { resolve, reject, extra }));
    return { id, reply };
  }

  /** What the request was opened with (e.g. a per-request event listener), while it is in flight. */
  extra(id: number): Extra | undefined {
    return this.entries.get(id)?.extra;
  }

  settle(reply: ProcessReply): void {
    const entry = this.entries.get(reply.id);
    if (!entry) return;
    this.entries.delete(reply.id);
    if (reply.ok) entry.resolve(reply.value);
    else entry.reject(errorFromInfo(reply.error));
  }

  failAll(error: DenseRayError): void {
    for (const entry of this.entries.values()) entry.reject(error);
    this.entries.clear();
  }
}

/** An error that crossed a process boundary as data, back as the class thrown inside app/node. */
export function errorFromInfo(info: ErrorInfo): DenseRayError {
  return new DenseRayError(info.code, info.message, info.details ? { details: info.details } : undefined);
}
