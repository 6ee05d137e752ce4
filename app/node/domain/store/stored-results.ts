import type Database from 'better-sqlite3';
import { z } from 'zod';
import { parseRow, parseRows } from './rows.ts';

/** How the store knows one image wherever it was copied: its bytes, or its SOP Instance UID. */
export interface ImageIdentity {
  sha256: string;
  sopInstanceUid?: string | undefined;
}

/** A model as the store keys results: id and weights (a fine-tuned version has other weights). */
export interface ModelKey {
  modelId: string;
  weightsSha256: string;
}

const int = z.number().int();
const StoredResultRow = z.object({
  result_id: int,
  job_id: int.nullable(),
  created_at: int,
  probabilities_json: z.string(),
  flagged_json: z.string(),
  triage_score: z.number(),
  guard_score: z.number(),
  guard_suspect: int,
  guard_reason: z.string().nullable(),
  cam: z.instanceof(Uint8Array).nullable(),
  cam_height: int.nullable(),
  cam_width: int.nullable(),
  thumbnail: z.instanceof(Uint8Array).nullable(),
  thumbnail_size: int.nullable(),
  decode_ms: z.number().nullable(),
  preprocess_ms: z.number().nullable(),
  infer_ms: z.number().nullable(),
  cam_ms: z.number().nullable(),
});
export type StoredResultRow = z.infer<typeof StoredResultRow>;

const StoredStudyRow = z.object({ study_id: int, study_date: z.string().nullable(), path: z.string() });
export type StoredStudyRow = z.infer<typeof StoredStudyRow>;

/**
 * What batch jobs already know, for the app: a successful result for an image and model (so the
 * worklist reads it instead of scoring again), and the files of a patient's other studies (priors).
 */
export class StoredResults {
  private readonly studyByHash;
  private readonly studyBySop;
  private readonly result;
  private readonly patientFiles;

  constructor(db: Database.Database) {
    this.studyByHash = db.prepare('SELECT study_id FROM files WHERE content_sha256 = ? AND study_id IS NOT NULL LIMIT 1').pluck();
    this.studyBySop = db.prepare('SELECT id FROM studies WHERE sop_instance_uid = ?').pluck();
    this.result = db.prepare(`SELECT r.id AS result_id, r.job_id, r.created_at, r.probabilities_json, r.flagged_json, r.triage_score,
        r.guard_score, r.guard_suspect, r.guard_reason, r.cam, r.cam_height, r.cam_width, r.thumbnail, r.thumbnail_size,
        r.decode_ms, r.preprocess_ms, r.infer_ms, r.cam_ms
      FROM results r JOIN models m ON m.id = r.model_key
      WHERE r.study_id = @study AND r.ok = 1 AND m.model_id = @model AND m.weights_sha256 = @weights`);
    // Every file of every study of the patient, oldest import first (the first that still exists is used).
    this.patientFiles = db.prepare(`SELECT s.id AS study_id, s.study_date, f.path
      FROM studies s JOIN files f ON f.study_id = s.id
      WHERE s.patient_id = ? ORDER BY s.study_date DESC, f.id`);
  }

  /**
   * The successful result this model stored for this image, if any. The same bytes come first; a
   * SOP Instance UID match covers a copy whose file differs (re-encoded, other transfer syntax),
   * as batch jobs themselves treat it as the same image.
   */
  find(image: ImageIdentity, model: ModelKey): StoredResultRow | undefined {
    const byHash = this.studyByHash.get(image.sha256);
    const bySop = image.sopInstanceUid ? this.studyBySop.get(image.sopInstanceUid) : undefined;
    for (const study of [byHash, bySop]) {
      if (typeof study !== 'number') continue;
      const row = this.result.get({ study, model: model.modelId, weights: model.weightsSha256 });
      if (row !== undefined) return parseRow(StoredResultRow, row, 'stored result');
    }
    return undefined;
  }

  /** Files of the patient's studies the store knows, newest study first. */
  filesOfPatient(patientId: string): StoredStudyRow[] {
    return parseRows(StoredStudyRow, this.patientFiles.all(patientId), 'patient study');
  }
}
