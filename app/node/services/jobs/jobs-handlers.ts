import type { ApiEvent, ApiRequest, ApiResponse } from '../../../common/contract/api.ts';
import type { JobsMethod } from '../../../common/contract/jobs-protocol.ts';
import { createBatchHandlers } from '../batch/batch-handlers.ts';
import { JobService } from '../batch/job-service.ts';
import { createFinetuneHandlers } from '../finetune/finetune-handlers.ts';
import { ModelStore } from '../../domain/store/model-store.ts';

export type JobsHandlers = { [M in JobsMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

/**
 * The real implementations of the jobs and finetune areas, as they run inside the jobs process:
 * batch jobs (decoding, input guard, SQLite writes) and training block whichever event loop they
 * run on, so they live here and the host only forwards. `close` pauses a running batch job after
 * its batch in flight; fine-tune jobs need nothing, they resume from their checkpoints.
 */
export function createJobsHandlers(ctx: { dataDir: string; emit(event: ApiEvent): void }): {
  handlers: JobsHandlers;
  close(): Promise<void>;
} {
  const jobs = new JobService({ dataDir: ctx.dataDir, emit: (event) => ctx.emit(event) });
  const handlers: JobsHandlers = {
    ...createBatchHandlers(jobs),
    ...createFinetuneHandlers({ dataDir: ctx.dataDir, models: new ModelStore(ctx.dataDir), emit: (event) => ctx.emit(event) }),
  };
  return { handlers, close: () => jobs.close() };
}
