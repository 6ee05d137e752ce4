import type Database from 'better-sqlite3';
import { OtherFileRow, parseRow, parseRows, ReportRow, ResultImagesRow } from './rows.ts';

/** Reads what reports need, without the model: study identity, outcome, and (one at a time) images. */
export class ReportQuery {
  constructor(private readonly db: Database.Database) {}

  /** Every study of the job with its outcome for the model (null columns while pending), in walk order. */
  rows(jobId: number, modelKey: number): ReportRow[] {
    const rows = this.db
      .prepare(
        `SELECT i.seq, s.id AS study_id, s.format, s.sop_instance_uid, s.study_instance_uid, s.series_instance_uid, s.patient_id, s.study_date,
           s.modality, s.view_position,
           (SELECT count(*) FROM files f WHERE f.study_id = s.id) AS copies,
           (SELECT f.path FROM job_files j JOIN files f ON f.id = j.file_id WHERE j.job_id = i.job_id AND f.study_id = s.id ORDER BY f.id LIMIT 1) AS first_path,
           r.id AS result_id, rf.path AS result_path, r.ok, r.probabilities_json, r.flagged_json, r.triage_score, r.guard_suspect, r.guard_reason,
           r.error_code, r.error_message
         FROM job_items i
         JOIN studies s ON s.id = i.study_id
         LEFT JOIN results r ON r.study_id = i.study_id AND r.model_key = @model
         LEFT JOIN files rf ON rf.id = r.file_id
         WHERE i.job_id = @job
         ORDER BY i.seq`,
      )
      .all({ job: jobId, model: modelKey });
    return parseRows(ReportRow, rows, 'report');
  }

  /**
   * Every file of the job that its study's row does not show, in path order: skipped files (with
   * the reason), and copies of an image another file holds (with the error, when this copy was
   * read and failed). With rows(), each file of the job is accounted for exactly once.
   */
  otherFiles(jobId: number, modelKey: number): OtherFileRow[] {
    const rows = this.db
      .prepare(
        `WITH shown AS (
           SELECT i.study_id,
             coalesce((SELECT r.file_id FROM results r WHERE r.study_id = i.study_id AND r.model_key = @model),
                      (SELECT min(f.id) FROM job_files j JOIN files f ON f.id = j.file_id WHERE j.job_id = @job AND f.study_id = i.study_id)) AS file_id
           FROM job_items i WHERE i.job_id = @job)
         SELECT f.path, f.study_id, f.skip_reason, f.skip_code, a.error_code AS attempt_code, a.error_message AS attempt_message,
           sf.path AS shown_path
         FROM job_files j
         JOIN files f ON f.id = j.file_id
         LEFT JOIN shown s ON s.study_id = f.study_id
         LEFT JOIN files sf ON sf.id = s.file_id
         LEFT JOIN attempts a ON a.study_id = f.study_id AND a.model_key = @model AND a.file_id = f.id
         WHERE j.job_id = @job AND (f.study_id IS NULL OR s.file_id IS NULL OR s.file_id != f.id)
         ORDER BY f.path`,
      )
      .all({ job: jobId, model: modelKey });
    return parseRows(OtherFileRow, rows, 'job file');
  }

  images(resultId: number): ResultImagesRow {
    return parseRow(
      ResultImagesRow,
      this.db.prepare('SELECT cam, cam_height, cam_width, thumbnail, thumbnail_size FROM results WHERE id = ?').get(resultId),
      'result images',
    );
  }
}
