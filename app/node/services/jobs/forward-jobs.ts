import type { ApiRequest, ApiResponse } from '../../../common/contract/api.ts';
import type { JobsMethod } from '../../../common/contract/jobs-protocol.ts';
import type { JobsHandlers } from './jobs-handlers.ts';
import type { JobsHost } from './jobs-host.ts';

/** The host's jobs.* and finetune.* handlers: each one hands its call to the jobs process. */
export function forwardJobs(host: () => JobsHost): JobsHandlers {
  const to =
    <M extends JobsMethod>(method: M) =>
    (request: ApiRequest<M>): Promise<ApiResponse<M>> =>
      host().call(method, request);
  return {
    'jobs.start': to('jobs.start'),
    'jobs.list': to('jobs.list'),
    'jobs.get': to('jobs.get'),
    'jobs.pause': to('jobs.pause'),
    'jobs.cancel': to('jobs.cancel'),
    'jobs.resume': to('jobs.resume'),
    'jobs.report': to('jobs.report'),
    'finetune.inspect': to('finetune.inspect'),
    'finetune.start': to('finetune.start'),
    'finetune.resume': to('finetune.resume'),
    'finetune.status': to('finetune.status'),
    'finetune.cancel': to('finetune.cancel'),
    'finetune.findLr': to('finetune.findLr'),
    'finetune.compare': to('finetune.compare'),
  };
}
