import type Database from 'better-sqlite3';
import { z } from 'zod';
import { runnerAlive } from './job-records.ts';
import { parseRow, parseRows } from './rows.ts';

const int = z.number().int();
const text = z.string();

export const InstanceRow = z.object({
  id: int,
  sop_instance_uid: text,
  sop_class_uid: text,
  study_instance_uid: text.nullable(),
  series_instance_uid: text.nullable(),
  modality: text.nullable(),
  path: text,
  size: int,
  content_sha256: text,
  origin: text,
  received_at: int,
  state: z.enum(['received', 'triaged', 'refused', 'failed']),
  error_code: text.nullable(),
  error_message: text.nullable(),
  model_id: text.nullable(),
  weights_sha256: text.nullable(),
  probabilities_json: text.nullable(),
  flagged_json: text.nullable(),
  triage_score: z.number().nullable(),
  guard_suspect: int.nullable(),
  guard_reason: text.nullable(),
  finished_at: int.nullable(),
});
export type InstanceRow = z.infer<typeof InstanceRow>;

export const TransferRow = z.object({
  id: int,
  at: int,
  direction: z.enum(['receive', 'send', 'retrieve', 'association']),
  peer: text,
  what: text,
  sop_instance_uid: text.nullable(),
  study_instance_uid: text.nullable(),
  outcome: z.enum(['ok', 'duplicate', 'refused', 'failed', 'retrying']),
  code: text.nullable(),
  message: text.nullable(),
});
export type TransferRow = z.infer<typeof TransferRow>;

export const OutboxRow = z.object({
  id: int,
  destination: text,
  kind: z.enum(['sr', 'sc']),
  sop_instance_uid: text,
  sop_class_uid: text,
  study_instance_uid: text,
  source_sop_instance_uid: text,
  priority: int,
  path: text,
  state: z.enum(['preparing', 'pending', 'sent', 'failed']),
  attempts: int,
  next_attempt_at: int,
  lease_owner: int.nullable(),
  lease_until: int.nullable(),
  last_code: text.nullable(),
  last_message: text.nullable(),
  created_at: int,
  sent_at: int.nullable(),
});
export type OutboxRow = z.infer<typeof OutboxRow>;

export interface NewInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  studyInstanceUid: string | undefined;
  seriesInstanceUid: string | undefined;
  modality: string | undefined;
  path: string;
  size: number;
  sha256: string;
  origin: string;
  /** Set when the dataset could not be read: stored as failed, never triaged. */
  failure?: { code: string; message: string } | undefined;
}

export type ReceiveEffect = { kind: 'new'; instance: InstanceRow } | { kind: 'duplicate'; first: InstanceRow };

export type TriageOutcome =
  | {
      state: 'triaged';
      modelId: string;
      weightsSha256: string;
      probabilities: Record<string, number>;
      flagged: string[];
      triageScore: number;
      guard: { suspect: boolean; reason: string | null };
    }
  | { state: 'refused' | 'failed'; code: string; message: string; modelId?: string | undefined; weightsSha256?: string | undefined };

export interface OutboxEntry {
  /** 'preparing' when its file is written after the commit (heatmaps, made once the report is on its way). */
  state?: 'preparing' | 'pending';
  destination: string;
  kind: 'sr' | 'sc';
  sopInstanceUid: string;
  sopClassUid: string;
  studyInstanceUid: string;
  sourceSopInstanceUid: string;
  priority: number;
  path: string;
}

export interface TransferEntry {
  direction: TransferRow['direction'];
  peer: string;
  what: string;
  sopInstanceUid?: string | undefined;
  studyInstanceUid?: string | undefined;
  outcome: TransferRow['outcome'];
  code?: string | undefined;
  message?: string | undefined;
}

export interface NodeCounts {
  received: number;
  triaged: number;
  refused: number;
  failed: number;
  waiting: number;
  duplicates: number;
  rejectedAssociations: number;
  sent: number;
  pending: number;
  sendFailed: number;
}

/**
 * The DICOM node's records: received instances (one per SOP Instance UID, so a second copy is a
 * duplicate however it arrives), the log of every transfer, and the outbox. A triage result and
 * the outbox entries that carry it to the PACS are committed in one transaction, and an entry
 * leaves the outbox only when the peer confirmed it: a crash or a peer that is down loses nothing.
 */
export class DicomNodeRecords {
  constructor(private readonly db: Database.Database) {}

