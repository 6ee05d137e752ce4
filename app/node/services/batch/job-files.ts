import { describeOtherFiles, otherFiles, type OtherFile } from '../../domain/batch/report/other-files.ts';
import type { StudyStore } from '../../domain/store/study-store.ts';

export type { OtherFile } from '../../domain/batch/report/other-files.ts';

/** A job's files that no study row shows (copies of another file's image, skipped files), for `jobs show`. */
export function jobOtherFiles(store: StudyStore, jobId: number): OtherFile[] {
  return otherFiles(store, jobId, store.jobs.get(jobId).model_key);
}

export { describeOtherFiles };
