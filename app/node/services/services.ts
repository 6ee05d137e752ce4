import type { ApiEvent, ApiMethod, ApiRequest, ApiResponse } from '../../common/contract/api.ts';
import { JobService } from '../batch/job-service.ts';
import { createCatalogueHandlers } from '../catalogue/catalogue-handlers.ts';
import { createFinetuneHandlers } from '../finetune/finetune-handlers.ts';
import { ModelStore } from '../model/model-store.ts';
import { createUiHandlers } from './studies/studies-handlers.ts';
import { StudiesService } from './studies/studies-service.ts';

export const NOT_A_MEDICAL_DEVICE = 'DenseRay is research software, not a medical device. It does not diagnose; every result needs review by a qualified reader.';

export type Handlers = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

export interface ServiceContext {
  dataDir: string;
  models: ModelStore;
  /** Pushes an event to every connected UI. */
  emit(event: ApiEvent): void;
  /** Opened studies, routed to the reader and engine processes; the host (serve, Electron main) owns and closes it. Created on first use when absent. */
  studies?: StudiesService;
  /** Batch jobs (offline triage); the host closes it. Created on first use when absent. */
  jobs?: JobService;
}

/**
 * The composition root of the back end: every API function's implementation, created once and
 * handed to the transport (Electron IPC in main/, HTTP in browser mode). Areas add their handlers here.
 */
export function createHandlers(ctx: ServiceContext): Handlers {
  let studies = ctx.studies;
  const studiesService = (): StudiesService => (studies ??= new StudiesService({ dataDir: ctx.dataDir, models: ctx.models, emit: (event) => ctx.emit(event) }));
  let jobs = ctx.jobs;
  const jobService = (): JobService => (jobs ??= new JobService({ dataDir: ctx.dataDir, emit: (event) => ctx.emit(event) }));
  return {
    ...createUiHandlers({ dataDir: ctx.dataDir, models: ctx.models, studies: studiesService }),
    ...createCatalogueHandlers({ dataDir: ctx.dataDir, models: ctx.models, emit: (event) => ctx.emit(event) }),
    ...createFinetuneHandlers({ dataDir: ctx.dataDir, models: ctx.models, emit: (event) => ctx.emit(event) }),
    'app.about': async () => {
      const active = ctx.models.get(ctx.models.activeId()).manifest;
      return {
        product: 'DenseRay',
        version: '0.1.0',
        notAMedicalDevice: NOT_A_MEDICAL_DEVICE,
        dataDir: ctx.dataDir,
        activeModel: { id: active.id, name: active.name, sha256: active.weights.sha256, demo: active.demo, source: active.provenance.source },
        backend: null,
      };
    },
    'models.list': async () => {
      ctx.models.ensureDemo();
      const active = ctx.models.activeId();
      return ctx.models.list().map((m) => ({ manifest: m.manifest, active: m.manifest.id === active }));
    },
    'models.activate': async ({ id }) => {
      ctx.models.setActive(id);
      return { id };
    },
    'jobs.start': async (request) => jobService().start(request),
    'jobs.list': async () => jobService().list(),
    'jobs.get': async (request) => jobService().get({ offset: 0, limit: 100, rank: 'triage', ...request }),
    'jobs.pause': async ({ jobId }) => jobService().pause(jobId),
    'jobs.cancel': async ({ jobId }) => jobService().cancel(jobId),
    'jobs.resume': async ({ jobId }) => jobService().resume(jobId),
    'jobs.report': async (request) => jobService().report({ rank: 'triage', ...request }),
  };
}