  /** Records a received instance and its log entry, or finds it already received. */
  receive(
    instance: NewInstance,
    log: Omit<TransferEntry, 'outcome' | 'direction' | 'what'> & { direction: 'receive' | 'retrieve' },
  ): ReceiveEffect {
    return this.db
      .transaction((): ReceiveEffect => {
        const now = Date.now();
        const existing = this.db.prepare('SELECT * FROM dicom_instances WHERE sop_instance_uid = ?').get(instance.sopInstanceUid);
        if (existing !== undefined) {
          const first = parseRow(InstanceRow, existing, 'DICOM instance');
          this.log(
            {
              ...log,
              what: 'image',
              outcome: 'duplicate',
              sopInstanceUid: instance.sopInstanceUid,
              studyInstanceUid: instance.studyInstanceUid,
              message: `already received from ${first.origin} at ${new Date(first.received_at).toISOString()}; not triaged again`,
            },
            now,
          );
          return { kind: 'duplicate', first };
        }
        const info = this.db
          .prepare(`INSERT INTO dicom_instances (sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, modality, path, size,
            content_sha256, origin, received_at, state, error_code, error_message, finished_at)
            VALUES (@sop, @sopClass, @study, @series, @modality, @path, @size, @sha, @origin, @now, @state, @code, @message, @finished)`)
          .run({
            sop: instance.sopInstanceUid,
            sopClass: instance.sopClassUid,
            study: instance.studyInstanceUid ?? null,
            series: instance.seriesInstanceUid ?? null,
            modality: instance.modality ?? null,
            path: instance.path,
            size: instance.size,
            sha: instance.sha256,
            origin: instance.origin,
            now,
            state: instance.failure ? 'failed' : 'received',
            code: instance.failure?.code ?? null,
            message: instance.failure?.message ?? null,
            finished: instance.failure ? now : null,
          });
        this.log(
          {
            ...log,
            what: 'image',
            outcome: instance.failure ? 'failed' : 'ok',
            sopInstanceUid: instance.sopInstanceUid,
            studyInstanceUid: instance.studyInstanceUid,
            code: instance.failure?.code,
            message: instance.failure
              ? `stored, not readable: ${instance.failure.message}`
              : `${instance.modality ?? 'no modality'}, ${instance.size} bytes`,
          },
          now,
        );
        return { kind: 'new', instance: this.instanceById(Number(info.lastInsertRowid)) };
      })
      .immediate();
  }

  /** Instances stored but not yet triaged (after a restart, these are triaged first). */
  waitingForTriage(): InstanceRow[] {
    return parseRows(
      InstanceRow,
      this.db.prepare("SELECT * FROM dicom_instances WHERE state = 'received' ORDER BY id").all(),
      'DICOM instance',
    );
  }

  instance(sopInstanceUid: string): InstanceRow | undefined {
    const row = this.db.prepare('SELECT * FROM dicom_instances WHERE sop_instance_uid = ?').get(sopInstanceUid);
    return row === undefined ? undefined : parseRow(InstanceRow, row, 'DICOM instance');
  }

  instances(options: { limit: number; offset?: number }): InstanceRow[] {
    return parseRows(
      InstanceRow,
      this.db.prepare('SELECT * FROM dicom_instances ORDER BY id DESC LIMIT ? OFFSET ?').all(options.limit, options.offset ?? 0),
      'DICOM instance',
    );
  }

  /** Stores an instance's triage outcome together with the outbox entries that deliver it, atomically. */
  finishTriage(instanceId: number, outcome: TriageOutcome, outbox: OutboxEntry[]): void {
    this.db
      .transaction(() => {
        const now = Date.now();
        if (outcome.state === 'triaged') {
          this.db
            .prepare(`UPDATE dicom_instances SET state = 'triaged', model_id = ?, weights_sha256 = ?, probabilities_json = ?, flagged_json = ?,
              triage_score = ?, guard_suspect = ?, guard_reason = ?, error_code = NULL, error_message = NULL, finished_at = ? WHERE id = ?`)
            .run(
              outcome.modelId,
              outcome.weightsSha256,
              JSON.stringify(outcome.probabilities),
              JSON.stringify(outcome.flagged),
              outcome.triageScore,
              outcome.guard.suspect ? 1 : 0,
              outcome.guard.reason,
              now,
              instanceId,
            );
        } else {
          this.db
            .prepare(
              'UPDATE dicom_instances SET state = ?, error_code = ?, error_message = ?, model_id = ?, weights_sha256 = ?, finished_at = ? WHERE id = ?',
            )
            .run(outcome.state, outcome.code, outcome.message, outcome.modelId ?? null, outcome.weightsSha256 ?? null, now, instanceId);
        }
        const insert =
          this.db.prepare(`INSERT OR IGNORE INTO dicom_outbox (destination, kind, sop_instance_uid, sop_class_uid, study_instance_uid,
          source_sop_instance_uid, priority, path, state, next_attempt_at, lease_owner, created_at)
          VALUES (@destination, @kind, @sopInstanceUid, @sopClassUid, @studyInstanceUid, @sourceSopInstanceUid, @priority, @path, @state, @now, @owner, @now)`);
        // A 'preparing' entry belongs to this process until its file is written (see recoverUnprepared).
        for (const entry of outbox) {
          const state = entry.state ?? 'pending';
          insert.run({ ...entry, state, owner: state === 'preparing' ? process.pid : null, now });
        }
      })
      .immediate();
  }

