import type { ApiRequest, ApiResponse } from '../../../common/contract/api.ts';
import type { batchApi } from '../../../common/contract/batch.ts';
import type { JobService } from './job-service.ts';

type BatchMethod = keyof typeof batchApi;
export type BatchHandlers = { [M in BatchMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

/** The Jobs screen's API over one JobService; runs in the jobs process (services/jobs/jobs-process.ts). */
export function createBatchHandlers(jobs: JobService): BatchHandlers {
  return {
    'jobs.start': async (request) => jobs.start(request),
    'jobs.list': async () => jobs.list(),
    'jobs.get': async (request) => jobs.get({ offset: 0, limit: 100, rank: 'triage', ...request }),
    'jobs.pause': async ({ jobId }) => jobs.pause(jobId),
    'jobs.cancel': async ({ jobId }) => jobs.cancel(jobId),
    'jobs.resume': async ({ jobId }) => jobs.resume(jobId),
    'jobs.report': async (request) => jobs.report({ rank: 'triage', ...request }),
  };
}
