// Study store: versioned migrations, dedupe by SOP Instance UID / content hash, and the ledger's
// transaction + cursor logic (out-of-order commits, retries with another copy, exactly once).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { rankRows } from '../../app/node/domain/batch/ranking.ts';
import { decodeThumbnail, encodeThumbnail } from '../../app/node/domain/batch/thumbnail.ts';
import { decodeFloat16, encodeFloat16, floatToHalfBits, halfBitsToFloat } from '../../app/node/shared/float16.ts';
import type { CatalogEntry, StudyFile } from '../../app/node/domain/store/file-catalog.ts';
import type { JobModelInfo } from '../../app/node/domain/store/job-records.ts';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../app/node/domain/store/migrations.ts';
import type { StudyOutcome, WorkItem } from '../../app/node/domain/store/result-ledger.ts';
import { StudyStore } from '../../app/node/domain/store/study-store.ts';

const MODEL: JobModelInfo = {
  id: 'm',
  name: 'm',
  version: '1',
  arch: 'densenet121',
  sha256: 'a'.repeat(64),
  demo: true,
  labels: ['A', 'B'],
  thresholds: { A: 0.5, B: 0.5 },
};

function studyFile(path: string, sha: string, sop?: string): StudyFile {
  return {
    kind: 'study',
    path,
    size: 10,
    mtimeMs: 1000,
    sha256: sha,
    format: sop ? 'dicom' : 'png',
    identity: sop ? { sopInstanceUid: sop, patientId: 'P' } : {},
  };
}

const ok = (a: number): StudyOutcome => ({
  ok: true,
  probabilities: { A: a, B: 0.1 },
  flagged: a >= 0.5 ? ['A'] : [],
  triageScore: a - 0.5,
  guard: { score: 0, suspect: false, reason: null },
  cam: null,
  thumbnail: null,
  timingsMs: { decode: 1, preprocess: 1, infer: 1, cam: 0 },
});
const broken = (copySpecific: boolean): StudyOutcome => ({
  ok: false,
  code: copySpecific ? 'DICOM_TRUNCATED' : 'MODALITY_NOT_SUPPORTED',
  message: 'x',
  copySpecific,
});

function setup(files: CatalogEntry[]) {
  const store = StudyStore.open(':memory:');
  const modelKey = store.jobs.modelKey(MODEL);
  const job = store.jobs.create(['/in'], modelKey);
  store.files.record(job.id, modelKey, files);
  return { store, modelKey, jobId: job.id };
}

describe('migrations', () => {
  it('creates the schema at the current version, and migrating again changes nothing', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['attempts', 'files', 'job_files', 'job_items', 'jobs', 'models', 'results', 'studies']));
  });

  it('applies only the migrations after the stored version, each with its version bump', () => {
    const db = new Database(':memory:');
    migrate(db);
    const next = [...MIGRATIONS, 'ALTER TABLE studies ADD COLUMN accession_number TEXT'];
    expect(migrate(db, next)).toBe(SCHEMA_VERSION + 1);
    expect(db.prepare('SELECT accession_number FROM studies').all()).toEqual([]);
    // A failing migration rolls back with its version bump.
    const failing = [...next, 'CREATE TABLE t (x); THIS IS NOT SQL'];
    expect(() => migrate(db, failing)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 't'").pluck().get()).toBe(0);
  });

  it('refuses a store written by a newer DenseRay', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    expect(() => migrate(db)).toThrow(/newer than this DenseRay/);
  });

  it('opens a store on disk in WAL mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'denseray-store-'));
    const store = StudyStore.open(dir);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
  });
});

