import type { DicomNodeRecords, OutboxRow } from '../store/dicom-node-records.ts';
import { toErrorInfo } from '../../shared/errors.ts';

/** How one destination takes a batch of outbox entries; each entry's outcome, by SOP Instance UID. */
export type DeliveryOutcome = { result: 'stored' | 'retry' | 'refused'; message: string };
export type Deliver = (entries: OutboxRow[]) => Promise<Map<string, DeliveryOutcome>>;

export interface RetryPolicy {
  /** The first retry waits this long; each further one twice as long (capped). */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 2_000, maxDelayMs: 5 * 60_000 };

/** Exponential back-off: firstDelay·2^(attempt-1), capped. `attempt` counts failures so far (1 = first). */
export function retryDelay(attempt: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
}

export interface OutboxOptions {
  records: DicomNodeRecords;
  /** The transport for a destination string ('dimse:…', 'stow:…'), or undefined when it cannot be reached from here. */
  transportFor(destination: string): Deliver | undefined;
  retry?: RetryPolicy;
  /** This sender's id for leases (the process id). */
  owner?: number;
  /** Entries per association / request. */
  batchSize?: number;
  /** Only destinations starting with this (a one-shot STOW run leaves the listener's C-STORE entries to it). */
  destinationPrefix?: string;
  /** Each entry's outcome as it happens (sent, retried later, or given up). */
  onDelivery?(entry: OutboxRow, outcome: DeliveryOutcome, nextAttemptAt: number | null): void;
}

/**
 * Delivers the outbox: due entries go to their destination in batches (the report before its
 * heatmaps); an entry is marked sent only when the peer confirmed it, so an interrupted send is
 * sent again, and a peer that is down is retried with exponential back-off for as long as it
 * takes, the result staying on disk and in the store meanwhile. A peer that refuses an object
 * outright (an error status) marks it failed, shown with the peer's reason.
 */
export class Outbox {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly owner: number;

  constructor(private readonly options: OutboxOptions) {
    this.owner = options.owner ?? process.pid;
  }

  /** Sends what is due now and schedules the next due entry. */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.drain()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        } else this.schedule();
      });
  }

  /** Resolves when nothing is being sent (pending entries wait for their time). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle();
  }

  private schedule(): void {
    if (this.closed) return;
    const due = this.options.records.nextDue(this.options.destinationPrefix);
    if (due === null) return;
    this.timer = setTimeout(() => this.wake(), Math.max(0, due - Date.now()));
    this.timer.unref?.();
  }

  /**
   * A few entries at a time, claimed again after each send: a report committed while heatmaps are
   * going out waits for one small batch, not for the whole queue.
   */
  private async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 4;
    for (;;) {
      if (this.closed) return;
      const due = this.options.records.claimDue(this.owner, batchSize, 10 * 60_000, {
        ...(this.options.destinationPrefix ? { destinationPrefix: this.options.destinationPrefix } : {}),
      });
      if (due.length === 0) return;
      const destination = due[0]!.destination;
      const batch = due.filter((entry) => entry.destination === destination);
      // The others go back to the queue at once (their lease would otherwise hold them for minutes).
      this.options.records.release(due.filter((entry) => entry.destination !== destination));
      await this.deliver(destination, batch);
    }
  }

  private async deliver(destination: string, entries: OutboxRow[]): Promise<void> {
    const { records } = this.options;
    const transport = this.options.transportFor(destination);
    let outcomes: Map<string, DeliveryOutcome>;
    if (!transport) {
      outcomes = new Map(
        entries.map((e) => [e.sop_instance_uid, { result: 'retry', message: `no way to reach ${destination} from this node` }]),
      );
    } else {
      try {
        outcomes = await transport(entries);
      } catch (error) {
        const info = toErrorInfo(error);
        outcomes = new Map(entries.map((e) => [e.sop_instance_uid, { result: 'retry', message: `${info.code}: ${info.message}` }]));
      }
    }
    const peer = destination.replace(/^(dimse|stow):/, '');
    for (const entry of entries) {
      const outcome = outcomes.get(entry.sop_instance_uid) ?? { result: 'retry', message: 'the peer did not say' };
      if (outcome.result === 'stored') {
        records.markSent(entry, peer);
        this.options.onDelivery?.(entry, outcome, null);
        continue;
      }
      const nextAttemptAt = Date.now() + retryDelay(entry.attempts + 1, this.options.retry);
      records.markAttemptFailed(entry, peer, {
        code: outcome.result === 'refused' ? 'PEER_REFUSED' : 'PEER_UNREACHABLE',
        message: outcome.message,
        final: outcome.result === 'refused',
        nextAttemptAt,
      });
      this.options.onDelivery?.(entry, outcome, outcome.result === 'refused' ? null : nextAttemptAt);
    }
  }
}
