import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { projectRoot, shared } from '../helpers/shared.ts';

export const CLI = join(projectRoot, 'bin', 'denseray.mjs');

/**
 * A study folder as a user would have it: NIH 256-px PNGs and the DICOM corpus (valid files,
 * non-X-ray modalities, malformed files, the same SOP instance in several transfer syntaxes, a
 * README and a CSV to skip), as symbolic links so nothing is copied.
 */
export function studyFolder(pngCount: number): string {
  const root = mkdtempSync(join(tmpdir(), 'denseray-batch-in-'));
  const png = join(root, 'nih');
  const dicom = join(root, 'usb', 'DICOM');
  mkdirSync(png);
  mkdirSync(dicom, { recursive: true });
  const images = shared('cxr', 'images256');
  for (const name of readdirSync(images).sort().slice(0, pngCount)) symlinkSync(join(images, name), join(png, name));
  const corpus = shared('dicom');
  for (const name of readdirSync(corpus).sort()) symlinkSync(join(corpus, name), join(dicom, name));
  return root;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in a child process. `killAfterMs` sends SIGKILL at that moment, `killWhen` as soon
 * as the predicate (polled every 20 ms) holds, if the process still runs.
 */
export function runCli(args: string[], options: { killAfterMs?: number; killWhen?: () => boolean } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    const poll = options.killWhen === undefined ? undefined : setInterval(() => options.killWhen!() && child.kill('SIGKILL'), 20);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const Outcome = z.object({
  path: z.string(),
  study_id: z.number(),
  results: z.number(),
  result_path: z.string().nullable(),
  ok: z.number().nullable(),
  probabilities_json: z.string().nullable(),
  triage_score: z.number().nullable(),
  flagged_json: z.string().nullable(),
  error_code: z.string().nullable(),
});
export type FileOutcome = z.infer<typeof Outcome>;

/** Every study file of every job in a data folder with its study's outcome(s), read straight from SQLite. */
export function fileOutcomes(dataDir: string): FileOutcome[] {
  const db = new Database(join(dataDir, 'studies.sqlite'), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT f.path, f.study_id, (SELECT count(*) FROM results x WHERE x.study_id = f.study_id) AS results, rf.path AS result_path,
           r.ok, r.probabilities_json, r.triage_score, r.flagged_json, r.error_code
         FROM files f LEFT JOIN results r ON r.study_id = f.study_id LEFT JOIN files rf ON rf.id = r.file_id
         WHERE f.study_id IS NOT NULL ORDER BY f.path`,
      )
      .all();
    return rows.map((row) => Outcome.parse(row));
  } finally {
    db.close();
  }
}

const JobCounts = z.object({
  state: z.string(),
  studies: z.number(),
  finished: z.number(),
  failed: z.number(),
  cursor: z.number(),
  max_seq: z.number(),
  stored: z.number(),
  stored_failed: z.number(),
});

/** Outcomes stored so far for a job (0 while the store does not exist yet). */
export function storedOutcomes(dataDir: string, jobId: number): number {
  try {
    return jobConsistency(dataDir, jobId).stored;
  } catch {
    return 0;
  }
}

/** The job row's counts beside the same counts recomputed from the results (they must agree). */
export function jobConsistency(dataDir: string, jobId: number): z.infer<typeof JobCounts> {
  const db = new Database(join(dataDir, 'studies.sqlite'), { readonly: true });
  try {
    return JobCounts.parse(
      db
        .prepare(
          `SELECT j.state, j.studies, j.finished, j.failed, j.cursor,
             (SELECT coalesce(max(seq), 0) FROM job_items WHERE job_id = j.id) AS max_seq,
             (SELECT count(*) FROM job_items i JOIN results r ON r.study_id = i.study_id AND r.model_key = j.model_key WHERE i.job_id = j.id) AS stored,
             (SELECT count(*) FROM job_items i JOIN results r ON r.study_id = i.study_id AND r.model_key = j.model_key AND r.ok = 0 WHERE i.job_id = j.id) AS stored_failed
           FROM jobs j WHERE j.id = ?`,
        )
        .get(jobId),
    );
  } finally {
    db.close();
  }
}