describe('import and dedupe', () => {
  it('one study per SOP Instance UID and per content hash; counts duplicates and skips', () => {
    const { store, jobId } = setup([
      studyFile('/in/a.dcm', 'h1', '1.2.3'),
      studyFile('/in/b.dcm', 'h2', '1.2.3'), // same image, other transfer syntax
      studyFile('/in/c.png', 'h3'),
      studyFile('/in/copy/c.png', 'h3'), // same bytes
      studyFile('/in/d.png', 'h4'),
      { kind: 'skipped', path: '/in/readme.txt', size: 5, mtimeMs: 1, reason: 'not DICOM, PNG or JPEG', code: 'IMAGE_UNSUPPORTED_FORMAT' },
    ]);
    const summary = store.jobs.summary(store.jobs.get(jobId));
    expect(summary.counts).toEqual({ filesSeen: 6, filesSkipped: 1, duplicates: 2, studies: 3, finished: 0, failed: 0 });
    expect(summary.skipReasons).toEqual({ 'not DICOM, PNG or JPEG': 1 });
    expect(store.db.prepare('SELECT count(*) FROM studies').pluck().get()).toBe(3);
  });

  it('recording the same files again (a re-walk after a crash) changes nothing', () => {
    const files = [studyFile('/in/a.png', 'h1'), studyFile('/in/b.png', 'h2')];
    const { store, jobId, modelKey } = setup(files);
    const before = store.jobs.summary(store.jobs.get(jobId)).counts;
    store.files.record(jobId, modelKey, files);
    const known = store.files.unchanged('/in/a.png', 10, 1000);
    expect(known).toBeDefined();
    store.files.record(jobId, modelKey, [{ kind: 'known', fileId: known!.id }]);
    expect(store.jobs.summary(store.jobs.get(jobId)).counts).toEqual(before);
    expect(store.files.unchanged('/in/a.png', 11, 1000)).toBeUndefined();
  });
});

describe('result ledger', () => {
  it('commits out of order; the cursor stops before the first unfinished item; each study stored once', () => {
    const { store, jobId, modelKey } = setup([1, 2, 3, 4].map((i) => studyFile(`/in/${i}.png`, `h${i}`)));
    const work = store.results.pending(jobId, modelKey, 0, 10);
    expect(work.map((w) => w.path)).toEqual(['/in/1.png', '/in/2.png', '/in/3.png', '/in/4.png']);
    const [w1, w2, w3, w4] = work as [WorkItem, WorkItem, WorkItem, WorkItem];
    expect(store.results.commit(jobId, modelKey, w2, ok(0.7))).toBe('stored');
    expect(store.jobs.get(jobId).cursor).toBe(0);
    expect(store.results.commit(jobId, modelKey, w1, broken(false))).toBe('stored');
    expect(store.jobs.get(jobId).cursor).toBe(w2.seq);
    expect(store.results.commit(jobId, modelKey, w1, ok(0.9))).toBe('already-stored');
    expect(store.results.commit(jobId, modelKey, w4, ok(0.2))).toBe('stored');
    expect(store.jobs.get(jobId).cursor).toBe(w2.seq);
    // What a resumed run would pick up: only item 3.
    expect(store.results.pending(jobId, modelKey, store.jobs.get(jobId).cursor, 10).map((w) => w.path)).toEqual(['/in/3.png']);
    store.results.commit(jobId, modelKey, w3, ok(0.6));
    const job = store.jobs.get(jobId);
    expect([job.cursor, job.finished, job.failed]).toEqual([w4.seq, 4, 1]);
    expect(store.db.prepare('SELECT count(*) FROM results').pluck().get()).toBe(4);
  });

  it('a copy-specific failure tries the next copy of the image; the last copy decides', () => {
    const { store, jobId, modelKey } = setup([
      studyFile('/in/bad.dcm', 'h1', '9.9'),
      studyFile('/in/good.dcm', 'h2', '9.9'),
      studyFile('/in/ct.dcm', 'h3', '8.8'),
    ]);
    const [first, ct] = store.results.pending(jobId, modelKey, 0, 10) as [WorkItem, WorkItem];
    expect(first.path).toBe('/in/bad.dcm');
    expect(store.results.commit(jobId, modelKey, first, broken(true))).toBe('retry-another-copy');
    expect(store.results.commit(jobId, modelKey, ct, broken(false))).toBe('stored'); // not a copy problem: final at once
    const [second] = store.results.pending(jobId, modelKey, 0, 10) as [WorkItem];
    expect(second).toMatchObject({ path: '/in/good.dcm', studyId: first.studyId });
    expect(store.results.commit(jobId, modelKey, second, broken(true))).toBe('stored'); // no copy left: the study failed
    expect(store.results.pending(jobId, modelKey, 0, 10)).toEqual([]);
    expect(store.jobs.get(jobId)).toMatchObject({ finished: 2, failed: 2 });
  });

  it('another model gets its own results beside the first', () => {
    const { store, jobId, modelKey } = setup([studyFile('/in/1.png', 'h1')]);
    const [w] = store.results.pending(jobId, modelKey, 0, 10) as [WorkItem];
    store.results.commit(jobId, modelKey, w, ok(0.7));
    const other = store.jobs.modelKey({ ...MODEL, sha256: 'b'.repeat(64) });
    const job2 = store.jobs.create(['/in'], other);
    store.files.record(job2.id, other, [{ kind: 'known', fileId: store.files.unchanged('/in/1.png', 10, 1000)!.id }]);
    expect(store.results.pending(job2.id, other, 0, 10)).toHaveLength(1);
    // The same model over the same image in a new job: already finished there.
    const job3 = store.jobs.create(['/elsewhere'], modelKey);
    store.files.record(job3.id, modelKey, [{ kind: 'known', fileId: store.files.unchanged('/in/1.png', 10, 1000)!.id }]);
    expect(store.results.pending(job3.id, modelKey, 0, 10)).toEqual([]);
    expect(store.jobs.get(job3.id)).toMatchObject({ studies: 1, finished: 1 });
  });
});

