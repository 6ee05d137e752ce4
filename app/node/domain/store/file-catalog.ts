import type Database from 'better-sqlite3';
import type { ErrorCode } from '../../../common/errors.ts';
import { KnownFileRow, parseRow } from './rows.ts';

export interface DicomIdentity {
  sopInstanceUid?: string | undefined;
  studyInstanceUid?: string | undefined;
  seriesInstanceUid?: string | undefined;
  patientId?: string | undefined;
  studyDate?: string | undefined;
  modality?: string | undefined;
  viewPosition?: string | undefined;
}

/** A file whose content is DICOM, PNG or JPEG. */
export interface StudyFile {
  kind: 'study';
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  format: 'dicom' | 'png' | 'jpeg';
  identity: DicomIdentity;
}

/** A file the walk found that is not a study file; `reason` is counted per job. */
export interface SkippedFile {
  kind: 'skipped';
  path: string;
  size: number;
  mtimeMs: number;
  reason: string;
  code: ErrorCode | null;
}

/** A file already in the store with the same size and mtime: not read again. */
export interface KnownFile {
  kind: 'known';
  fileId: number;
}

export type CatalogEntry = StudyFile | SkippedFile | KnownFile;

/**
 * Files and the studies they hold. The same image found twice — same SOP Instance UID, or the
 * same bytes — is one study, so each is classified once however many copies a disk holds.
 */
export class FileCatalog {
  private readonly byPath;
  private readonly studyBySop;
  private readonly studyByHash;
  private readonly insertStudy;
  private readonly upsertFile;
  private readonly fileStudy;
  private readonly linkJobFile;
  private readonly addItem;
  private readonly resultOf;
  private readonly bumpCounts;

  constructor(private readonly db: Database.Database) {
    this.byPath = db.prepare('SELECT id, size, mtime_ms, study_id, skip_reason FROM files WHERE path = ?');
    this.studyBySop = db.prepare('SELECT id FROM studies WHERE sop_instance_uid = ?').pluck();
    this.studyByHash = db.prepare('SELECT study_id FROM files WHERE content_sha256 = ? AND study_id IS NOT NULL LIMIT 1').pluck();
    this.insertStudy =
      db.prepare(`INSERT INTO studies (sop_instance_uid, study_instance_uid, series_instance_uid, patient_id, study_date, modality, view_position, format, created_at)
      VALUES (@sop, @study, @series, @patient, @date, @modality, @view, @format, @now)`);
    this.upsertFile = db
      .prepare(`INSERT INTO files (path, size, mtime_ms, content_sha256, study_id, skip_reason, skip_code, imported_at)
      VALUES (@path, @size, @mtime, @sha, @study, @reason, @code, @now)
      ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, content_sha256 = excluded.content_sha256,
        study_id = excluded.study_id, skip_reason = excluded.skip_reason, skip_code = excluded.skip_code, imported_at = excluded.imported_at
      RETURNING id`)
      .pluck();
    this.fileStudy = db.prepare('SELECT study_id FROM files WHERE id = ?').pluck();
    this.linkJobFile = db.prepare('INSERT OR IGNORE INTO job_files (job_id, file_id) VALUES (?, ?)');
    this.addItem = db.prepare('INSERT OR IGNORE INTO job_items (job_id, study_id) VALUES (?, ?)');
    this.resultOf = db.prepare('SELECT ok FROM results WHERE study_id = ? AND model_key = ?').pluck();
    this.bumpCounts =
      db.prepare(`UPDATE jobs SET files_seen = files_seen + @seen, files_skipped = files_skipped + @skipped, duplicates = duplicates + @duplicates,
      studies = studies + @studies, finished = finished + @finished, failed = failed + @failed, updated_at = @now WHERE id = @job`);
  }

  /** The stored file at `path` when its size and mtime are unchanged (then it need not be read). */
  unchanged(path: string, size: number, mtimeMs: number): KnownFileRow | undefined {
    const row = this.byPath.get(path);
    if (row === undefined) return undefined;
    const known = parseRow(KnownFileRow, row, 'file');
    return known.size === size && known.mtime_ms === Math.trunc(mtimeMs) ? known : undefined;
  }

  /**
   * Records a slice of the walk for a job in one transaction: files, their studies, the job's
   * worklist and counts. Re-recording a file the job already has changes nothing, so an import
   * killed half-way simply walks again.
   */
  record(jobId: number, modelKey: number, entries: CatalogEntry[]): void {
    this.db
      .transaction(() => {
        const now = Date.now();
        const delta = { seen: 0, skipped: 0, duplicates: 0, studies: 0, finished: 0, failed: 0 };
        for (const entry of entries) {
          const fileId = entry.kind === 'known' ? entry.fileId : this.storeFile(entry, now);
          const newToJob = this.linkJobFile.run(jobId, fileId).changes > 0;
          if (newToJob) delta.seen++;
          const studyId = this.fileStudy.get(fileId);
          if (typeof studyId !== 'number') {
            if (newToJob) delta.skipped++;
            continue;
          }
          // Checked even for a file the job had: its content may have changed to another image.
          if (this.addItem.run(jobId, studyId).changes === 0) {
            if (newToJob) delta.duplicates++;
            continue;
          }
          delta.studies++;
          // A study this model already classified (in another job) is finished here too.
          const ok = this.resultOf.get(studyId, modelKey);
          if (ok !== undefined) {
            delta.finished++;
            if (ok === 0) delta.failed++;
          }
        }
        this.bumpCounts.run({ ...delta, now, job: jobId });
      })
      .immediate();
  }

  private storeFile(entry: StudyFile | SkippedFile, now: number): number {
    const base = { path: entry.path, size: entry.size, mtime: Math.trunc(entry.mtimeMs), now };
    if (entry.kind === 'skipped')
      return Number(this.upsertFile.get({ ...base, sha: null, study: null, reason: entry.reason, code: entry.code }));
    return Number(this.upsertFile.get({ ...base, sha: entry.sha256, study: this.studyFor(entry, now), reason: null, code: null }));
  }

  private studyFor(file: StudyFile, now: number): number {
    const sop = file.identity.sopInstanceUid;
    const bySop = sop ? this.studyBySop.get(sop) : undefined;
    if (typeof bySop === 'number') return bySop;
    const byHash = this.studyByHash.get(file.sha256);
    if (typeof byHash === 'number') return byHash;
    const id = file.identity;
    const info = this.insertStudy.run({
      sop: sop ?? null,
      study: id.studyInstanceUid ?? null,
      series: id.seriesInstanceUid ?? null,
      patient: id.patientId ?? null,
      date: id.studyDate ?? null,
      modality: id.modality ?? null,
      view: id.viewPosition ?? null,
      format: file.format,
      now,
    });
    return Number(info.lastInsertRowid);
  }
}