  /** Entries whose files are now written become sendable. */
  prepared(sopInstanceUids: string[]): void {
    const update = this.db.prepare(
      "UPDATE dicom_outbox SET state = 'pending', next_attempt_at = ?, lease_owner = NULL WHERE state = 'preparing' AND sop_instance_uid = ?",
    );
    this.db.transaction(() => {
      const now = Date.now();
      for (const uid of sopInstanceUids) update.run(now, uid);
    })();
  }

  /** Entries whose files could not be made: failed, with why (their report went anyway). */
  unprepared(sopInstanceUids: string[], code: string, message: string): void {
    const update = this.db.prepare(
      "UPDATE dicom_outbox SET state = 'failed', last_code = ?, last_message = ? WHERE state = 'preparing' AND sop_instance_uid = ?",
    );
    this.db.transaction(() => {
      for (const uid of sopInstanceUids) update.run(code, message, uid);
    })();
  }

  /**
   * After a crash between a report's commit and its heatmaps' files: those entries are dropped and
   * their instances go back to 'received', to be triaged again (the report keeps its UID, so a
   * report already sent is not sent twice; the heatmaps are made anew). Returns how many instances.
   */
  recoverUnprepared(): number {
    return this.db
      .transaction(() => {
        // Only a dead process's: another node process sharing this store may be drawing them right now.
        const rows = parseRows(
          z.object({ id: int, source_sop_instance_uid: text, lease_owner: int.nullable() }),
          this.db.prepare("SELECT id, source_sop_instance_uid, lease_owner FROM dicom_outbox WHERE state = 'preparing'").all(),
          'outbox entry',
        ).filter((row) => row.lease_owner !== process.pid && !runnerAlive(row.lease_owner));
        const drop = this.db.prepare('DELETE FROM dicom_outbox WHERE id = ?');
        const reset = this.db.prepare(
          "UPDATE dicom_instances SET state = 'received', finished_at = NULL WHERE sop_instance_uid = ? AND state = 'triaged'",
        );
        const sources = new Set(rows.map((row) => row.source_sop_instance_uid));
        for (const row of rows) drop.run(row.id);
        for (const uid of sources) reset.run(uid);
        return sources.size;
      })
      .immediate();
  }

  /**
   * Takes up to `limit` due outbox entries for this sender (`owner`) until `leaseMs` from now: the
   * report before its heatmaps, oldest first. An entry held by a live lease is left to its holder.
   */
  claimDue(owner: number, limit: number, leaseMs: number, options: { now?: number; destinationPrefix?: string } = {}): OutboxRow[] {
    const now = options.now ?? Date.now();
    const prefix = options.destinationPrefix ?? '';
    return this.db
      .transaction(() => {
        const rows = parseRows(
          OutboxRow,
          this.db
            .prepare(`SELECT * FROM dicom_outbox WHERE state = 'pending' AND next_attempt_at <= @now AND substr(destination, 1, length(@prefix)) = @prefix
              AND (lease_until IS NULL OR lease_until < @now OR lease_owner = @owner) ORDER BY priority, id LIMIT @limit`)
            .all({ now, owner, limit, prefix }),
          'outbox entry',
        );
        const lease = this.db.prepare('UPDATE dicom_outbox SET lease_owner = ?, lease_until = ? WHERE id = ?');
        for (const row of rows) lease.run(owner, now + leaseMs, row.id);
        return rows;
      })
      .immediate();
  }

  /** Gives claimed entries back without an attempt. */
  release(entries: OutboxRow[]): void {
    const update = this.db.prepare('UPDATE dicom_outbox SET lease_owner = NULL, lease_until = NULL WHERE id = ?');
    this.db.transaction(() => {
      for (const entry of entries) update.run(entry.id);
    })();
  }

  /** When the next pending entry (to destinations starting with `prefix`) falls due (null: nothing pending). */
  nextDue(prefix = ''): number | null {
    const at = this.db
      .prepare("SELECT min(next_attempt_at) FROM dicom_outbox WHERE state = 'pending' AND substr(destination, 1, length(?)) = ?")
      .pluck()
      .get(prefix, prefix);
    return typeof at === 'number' ? at : null;
  }

