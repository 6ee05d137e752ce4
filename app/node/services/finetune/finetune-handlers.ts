import type { ApiEvent, ApiRequest, ApiResponse } from '../../../common/contract/api.ts';
import type { finetuneApi } from '../../../common/contract/finetune.ts';
import type { ModelStore } from '../../domain/store/model-store.ts';
import { compareWithParent } from '../../domain/finetune/compare.ts';
import { prepareDataset } from '../../domain/finetune/dataset/prepare-dataset.ts';
import { findLearningRate } from '../../domain/finetune/find-lr.ts';
import { FinetuneJobs } from './finetune-jobs.ts';

type FinetuneMethod = keyof typeof finetuneApi;
export type FinetuneHandlers = { [M in FinetuneMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

/**
 * The Fine-tune screen's API: inspect the data (split summary and problems before anything trains),
 * start / resume / cancel / status of jobs (progress on `finetune.progress`), the LR range test, and
 * the comparison with the parent. Activation is the shared `models.activate`.
 */
export function createFinetuneHandlers(ctx: { dataDir: string; models: ModelStore; emit(event: ApiEvent): void }): FinetuneHandlers {
  const jobs = new FinetuneJobs(ctx.dataDir, (event) => ctx.emit(event));
  return {
    'finetune.inspect': async (request) => (await prepareDataset(request)).summary,
    'finetune.start': async (request) => ({ jobId: jobs.start(request) }),
    'finetune.resume': async ({ jobId }) => ({ jobId: jobs.resume(jobId) }),
    'finetune.status': async ({ jobId }) => jobs.status(jobId),
    'finetune.cancel': async ({ jobId }) => ({ jobId, state: jobs.cancel(jobId) }),
    'finetune.findLr': async (request) => findLearningRate({ dataDir: ctx.dataDir, request }),
    'finetune.compare': async ({ modelId }) => compareWithParent(ctx.models, modelId),
  };
}
