import { z } from 'zod';
import { DenseRayError } from '../../shared/errors.ts';

/**
 * Zod schemas for the rows the store reads back. SQLite is dynamically typed and the file may
 * have been written by another version, so nothing read from it is trusted until parsed here.
 */
const int = z.number().int();
const text = z.string();
const blob = z.instanceof(Uint8Array);

export const JobRow = z.object({
  id: int,
  roots_json: text,
  roots_key: text,
  model_key: int,
  state: z.enum(['queued', 'importing', 'running', 'paused', 'cancelled', 'done', 'failed']),
  control: z.enum(['pause', 'cancel']).nullable(),
  cursor: int,
  files_seen: int,
  files_skipped: int,
  duplicates: int,
  studies: int,
  finished: int,
  failed: int,
  error_code: text.nullable(),
  error_message: text.nullable(),
  runner_pid: int.nullable(),
  imported_at: int.nullable(),
  created_at: int,
  updated_at: int,
  finished_at: int.nullable(),
});
export type JobRow = z.infer<typeof JobRow>;

export const ModelRow = z.object({
  id: int,
  model_id: text,
  version: text,
  weights_sha256: text,
  name: text,
  arch: text,
  demo: int,
  labels_json: text,
  thresholds_json: text,
});
export type ModelRow = z.infer<typeof ModelRow>;

export const KnownFileRow = z.object({
  id: int,
  size: int,
  mtime_ms: int,
  study_id: int.nullable(),
  skip_reason: text.nullable(),
});
export type KnownFileRow = z.infer<typeof KnownFileRow>;

export const PendingItemRow = z.object({ seq: int, study_id: int });
export const CandidateFileRow = z.object({ id: int, path: text });

/** A study joined with its result for one model (blobs left out: they are read one at a time). */
export const ReportRow = z.object({
  seq: int,
  study_id: int,
  format: z.enum(['dicom', 'png', 'jpeg']),
  sop_instance_uid: text.nullable(),
  study_instance_uid: text.nullable(),
  series_instance_uid: text.nullable(),
  patient_id: text.nullable(),
  study_date: text.nullable(),
  modality: text.nullable(),
  view_position: text.nullable(),
  copies: int,
  first_path: text.nullable(),
  result_id: int.nullable(),
  result_path: text.nullable(),
  ok: int.nullable(),
  probabilities_json: text.nullable(),
  flagged_json: text.nullable(),
  triage_score: z.number().nullable(),
  guard_suspect: int.nullable(),
  guard_reason: text.nullable(),
  error_code: text.nullable(),
  error_message: text.nullable(),
});
export type ReportRow = z.infer<typeof ReportRow>;

/** A file of a job that is not the one its study's report row shows: a copy of another file's image, or skipped. */
export const OtherFileRow = z.object({
  path: text,
  study_id: int.nullable(),
  skip_reason: text.nullable(),
  skip_code: text.nullable(),
  /** This copy was read and failed (another copy was then used, or the study failed on its last copy). */
  attempt_code: text.nullable(),
  attempt_message: text.nullable(),
  /** The file the study's report row shows. */
  shown_path: text.nullable(),
});
export type OtherFileRow = z.infer<typeof OtherFileRow>;

export const ResultImagesRow = z.object({
  cam: blob.nullable(),
  cam_height: int.nullable(),
  cam_width: int.nullable(),
  thumbnail: blob.nullable(),
  thumbnail_size: int.nullable(),
});
export type ResultImagesRow = z.infer<typeof ResultImagesRow>;

export function parseRow<T>(schema: z.ZodType<T>, row: unknown, what: string): T {
  const parsed = schema.safeParse(row);
  if (!parsed.success) {
    // The schema guarantees these shapes, so a row that breaks them was damaged on disk.
    throw new DenseRayError(
      'STORE_CORRUPT',
      `study store: unexpected ${what} row: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export function parseRows<T>(schema: z.ZodType<T>, rows: unknown[], what: string): T[] {
  return rows.map((row) => parseRow(schema, row, what));
}

/** A JSON column parsed with its schema. */
export function parseJsonColumn<T>(schema: z.ZodType<T>, value: string, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (cause) {
    throw new DenseRayError('STORE_CORRUPT', `study store: ${what} is not valid JSON (the file is damaged)`, { cause });
  }
  return parseRow(schema, raw, what);
}
