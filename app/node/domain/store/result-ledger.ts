import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { ErrorCode } from '../../../common/errors.ts';
import { CandidateFileRow, parseRow, parseRows, PendingItemRow } from './rows.ts';

/** One study of a job to classify now, with the copy to read. */
export interface WorkItem {
  seq: number;
  studyId: number;
  fileId: number;
  path: string;
}

export interface SuccessOutcome {
  ok: true;
  probabilities: Record<string, number>;
  flagged: string[];
  triageScore: number;
  guard: { score: number; suspect: boolean; reason: string | null };
  cam: { blob: Uint8Array; height: number; width: number } | null;
  thumbnail: { blob: Uint8Array; size: number } | null;
  timingsMs: { decode: number; preprocess: number; infer: number; cam: number };
}

export interface FailureOutcome {
  ok: false;
  code: ErrorCode;
  message: string;
  /** The failure belongs to this copy of the image (truncated, corrupt), not to the image itself. */
  copySpecific: boolean;
}

export type StudyOutcome = SuccessOutcome | FailureOutcome;

/** What a commit did: stored the study's outcome, queued another copy, or found it already stored. */
export type CommitEffect = 'stored' | 'retry-another-copy' | 'already-stored';

/**
 * Outcomes of jobs: each study's result is written in the same transaction that advances its job
 * (counts and cursor), so after a crash the store shows each study either finished or not
 * started — never half — and resuming picks exactly the unfinished ones.
 */
export class ResultLedger {
  private readonly pendingItems;
  private readonly candidate;
  private readonly insertAttempt;
  private readonly insertResult;
  private readonly firstUnfinished;
  private readonly lastSeq;
  private readonly advance;
  private readonly lastAttempt;

