import type Database from 'better-sqlite3';
import { openStudyDatabase } from './database.ts';
import { FileCatalog } from './file-catalog.ts';
import { JobRecords } from './job-records.ts';
import { ReportQuery } from './report-query.ts';
import { ResultLedger } from './result-ledger.ts';

/** The study store in the data folder: files and studies, jobs, results, report queries. */
export class StudyStore {
  readonly files: FileCatalog;
  readonly jobs: JobRecords;
  readonly results: ResultLedger;
  readonly reports: ReportQuery;

  private constructor(readonly db: Database.Database) {
    this.files = new FileCatalog(db);
    this.jobs = new JobRecords(db);
    this.results = new ResultLedger(db);
    this.reports = new ReportQuery(db);
  }

  /** `:memory:` for tests. */
  static open(dataDir: string | ':memory:'): StudyStore {
    return new StudyStore(openStudyDatabase(dataDir));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
