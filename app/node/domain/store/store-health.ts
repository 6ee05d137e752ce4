import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DenseRayError, lowLevelFailure } from '../../shared/errors.ts';
import { STUDY_DB_FILE } from './database.ts';
import { storeCorrupt } from './store-errors.ts';

/** SQLite keeps a WAL store in up to three files; all three move together. */
const COMPANIONS = ['', '-wal', '-shm'];
/** Problems quick_check lists before we stop asking: enough to say what is wrong, bounded on a wrecked file. */
const MAX_PROBLEMS = 20;

export interface StoreHealth {
  file: string;
  exists: boolean;
  ok: boolean;
  /** `quick_check` (fast, every page and index structure) or `integrity_check` (also index contents). */
  check: 'quick_check' | 'integrity_check';
  /** SQLite's own words for each problem found (at most 20); empty when ok. */
  problems: string[];
}

export function studyStoreFile(dataDir: string): string {
  return join(dataDir, STUDY_DB_FILE);
}

/**
 * Runs SQLite's own consistency check over the study store, read-only (nothing is changed, no
 * WAL is created). A file that is not a database at all is reported as a problem, not thrown.
 */
export function checkStudyStore(dataDir: string, options: { full?: boolean } = {}): StoreHealth {
  const file = studyStoreFile(dataDir);
  const check = options.full ? 'integrity_check' : 'quick_check';
  if (!existsSync(file)) return { file, exists: false, ok: true, check, problems: [] };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma(`${check}(${MAX_PROBLEMS})`, { simple: false }) as Record<string, unknown>[];
    const problems = rows.map((row) => String(Object.values(row)[0])).filter((line) => line !== 'ok');
    return { file, exists: true, ok: problems.length === 0, check, problems };
  } catch (error) {
    const low = lowLevelFailure(error);
    if (low?.code === 'STORE_CORRUPT') return { file, exists: true, ok: false, check, problems: [(error as Error).message] };
    throw new DenseRayError(low?.code ?? 'FILE_UNREADABLE', `cannot check the study store ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    db?.close();
  }
}

/** Throws STORE_CORRUPT naming the file when the store fails its quick check. */
export function assertStudyStoreHealthy(dataDir: string): void {
  const health = checkStudyStore(dataDir);
  if (!health.ok) throw storeCorrupt(health.file, health.problems[0] ?? 'quick_check failed');
}

export interface RebuiltStore {
  file: string;
  /** Where the damaged files now are (kept: they are the user's data). */
  setAside: string[];
}

/**
 * Sets the store's files aside under a dated name (never deletes them) so that the next open
 * creates a fresh, empty store. Results are recomputed by running the batch again; the images
 * themselves never lived in the store.
 */
export function setStudyStoreAside(dataDir: string, now = new Date()): RebuiltStore {
  const file = studyStoreFile(dataDir);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const setAside: string[] = [];
  for (const suffix of COMPANIONS) {
    const from = `${file}${suffix}`;
    if (!existsSync(from)) continue;
    const to = `${file}.damaged-${stamp}${suffix}`;
    renameSync(from, to);
    setAside.push(to);
  }
  return { file, setAside };
}