  constructor(private readonly db: Database.Database) {
    const unfinished = 'NOT EXISTS (SELECT 1 FROM results r WHERE r.study_id = i.study_id AND r.model_key = @model)';
    this.pendingItems = db.prepare(
      `SELECT i.seq, i.study_id FROM job_items i WHERE i.job_id = @job AND i.seq > @after AND ${unfinished} ORDER BY i.seq LIMIT @limit`,
    );
    // Copies of the image not yet tried with this model; this job's own files first (others may
    // be on a disk that is gone), then in import order.
    this.candidate = db.prepare(`SELECT f.id, f.path FROM files f
      WHERE f.study_id = @study AND f.id != @exclude
        AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.study_id = f.study_id AND a.model_key = @model AND a.file_id = f.id)
      ORDER BY EXISTS (SELECT 1 FROM job_files j WHERE j.job_id = @job AND j.file_id = f.id) DESC, f.id LIMIT 1`);
    this.insertAttempt = db.prepare(
      'INSERT OR IGNORE INTO attempts (study_id, model_key, file_id, error_code, error_message) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertResult =
      db.prepare(`INSERT OR IGNORE INTO results (study_id, model_key, job_id, file_id, ok, probabilities_json, flagged_json, triage_score,
        guard_score, guard_suspect, guard_reason, cam, cam_height, cam_width, thumbnail, thumbnail_size, decode_ms, preprocess_ms, infer_ms, cam_ms,
        error_code, error_message, created_at)
      VALUES (@study, @model, @job, @file, @ok, @probabilities, @flagged, @triage, @guardScore, @guardSuspect, @guardReason, @cam, @camH, @camW,
        @thumb, @thumbSize, @decode, @preprocess, @infer, @camMs, @code, @message, @now)`);
    this.firstUnfinished = db
      .prepare(`SELECT min(i.seq) FROM job_items i WHERE i.job_id = @job AND i.seq > @after AND ${unfinished}`)
      .pluck();
    this.lastSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM job_items WHERE job_id = ?').pluck();
    this.advance = db.prepare(
      'UPDATE jobs SET finished = finished + 1, failed = failed + @failed, cursor = @cursor, updated_at = @now WHERE id = @job',
    );
    this.lastAttempt = db.prepare(
      'SELECT error_code, error_message FROM attempts WHERE study_id = ? AND model_key = ? ORDER BY id DESC LIMIT 1',
    );
  }

  /** The next unfinished studies after `after` (a cursor, or the last seq handed out), each with a copy to read. */
  pending(jobId: number, modelKey: number, after: number, limit: number): WorkItem[] {
    const items = parseRows(PendingItemRow, this.pendingItems.all({ job: jobId, model: modelKey, after, limit }), 'job item');
    const work: WorkItem[] = [];
    for (const item of items) {
      const file = this.nextCopy(jobId, modelKey, item.study_id, -1);
      if (file) work.push({ seq: item.seq, studyId: item.study_id, fileId: file.id, path: file.path });
      else this.giveUp(jobId, modelKey, item.seq, item.study_id);
    }
    return work;
  }

  /** Stores a study's outcome and advances the job, atomically. */
  commit(jobId: number, modelKey: number, item: WorkItem, outcome: StudyOutcome): CommitEffect {
    return this.commitMany(jobId, modelKey, [{ item, outcome }])[0]!;
  }

  /**
   * Several outcomes in one transaction (the results of one engine batch): each is stored together
   * with its job advance, and one commit instead of eight keeps the store off the inference path.
   */
  commitMany(jobId: number, modelKey: number, entries: { item: WorkItem; outcome: StudyOutcome }[]): CommitEffect[] {
    return this.db.transaction(() => entries.map(({ item, outcome }) => this.store(jobId, modelKey, item, outcome))).immediate();
  }

  private store(jobId: number, modelKey: number, item: WorkItem, outcome: StudyOutcome): CommitEffect {
    const now = Date.now();
    if (!outcome.ok && outcome.copySpecific && this.nextCopy(jobId, modelKey, item.studyId, item.fileId)) {
      this.insertAttempt.run(item.studyId, modelKey, item.fileId, outcome.code, outcome.message);
      return 'retry-another-copy';
    }
    const inserted = this.insertResult.run(
      outcome.ok
        ? {
            study: item.studyId,
            model: modelKey,
            job: jobId,
            file: item.fileId,
            ok: 1,
            probabilities: JSON.stringify(outcome.probabilities),
            flagged: JSON.stringify(outcome.flagged),
            triage: outcome.triageScore,
            guardScore: outcome.guard.score,
            guardSuspect: outcome.guard.suspect ? 1 : 0,
            guardReason: outcome.guard.reason,
            cam: outcome.cam?.blob ?? null,
            camH: outcome.cam?.height ?? null,
            camW: outcome.cam?.width ?? null,
            thumb: outcome.thumbnail?.blob ?? null,
            thumbSize: outcome.thumbnail?.size ?? null,
            decode: outcome.timingsMs.decode,
            preprocess: outcome.timingsMs.preprocess,
            infer: outcome.timingsMs.infer,
            camMs: outcome.timingsMs.cam,
            code: null,
            message: null,
            now,
          }
        : { ...emptyResult(item, jobId, modelKey, now), code: outcome.code, message: outcome.message },
    );
    if (inserted.changes === 0) return 'already-stored';
    this.advanceJob(jobId, modelKey, outcome.ok ? 0 : 1, now);
    return 'stored';
  }

  private nextCopy(jobId: number, modelKey: number, studyId: number, exclude: number): { id: number; path: string } | undefined {
    const row = this.candidate.get({ study: studyId, model: modelKey, job: jobId, exclude });
    return row === undefined ? undefined : parseRow(CandidateFileRow, row, 'file');
  }

  /** Every copy was tried (or the files moved to other studies): the last failure is the outcome. */
  private giveUp(jobId: number, modelKey: number, seq: number, studyId: number): void {
    const last = parseRow(
      CandidateFailure,
      this.lastAttempt.get(studyId, modelKey) ?? {
        error_code: 'FILE_NOT_FOUND',
        error_message: 'no file of this study is left in the store',
      },
      'attempt',
    );
    const fileId = this.db
      .prepare('SELECT file_id FROM attempts WHERE study_id = ? AND model_key = ? ORDER BY id DESC LIMIT 1')
      .pluck()
      .get(studyId, modelKey);
    if (typeof fileId !== 'number') return; // nothing to point the result at; leave the item unfinished
    this.db
      .transaction(() => {
        const now = Date.now();
        const inserted = this.insertResult.run({
          ...emptyResult({ seq, studyId, fileId, path: '' }, jobId, modelKey, now),
          code: last.error_code,
          message: last.error_message,
        });
        if (inserted.changes > 0) this.advanceJob(jobId, modelKey, 1, now);
      })
      .immediate();
  }

  /** The cursor moves to just before the first unfinished item (results may arrive out of order). */
  private advanceJob(jobId: number, modelKey: number, failed: number, now: number): void {
    const cursor = this.db.prepare('SELECT cursor FROM jobs WHERE id = ?').pluck().get(jobId);
    const after = typeof cursor === 'number' ? cursor : 0;
    const first = this.firstUnfinished.get({ job: jobId, model: modelKey, after });
    const next = typeof first === 'number' ? first - 1 : Number(this.lastSeq.get(jobId));
    this.advance.run({ failed, cursor: next, now, job: jobId });
  }
}

const CandidateFailure = z.object({ error_code: z.string(), error_message: z.string() });

function emptyResult(item: WorkItem, jobId: number, modelKey: number, now: number): Record<string, unknown> {
  return {
    study: item.studyId,
    model: modelKey,
    job: jobId,
    file: item.fileId,
    ok: 0,
    probabilities: null,
    flagged: null,
    triage: null,
    guardScore: null,
    guardSuspect: null,
    guardReason: null,
    cam: null,
    camH: null,
    camW: null,
    thumb: null,
    thumbSize: null,
    decode: null,
    preprocess: null,
    infer: null,
    camMs: null,
    now,
  };
}
