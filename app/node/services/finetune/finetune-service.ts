import type { FinetuneEvent, FinetuneRequest, LrRangeResult } from '../../../common/contract/finetune.ts';
import { findLearningRate as rangeTest } from '../../domain/finetune/find-lr.ts';
import { type FinetuneOutcome, runFinetune } from '../../domain/finetune/run-finetune.ts';

/**
 * Fine-tuning as the CLI runs it, in the foreground (the app runs the same through FinetuneJobs in
 * the jobs process): a new request, or `resumeJobId` to continue a stopped job from its checkpoint.
 */
export function fineTune(
  dataDir: string,
  job: { request: FinetuneRequest } | { resumeJobId: string },
  options: { signal?: AbortSignal; onEvent?: (event: FinetuneEvent) => void } = {},
): Promise<FinetuneOutcome> {
  return runFinetune({ dataDir, ...job, ...options });
}

/** The learning-rate range test on the request's data and model, without training a model. */
export function findLearningRate(
  dataDir: string,
  request: FinetuneRequest,
  options: { signal?: AbortSignal; onEvent?: (event: FinetuneEvent) => void } = {},
): Promise<LrRangeResult> {
  return rangeTest({ dataDir, request, ...options });
}