describe('float16 CAM blobs', () => {
  it('round-trips to half precision with round-to-nearest-even', () => {
    expect(floatToHalfBits(1)).toBe(0x3c00);
    expect(floatToHalfBits(-2)).toBe(0xc000);
    expect(floatToHalfBits(65504)).toBe(0x7bff);
    expect(floatToHalfBits(1e6)).toBe(0x7c00);
    expect(floatToHalfBits(2 ** -24)).toBe(1);
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(halfBitsToFloat(floatToHalfBits(NaN)))).toBe(true);
    const values = Float32Array.from({ length: 14 * 49 }, (_, i) => Math.sin(i) * 12.5);
    const back = decodeFloat16(encodeFloat16(values));
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 1e-7));
  });
});

describe('thumbnails', () => {
  it('keep what the network saw to 8 bits, losslessly after quantisation', () => {
    const data = Float32Array.from({ length: 32 * 32 }, (_, i) => ((i * 37) % 256) / 255 + (i % 3 === 0 ? 0.001 : 0));
    data[0] = -0.2;
    data[1] = 1.4;
    const back = decodeThumbnail(encodeThumbnail({ width: 32, height: 32, data }), 32);
    expect(back.width).toBe(32);
    back.data.forEach((v, i) => expect(v).toBe(Math.fround(Math.round(Math.min(1, Math.max(0, data[i]!)) * 255) / 255)));
    expect(() => decodeThumbnail(encodeThumbnail({ width: 32, height: 32, data }), 31)).toThrow(/expected 31/);
  });
});

describe('ranking', () => {
  const row = (studyId: number, status: 'ok' | 'error' | 'pending', triage: number | null, probs: Record<string, number> | null) => ({
    studyId,
    file: `${studyId}`,
    copies: 1,
    format: 'png' as const,
    patientId: null,
    studyInstanceUid: null,
    seriesInstanceUid: null,
    sopInstanceUid: null,
    studyDate: null,
    modality: null,
    viewPosition: null,
    status,
    triageScore: triage,
    probabilities: probs,
    flagged: [],
    inputSuspect: false,
    inputSuspectReason: null,
    error: null,
  });
  const suspect = { ...row(6, 'ok', 0.99, { A: 0.99, B: 0.99 }), inputSuspect: true };
  const rows = [
    row(1, 'ok', 0.1, { A: 0.9, B: 0.2 }),
    row(2, 'error', null, null),
    suspect,
    row(3, 'ok', 0.4, { A: 0.3, B: 0.8 }),
    row(4, 'ok', 0.4, { A: 0.5, B: 0.1 }),
    row(5, 'pending', null, null),
  ];
  it('triage score first, ties in walk order; then input-suspect films, errors, pending', () => {
    expect(rankRows(rows, 'triage').map((r) => [r.rank, r.studyId])).toEqual([
      [1, 3],
      [2, 4],
      [3, 1],
      [4, 6],
      [5, 2],
      [6, 5],
    ]);
  });
  it('by one finding or by the highest probability', () => {
    expect(rankRows(rows, 'finding:B').map((r) => r.studyId)).toEqual([3, 1, 4, 6, 2, 5]);
    expect(rankRows(rows, 'max-probability').map((r) => r.studyId)).toEqual([1, 3, 4, 6, 2, 5]);
    expect(() => rankRows(rows, 'finding:Z')).toThrow(/no such finding/);
  });
});
