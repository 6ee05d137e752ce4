import type Database from 'better-sqlite3';
import { DenseRayError } from '../../shared/errors.ts';

/**
 * The study store's schema, as an append-only list: migration N takes the database from
 * user_version N-1 to N. Never edit a shipped migration; add the next one. Each runs in its own
 * transaction together with the user_version bump, so a crash mid-upgrade leaves the old version.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: files, studies (one per distinct image), models, jobs, job membership, results.
  `
  CREATE TABLE studies (
    id INTEGER PRIMARY KEY,
    -- A DICOM SOP Instance UID names one image wherever it is copied; PNG/JPEG have none.
    sop_instance_uid TEXT UNIQUE,
    study_instance_uid TEXT,
    series_instance_uid TEXT,
    patient_id TEXT,
    study_date TEXT,
    modality TEXT,
    view_position TEXT,
    format TEXT NOT NULL CHECK (format IN ('dicom', 'png', 'jpeg')),
    created_at INTEGER NOT NULL
  );

  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    content_sha256 TEXT,
    study_id INTEGER REFERENCES studies(id),
    -- Set when the file is not a study file (not DICOM/PNG/JPEG by content, unreadable).
    skip_reason TEXT,
    skip_code TEXT,
    imported_at INTEGER NOT NULL,
    CHECK ((study_id IS NULL) <> (skip_reason IS NULL))
  );
  CREATE INDEX files_by_hash ON files(content_sha256);
  CREATE INDEX files_by_study ON files(study_id);

  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    model_id TEXT NOT NULL,
    version TEXT NOT NULL,
    weights_sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    arch TEXT NOT NULL,
    demo INTEGER NOT NULL,
    labels_json TEXT NOT NULL,
    thresholds_json TEXT NOT NULL,
    UNIQUE (model_id, weights_sha256)
  );

  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    roots_json TEXT NOT NULL,
    -- Sorted absolute roots, so the same folders with the same model find the same job.
    roots_key TEXT NOT NULL,
    model_key INTEGER NOT NULL REFERENCES models(id),
    state TEXT NOT NULL CHECK (state IN ('queued', 'importing', 'running', 'paused', 'cancelled', 'done', 'failed')),
    -- A request from another process (the app pausing a CLI job): 'pause' | 'cancel' | NULL.
    control TEXT,
    cursor INTEGER NOT NULL DEFAULT 0,
    files_seen INTEGER NOT NULL DEFAULT 0,
    files_skipped INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    studies INTEGER NOT NULL DEFAULT 0,
    finished INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT,
    runner_pid INTEGER,
    -- Set once the walk of the roots completed; until then a resumed job walks again.
    imported_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX jobs_by_roots ON jobs(roots_key, model_key);

  CREATE TABLE job_files (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES files(id),
    PRIMARY KEY (job_id, file_id)
  ) WITHOUT ROWID;

  -- The job's worklist: one item per distinct study, in walk order (seq).
  CREATE TABLE job_items (
    seq INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    UNIQUE (job_id, study_id)
  );
  CREATE INDEX job_items_by_job ON job_items(job_id, seq);

  -- A copy of a study that failed in a way another copy may not (truncated, corrupt): the next
  -- attempt uses another file. The final outcome is the result row.
  CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    model_key INTEGER NOT NULL REFERENCES models(id),
    file_id INTEGER NOT NULL REFERENCES files(id),
    error_code TEXT NOT NULL,
    error_message TEXT NOT NULL,
    UNIQUE (study_id, model_key, file_id)
  );

  -- One outcome per study and model: results of different models sit side by side.
  CREATE TABLE results (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    model_key INTEGER NOT NULL REFERENCES models(id),
    job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    file_id INTEGER NOT NULL REFERENCES files(id),
    ok INTEGER NOT NULL,
    probabilities_json TEXT,
    flagged_json TEXT,
    triage_score REAL,
    guard_score REAL,
    guard_suspect INTEGER,
    guard_reason TEXT,
    -- K×h×w class activation maps as little-endian float16 (see float16.ts), label order.
    cam BLOB,
    cam_height INTEGER,
    cam_width INTEGER,
    -- What the network saw, 8-bit gray, zlib-deflated (see thumbnail.ts).
    thumbnail BLOB,
    thumbnail_size INTEGER,
    decode_ms REAL,
    preprocess_ms REAL,
    infer_ms REAL,
    cam_ms REAL,
    error_code TEXT,
    error_message TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (study_id, model_key),
    CHECK ((ok = 1 AND probabilities_json IS NOT NULL) OR (ok = 0 AND error_code IS NOT NULL))
  );
  `,
  // 2: the DICOM node: instances received (C-STORE) or retrieved (WADO-RS), one per SOP Instance UID;
  // every transfer in or out, with its outcome; results waiting to be sent, kept until delivered.
  `
  CREATE TABLE dicom_instances (
    id INTEGER PRIMARY KEY,
    sop_instance_uid TEXT NOT NULL UNIQUE,
    sop_class_uid TEXT NOT NULL,
    study_instance_uid TEXT,
    series_instance_uid TEXT,
    modality TEXT,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_sha256 TEXT NOT NULL,
    -- Who sent it: 'CALLING_AE@address' (C-STORE) or the DICOMweb root it was retrieved from.
    origin TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    -- received: stored, waiting for triage; triaged; refused (not a chest X-ray: stored, not scored); failed (unreadable).
    state TEXT NOT NULL CHECK (state IN ('received', 'triaged', 'refused', 'failed')),
    error_code TEXT,
    error_message TEXT,
    model_id TEXT,
    weights_sha256 TEXT,
    probabilities_json TEXT,
    flagged_json TEXT,
    triage_score REAL,
    guard_suspect INTEGER,
    guard_reason TEXT,
    finished_at INTEGER,
    CHECK (state != 'triaged' OR probabilities_json IS NOT NULL),
    CHECK (state NOT IN ('refused', 'failed') OR error_code IS NOT NULL)
  );
  CREATE INDEX dicom_instances_by_state ON dicom_instances(state);

  CREATE TABLE dicom_transfers (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('receive', 'send', 'retrieve', 'association')),
    peer TEXT NOT NULL,
    -- image (received or retrieved), sr, sc, echo, association
    what TEXT NOT NULL,
    sop_instance_uid TEXT,
    study_instance_uid TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'duplicate', 'refused', 'failed', 'retrying')),
    code TEXT,
    message TEXT
  );
  CREATE INDEX dicom_transfers_by_time ON dicom_transfers(at);

  CREATE TABLE dicom_outbox (
    id INTEGER PRIMARY KEY,
    -- 'dimse:AE@host:port' or 'stow:<DICOMweb root>'
    destination TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sr', 'sc')),
    sop_instance_uid TEXT NOT NULL,
    sop_class_uid TEXT NOT NULL,
    study_instance_uid TEXT NOT NULL,
    source_sop_instance_uid TEXT NOT NULL,
    -- Sent first, so a reader's worklist gets the report before its heatmaps.
    priority INTEGER NOT NULL,
    path TEXT NOT NULL,
    -- preparing: committed with its report, its file not written yet (never sent in that state);
    -- pending: waiting to go (retried with back-off); sent: the peer confirmed it; failed: the peer refused it.
    state TEXT NOT NULL CHECK (state IN ('preparing', 'pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- A sender (process id) holds the item until lease_until, so two processes never send it at once.
    lease_owner INTEGER,
    lease_until INTEGER,
    last_code TEXT,
    last_message TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    UNIQUE (destination, sop_instance_uid)
  );
  CREATE INDEX dicom_outbox_due ON dicom_outbox(state, next_attempt_at);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; refuses a database written by a newer DenseRay. */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true });
  if (typeof current !== 'number') throw new DenseRayError('INTERNAL', 'study store: cannot read the schema version');
  if (current > migrations.length) {
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      `the study store is schema version ${current}, newer than this DenseRay (${migrations.length}); update DenseRay`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      // Another process may have upgraded since we looked: re-read under the write lock.
      if (Number(db.pragma('user_version', { simple: true })) > v) return;
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
  return migrations.length;
}
