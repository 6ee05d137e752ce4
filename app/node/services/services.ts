import type { ApiEvent, ApiMethod, ApiRequest, ApiResponse } from '../../common/contract/api.ts';
import { NOT_A_MEDICAL_DEVICE, PRODUCT_VERSION } from '../../common/product.ts';
import type { ModelStore } from '../domain/store/model-store.ts';
import type { DicomNodeHost } from './dicom-node/dicom-node-handlers.ts';
import { forwardJobs } from './jobs/forward-jobs.ts';
import type { JobsHost } from './jobs/jobs-host.ts';
import { createCatalogueHandlers } from './models/catalogue-handlers.ts';
import { createModel } from './models/create-model.ts';
import { createUiHandlers } from './studies/studies-handlers.ts';
import type { StudiesService } from './studies/studies-service.ts';

export type Handlers = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

export interface ServiceContext {
  dataDir: string;
  models: ModelStore;
  /** Pushes an event to every connected UI. */
  emit(event: ApiEvent): void;
  /** Opened studies, routed to the reader and engine processes. */
  studies: () => StudiesService;
  /** The jobs process, where batch jobs and fine-tuning run (they would block this event loop). */
  jobsHost: () => JobsHost;
  /** The DICOM node: listener, transfer log, DICOMweb pull. */
  dicomNode: DicomNodeHost;
}

/**
 * Every API function's implementation, handed to a transport (Electron IPC in main/, HTTP in
 * browser mode). Areas add their handlers here. Build it with createBackend (backend.ts).
 */
export function createHandlers(ctx: ServiceContext): Handlers {
  return {
    ...createUiHandlers({ dataDir: ctx.dataDir, models: ctx.models, studies: ctx.studies }),
    ...createCatalogueHandlers({ dataDir: ctx.dataDir, models: ctx.models, emit: (event) => ctx.emit(event) }),
    ...forwardJobs(ctx.jobsHost),
    ...ctx.dicomNode.handlers(),
    'app.about': async () => {
      const active = ctx.models.get(ctx.models.activeId()).manifest;
      return {
        product: 'DenseRay',
        version: PRODUCT_VERSION,
        notAMedicalDevice: NOT_A_MEDICAL_DEVICE,
        dataDir: ctx.dataDir,
        activeModel: {
          id: active.id,
          name: active.name,
          sha256: active.weights.sha256,
          demo: active.demo,
          source: active.provenance.source,
        },
        backend: ctx.studies().status().model?.backendDetail ?? null,
      };
    },
    'models.list': async () => {
      ctx.models.ensureDemo();
      const active = ctx.models.activeId();
      return ctx.models.list().map((m) => ({ manifest: m.manifest, active: m.manifest.id === active }));
    },
    'models.create': async (request) => createModel(ctx.dataDir, request),
    'models.activate': async ({ id }) => {
      ctx.models.setActive(id);
      return { id };
    },
  };
}
