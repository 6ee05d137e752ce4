import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DenseRayError, lowLevelFailure } from '../../shared/errors.ts';
import { migrate } from './migrations.ts';
import { storeFailure } from './store-errors.ts';

export const STUDY_DB_FILE = 'studies.sqlite';

/**
 * Opens (creating and migrating) the study store in the data folder. WAL lets the app read while a
 * batch writes; synchronous=NORMAL keeps every committed transaction across a process crash or
 * SIGKILL (only a power cut can lose the last commits, and then their job cursor goes with them).
 * A damaged file answers STORE_CORRUPT and a full disk DISK_FULL, each naming the file.
 */
export function openStudyDatabase(dataDir: string | ':memory:'): Database.Database {
  const file = dataDir === ':memory:' ? ':memory:' : join(dataDir, STUDY_DB_FILE);
  let db: Database.Database;
  try {
    if (dataDir !== ':memory:') mkdirSync(dataDir, { recursive: true });
    db = new Database(file);
  } catch (cause) {
    if (lowLevelFailure(cause)) throw storeFailure(file, cause);
    throw new DenseRayError('FILE_UNREADABLE', `cannot open the study store in ${dataDir}: ${(cause as Error).message}`, { cause });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // The app and a CLI batch may share the store; wait for the other writer instead of failing.
    db.pragma('busy_timeout = 10000');
    migrate(db);
  } catch (error) {
    db.close();
    throw storeFailure(file, error);
  }
  return db;
}
