import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { JobState, JobSummary } from '../../../common/contract/batch.ts';
import type { ModelInfo } from '../../../common/contract/classify.ts';
import { ErrorCode, type ErrorInfo } from '../../../common/errors.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { JobRow, ModelRow, parseJsonColumn, parseRow, parseRows } from './rows.ts';

export type StoredJobState = Exclude<JobState, 'interrupted'>;
export type JobModelInfo = Pick<ModelInfo, 'id' | 'name' | 'version' | 'arch' | 'sha256' | 'demo' | 'labels' | 'thresholds'>;

const Roots = z.array(z.string());
const Labels = z.array(z.string());
const Thresholds = z.record(z.string(), z.number());

/** Jobs: what to classify (roots) with which model, where they stand, and who runs them. */
export class JobRecords {
  constructor(private readonly db: Database.Database) {}

  /** The store's key for a model's exact weights (same id, other weights = another model). */
  modelKey(model: JobModelInfo): number {
    const existing = this.db.prepare('SELECT id FROM models WHERE model_id = ? AND weights_sha256 = ?').pluck().get(model.id, model.sha256);
    if (typeof existing === 'number') return existing;
    const info = this.db
      .prepare(
        'INSERT INTO models (model_id, version, weights_sha256, name, arch, demo, labels_json, thresholds_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        model.id,
        model.version,
        model.sha256,
        model.name,
        model.arch,
        model.demo ? 1 : 0,
        JSON.stringify(model.labels),
        JSON.stringify(model.thresholds),
      );
    return Number(info.lastInsertRowid);
  }

  model(modelKey: number): JobModelInfo {
    const row = parseRow(ModelRow, this.db.prepare('SELECT * FROM models WHERE id = ?').get(modelKey), 'model');
    return {
      id: row.model_id,
      name: row.name,
      version: row.version,
      arch: row.arch,
      sha256: row.weights_sha256,
      demo: row.demo === 1,
      labels: parseJsonColumn(Labels, row.labels_json, 'model labels'),
      thresholds: parseJsonColumn(Thresholds, row.thresholds_json, 'model thresholds'),
    };
  }

  /** The newest job over exactly these roots with this model that was not cancelled. */
  findReusable(roots: string[], modelKey: number): JobRow | undefined {
    const row = this.db
      .prepare("SELECT * FROM jobs WHERE roots_key = ? AND model_key = ? AND state != 'cancelled' ORDER BY id DESC LIMIT 1")
      .get(rootsKey(roots), modelKey);
    return row === undefined ? undefined : parseRow(JobRow, row, 'job');
  }

  create(roots: string[], modelKey: number, state: StoredJobState = 'queued'): JobRow {
    const now = Date.now();
    const info = this.db
      .prepare('INSERT INTO jobs (roots_json, roots_key, model_key, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(JSON.stringify(roots), rootsKey(roots), modelKey, state, now, now);
    return this.get(Number(info.lastInsertRowid));
  }

  get(id: number): JobRow {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id);
    if (row === undefined) throw new DenseRayError('INVALID_ARGUMENT', `no job ${id} in the study store (see denseray jobs)`);
    return parseRow(JobRow, row, 'job');
  }

  list(): JobRow[] {
    return parseRows(JobRow, this.db.prepare('SELECT * FROM jobs ORDER BY id').all(), 'job');
  }

  /** The newest job that can be resumed (paused, failed, or interrupted). */
  latestResumable(): JobRow | undefined {
    return this.list()
      .reverse()
      .find((job) => ['paused', 'failed', 'queued'].includes(job.state) || (isActive(job.state) && !runnerAlive(job.runner_pid)));
  }

