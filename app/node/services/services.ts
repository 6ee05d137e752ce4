import type { ApiEvent, ApiMethod, ApiRequest, ApiResponse } from '../../common/contract/api.ts';
import { createCatalogueHandlers } from './models/catalogue-handlers.ts';
import type { ModelStore } from '../domain/store/model-store.ts';
import { forwardJobs } from './jobs/forward-jobs.ts';
import { JobsHost } from './jobs/jobs-host.ts';
import { createUiHandlers } from './studies/studies-handlers.ts';
import { StudiesService } from './studies/studies-service.ts';

export const NOT_A_MEDICAL_DEVICE =
  'DenseRay is research software, not a medical device. It does not diagnose; every result needs review by a qualified reader.';

export type Handlers = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

export interface ServiceContext {
  dataDir: string;
  models: ModelStore;
  /** Pushes an event to every connected UI. */
  emit(event: ApiEvent): void;
  /** Opened studies, routed to the reader and engine processes; the host (serve, Electron main) owns and closes it. Created on first use when absent. */
  studies?: StudiesService;
  /**
   * The jobs process, where batch jobs and fine-tuning run (they would block this event loop);
   * main/ starts it as a utilityProcess, serve and tests as a Node child. The host closes it.
   * Created on first use (a Node child) when absent.
   */
  jobsHost?: JobsHost;
}

/**
 * The composition root of the back end: every API function's implementation, created once and
 * handed to the transport (Electron IPC in main/, HTTP in browser mode). Areas add their handlers here.
 */
export function createHandlers(ctx: ServiceContext): Handlers {
  let studies = ctx.studies;
  const studiesService = (): StudiesService =>
    (studies ??= new StudiesService({ dataDir: ctx.dataDir, models: ctx.models, emit: (event) => ctx.emit(event) }));
  let jobsHost = ctx.jobsHost;
  const jobsProcess = (): JobsHost => (jobsHost ??= new JobsHost({ dataDir: ctx.dataDir, emit: (event) => ctx.emit(event) }));
  return {
    ...createUiHandlers({ dataDir: ctx.dataDir, models: ctx.models, studies: studiesService }),
    ...createCatalogueHandlers({ dataDir: ctx.dataDir, models: ctx.models, emit: (event) => ctx.emit(event) }),
    ...forwardJobs(jobsProcess),
    'app.about': async () => {
      const active = ctx.models.get(ctx.models.activeId()).manifest;
      return {
        product: 'DenseRay',
        version: '0.1.0',
        notAMedicalDevice: NOT_A_MEDICAL_DEVICE,
        dataDir: ctx.dataDir,
        activeModel: {
          id: active.id,
          name: active.name,
          sha256: active.weights.sha256,
          demo: active.demo,
          source: active.provenance.source,
        },
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
  };
}
