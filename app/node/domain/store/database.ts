import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DenseRayError } from '../../shared/errors.ts';
import { migrate } from './migrations.ts';

export const STUDY_DB_FILE = 'studies.sqlite';

/**
 * Opens (creating and migrating) the study store in the data folder. WAL lets the app read while a
 * batch writes; synchronous=NORMAL keeps every committed transaction across a process crash or
 * SIGKILL (only a power cut can lose the last commits, and then their job cursor goes with them).
 */
export function openStudyDatabase(dataDir: string | ':memory:'): Database.Database {
  let db: Database.Database;
  try {
    if (dataDir === ':memory:') db = new Database(':memory:');
    else {
      mkdirSync(dataDir, { recursive: true });
      db = new Database(join(dataDir, STUDY_DB_FILE));
    }
  } catch (cause) {
    throw new DenseRayError('FILE_UNREADABLE', `cannot open the study store in ${dataDir}: ${(cause as Error).message}`, { cause });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // The app and a CLI batch may share the store; wait for the other writer instead of failing.
  db.pragma('busy_timeout = 10000');
  migrate(db);
  return db;
}
