import type Database from 'better-sqlite3';
import { openStudyDatabase } from './database.ts';
import { FileCatalog } from './file-catalog.ts';
import { JobRecords } from './job-records.ts';
import { ReportQuery } from './report-query.ts';
import { ResultLedger } from './result-ledger.ts';
import { assertStudyStoreHealthy } from './store-health.ts';
import { StoredResults } from './stored-results.ts';

export interface OpenStoreOptions {
  /**
   * Run SQLite's quick_check first and refuse a damaged store with STORE_CORRUPT. For commands that
   * show what the store holds (`jobs`, `report`): a page of garbage can leave the job rows readable
   * while results are lost, and a job must never read as done from rows that cannot be read.
   */
  verify?: boolean;
}

/** The study store in the data folder: files and studies, jobs, results, report queries. */
export class StudyStore {
  readonly files: FileCatalog;
  readonly jobs: JobRecords;
  readonly results: ResultLedger;
  readonly reports: ReportQuery;
  /** What the app reads back: results batch jobs stored, and a patient's other studies. */
  readonly stored: StoredResults;

  private constructor(readonly db: Database.Database) {
    this.files = new FileCatalog(db);
    this.jobs = new JobRecords(db);
    this.results = new ResultLedger(db);
    this.reports = new ReportQuery(db);
    this.stored = new StoredResults(db);
  }

  /** `:memory:` for tests. */
  static open(dataDir: string | ':memory:', options: OpenStoreOptions = {}): StudyStore {
    if (options.verify && dataDir !== ':memory:') assertStudyStoreHealthy(dataDir);
    return new StudyStore(openStudyDatabase(dataDir));
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.close();
    } catch {
      // Closing checkpoints the WAL; on a full disk that can fail, and every commit is still in the WAL.
    }
  }
}
