import { resolve } from 'node:path';
import type { StudyStore } from '../store/study-store.ts';
import type { JobModelInfo } from '../store/job-records.ts';
import type { JobRow } from '../store/rows.ts';

/**
 * The job for these folders and this model: the existing one if there is one (so running the
 * same batch again continues it, or finds it finished and does nothing), else a new one. Another
 * model over the same folders is another job; its results sit beside the first model's.
 */
export function findOrCreateJob(store: StudyStore, roots: string[], model: JobModelInfo): { job: JobRow; created: boolean } {
  const absolute = roots.map((r) => resolve(r));
  const modelKey = store.jobs.modelKey(model);
  const existing = store.jobs.findReusable(absolute, modelKey);
  if (existing) return { job: existing, created: false };
  return { job: store.jobs.create(absolute, modelKey), created: true };
}
