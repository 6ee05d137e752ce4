import type { JobSummary, RankRule } from '../../../../common/contract/batch.ts';
import type { WorklistGroup } from '../../../../common/worklist-order.ts';
import type { JobModelInfo } from '../../store/job-records.ts';
import type { StudyStore } from '../../store/study-store.ts';
import { rankedStudies, type RankedStudy } from '../study-rows.ts';
import { otherFiles, type OtherFile } from './other-files.ts';

export { NOT_A_MEDICAL_DEVICE } from '../../../../common/product.ts';

export const TRIAGE_SCORE_MEANING =
  "triage score: the most suspicious finding's distance beyond its threshold, in [-1, 1] (p ≥ t: (p − t)/(1 − t); p < t: (p − t)/t); > 0 means at least one finding is at or above its threshold";

/** What each worklist group means, in order (app/common/worklist-order.ts). */
export const WORKLIST_GROUP_MEANING: Readonly<Record<WorklistGroup, string>> = {
  scored: 'classified; the input looks like a frontal chest film; ordered by score, most suspicious first',
  'check-input':
    'classified, but the input guard says the image is not a frontal chest film (see the reason): check the input; its score is not trusted and never ranks above a scored study',
  error: 'could not be classified (see the error)',
  pending: 'not classified yet',
};

/** Everything a report shows, read from the store once. */
export interface ReportData {
  job: JobSummary;
  model: JobModelInfo;
  rule: RankRule;
  rows: RankedStudy[];
  /** The job's files no row shows (copies, skipped), so that every input file is accounted for. */
  otherFiles: OtherFile[];
  generatedAt: string;
}

export function loadReportData(store: StudyStore, jobId: number, rule: RankRule = 'triage'): ReportData {
  const row = store.jobs.get(jobId);
  return {
    job: store.jobs.summary(row),
    model: store.jobs.model(row.model_key),
    rule,
    rows: rankedStudies(store, jobId, rule),
    otherFiles: otherFiles(store, jobId, row.model_key),
    generatedAt: new Date().toISOString(),
  };
}