  /**
   * Takes the job for this process. A job whose runner is still alive is refused, so two
   * processes never classify the same job; a dead runner (crash, SIGKILL) is simply replaced.
   */
  claim(id: number, pid: number, state: 'importing' | 'running'): JobRow {
    return this.db
      .transaction(() => {
        const job = this.get(id);
        if (job.state === 'cancelled') throw new DenseRayError('INVALID_ARGUMENT', `job ${id} was cancelled; start a new one`);
        if (isActive(job.state) && job.runner_pid !== null && job.runner_pid !== pid && runnerAlive(job.runner_pid)) {
          throw new DenseRayError('INVALID_ARGUMENT', `job ${id} is being run by process ${job.runner_pid}`);
        }
        // A walk that starts again is unfinished until it ends: a crash during it walks again on resume.
        const walkDone = state === 'importing' ? null : job.imported_at;
        this.db
          .prepare(
            'UPDATE jobs SET state = ?, runner_pid = ?, imported_at = ?, control = NULL, error_code = NULL, error_message = NULL, finished_at = NULL, updated_at = ? WHERE id = ?',
          )
          .run(state, pid, walkDone, Date.now(), id);
        return this.get(id);
      })
      .immediate();
  }

  setState(id: number, state: StoredJobState, error?: ErrorInfo): void {
    const now = Date.now();
    const finished = state === 'done' || state === 'cancelled' || state === 'failed' ? now : null;
    const releases = !isActive(state);
    this.db
      .prepare(
        `UPDATE jobs SET state = ?, error_code = ?, error_message = ?, updated_at = ?, finished_at = ?, control = NULL${releases ? ', runner_pid = NULL' : ''} WHERE id = ?`,
      )
      .run(state, error?.code ?? null, error?.message ?? null, now, finished, id);
  }

  markImported(id: number): void {
    this.db.prepare("UPDATE jobs SET imported_at = ?, state = 'running', updated_at = ? WHERE id = ?").run(Date.now(), Date.now(), id);
  }

  /** Finished: every item has an outcome, so the cursor is past the last one. */
  markDone(id: number): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE jobs SET cursor = (SELECT coalesce(max(seq), 0) FROM job_items WHERE job_id = ?) WHERE id = ?').run(id, id);
      this.setState(id, 'done');
    })();
  }

  /** Asks whichever process runs the job to pause or cancel it (it checks after each commit). */
  requestControl(id: number, control: 'pause' | 'cancel'): void {
    this.db.prepare('UPDATE jobs SET control = ?, updated_at = ? WHERE id = ?').run(control, Date.now(), id);
  }

  control(id: number): 'pause' | 'cancel' | null {
    const value = this.db.prepare('SELECT control FROM jobs WHERE id = ?').pluck().get(id);
    return value === 'pause' || value === 'cancel' ? value : null;
  }

  summary(job: JobRow): JobSummary {
    const model = this.model(job.model_key);
    const reasons = this.db
      .prepare(
        'SELECT f.skip_reason AS reason, count(*) AS n FROM job_files j JOIN files f ON f.id = j.file_id WHERE j.job_id = ? AND f.skip_reason IS NOT NULL GROUP BY f.skip_reason',
      )
      .all(job.id);
    const skipReasons = Object.fromEntries(
      parseRows(z.object({ reason: z.string(), n: z.number().int() }), reasons, 'skip reason').map((r) => [r.reason, r.n]),
    );
    const state: JobState = isActive(job.state) && !runnerAlive(job.runner_pid) ? 'interrupted' : job.state;
    const code = ErrorCode.safeParse(job.error_code);
    return {
      id: job.id,
      state,
      roots: parseJsonColumn(Roots, job.roots_json, 'job roots'),
      model: { id: model.id, version: model.version, sha256: model.sha256, demo: model.demo },
      counts: {
        filesSeen: job.files_seen,
        filesSkipped: job.files_skipped,
        duplicates: job.duplicates,
        studies: job.studies,
        finished: job.finished,
        failed: job.failed,
      },
      skipReasons,
      cursor: job.cursor,
      error: job.error_message !== null ? { code: code.success ? code.data : 'INTERNAL', message: job.error_message } : null,
      createdAt: new Date(job.created_at).toISOString(),
      updatedAt: new Date(job.updated_at).toISOString(),
      finishedAt: job.finished_at === null ? null : new Date(job.finished_at).toISOString(),
    };
  }
}

export function rootsKey(roots: string[]): string {
  return JSON.stringify([...new Set(roots)].sort());
}

function isActive(state: StoredJobState): boolean {
  return state === 'importing' || state === 'running';
}

/** Whether a process with this id exists (EPERM: it exists, owned by someone else). */
export function runnerAlive(pid: number | null): boolean {
  if (pid === null) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