  markSent(entry: OutboxRow, peer: string): void {
    this.db
      .transaction(() => {
        const now = Date.now();
        this.db
          .prepare(
            "UPDATE dicom_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, lease_owner = NULL, lease_until = NULL WHERE id = ?",
          )
          .run(now, entry.id);
        this.log(
          {
            direction: 'send',
            peer,
            what: entry.kind,
            sopInstanceUid: entry.sop_instance_uid,
            studyInstanceUid: entry.study_instance_uid,
            outcome: 'ok',
          },
          now,
        );
      })
      .immediate();
  }

  /** A failed attempt: retried at `nextAttemptAt`, or given up (`final`: the peer refused it outright). */
  markAttemptFailed(
    entry: OutboxRow,
    peer: string,
    failure: { code: string; message: string; final: boolean; nextAttemptAt: number },
  ): void {
    this.db
      .transaction(() => {
        const now = Date.now();
        this.db
          .prepare(`UPDATE dicom_outbox SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_code = ?, last_message = ?,
            lease_owner = NULL, lease_until = NULL WHERE id = ?`)
          .run(failure.final ? 'failed' : 'pending', failure.nextAttemptAt, failure.code, failure.message, entry.id);
        this.log(
          {
            direction: 'send',
            peer,
            what: entry.kind,
            sopInstanceUid: entry.sop_instance_uid,
            studyInstanceUid: entry.study_instance_uid,
            outcome: failure.final ? 'failed' : 'retrying',
            code: failure.code,
            message: failure.final ? failure.message : `${failure.message}; next attempt ${new Date(failure.nextAttemptAt).toISOString()}`,
          },
          now,
        );
      })
      .immediate();
  }

  /** Outbox entries carrying results of these source instances. */
  outboxFor(sourceSopInstanceUids: string[]): OutboxRow[] {
    if (sourceSopInstanceUids.length === 0) return [];
    const rows: OutboxRow[] = [];
    const query = this.db.prepare('SELECT * FROM dicom_outbox WHERE source_sop_instance_uid = ? ORDER BY id');
    for (const uid of sourceSopInstanceUids) rows.push(...parseRows(OutboxRow, query.all(uid), 'outbox entry'));
    return rows;
  }

  outbox(options: { limit: number; states?: OutboxRow['state'][] }): OutboxRow[] {
    const states = options.states ?? ['preparing', 'pending', 'sent', 'failed'];
    return parseRows(
      OutboxRow,
      this.db
        .prepare(`SELECT * FROM dicom_outbox WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY id DESC LIMIT ?`)
        .all(...states, options.limit),
      'outbox entry',
    );
  }

  log(entry: TransferEntry, at = Date.now()): void {
    this.db
      .prepare(`INSERT INTO dicom_transfers (at, direction, peer, what, sop_instance_uid, study_instance_uid, outcome, code, message)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(
        at,
        entry.direction,
        entry.peer,
        entry.what,
        entry.sopInstanceUid ?? null,
        entry.studyInstanceUid ?? null,
        entry.outcome,
        entry.code ?? null,
        entry.message ?? null,
      );
  }

  /** The transfer log, newest first. */
  transfers(options: { limit: number; offset?: number }): TransferRow[] {
    return parseRows(
      TransferRow,
      this.db.prepare('SELECT * FROM dicom_transfers ORDER BY id DESC LIMIT ? OFFSET ?').all(options.limit, options.offset ?? 0),
      'transfer',
    );
  }

  counts(): NodeCounts {
    const byState = Object.fromEntries(
      parseRows(
        z.object({ state: text, n: int }),
        this.db.prepare('SELECT state, count(*) AS n FROM dicom_instances GROUP BY state').all(),
        'count',
      ).map((r) => [r.state, r.n]),
    );
    const outbox = Object.fromEntries(
      parseRows(
        z.object({ state: text, n: int }),
        this.db.prepare('SELECT state, count(*) AS n FROM dicom_outbox GROUP BY state').all(),
        'count',
      ).map((r) => [r.state, r.n]),
    );
    const logged = (where: string): number => Number(this.db.prepare(`SELECT count(*) FROM dicom_transfers WHERE ${where}`).pluck().get());
    const received = Object.values(byState).reduce((a: number, b) => a + Number(b), 0);
    return {
      received,
      triaged: byState.triaged ?? 0,
      refused: byState.refused ?? 0,
      failed: byState.failed ?? 0,
      waiting: byState.received ?? 0,
      duplicates: logged("what = 'image' AND outcome = 'duplicate'"),
      rejectedAssociations: logged("direction = 'association' AND outcome = 'refused'"),
      sent: outbox.sent ?? 0,
      pending: (outbox.pending ?? 0) + (outbox.preparing ?? 0),
      sendFailed: outbox.failed ?? 0,
    };
  }

  private instanceById(id: number): InstanceRow {
    return parseRow(InstanceRow, this.db.prepare('SELECT * FROM dicom_instances WHERE id = ?').get(id), 'DICOM instance');
  }
}
