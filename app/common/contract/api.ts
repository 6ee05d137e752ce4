import { z } from 'zod';
import { ModelManifest } from '../manifest.ts';
import { CatalogueImportRequest, CatalogueImportResult, CatalogueListItem, CatalogueName, FetchRequest, FetchResult } from './catalogue.ts';
import { batchApi } from './batch.ts';
import { CreateModelRequest, CreateModelResult } from './create-model.ts';
import { dicomNodeApi } from './dicom-node.ts';
import { finetuneApi } from './finetune.ts';
import {
  CancelRequest,
  CancelResponse,
  ClassifyStudiesRequest,
  ClassifyStudiesResponse,
  EngineStatus,
  HeatmapPng,
  HeatmapPngRequest,
  HeatmapScale,
  OpenStudiesRequest,
  OpenStudiesResponse,
  PixelsRequest,
  PriorsRequest,
  PriorsResponse,
  StudyId,
  StudyPixels,
  TagsResponse,
} from './studies.ts';
import { ChoosePathsRequest, ChoosePathsResponse, ImportModelRequest, ModelDetails, ModelIdRequest } from './ui.ts';

/**
 * The back-end API as data: one entry per function, each with a zod schema for its request and
 * its response. Electron IPC (main/), browser-mode HTTP (denseray serve) and renderer/api.ts are
 * all generated from this table, so a function exists everywhere or nowhere.
 *
 * Convention: one options object per call; names are `area.verb`. Each area keeps its schemas in
 * its own file (contract/<area>.ts) and adds its entries here.
 */
export const About = z.object({
  product: z.literal('DenseRay'),
  version: z.string(),
  notAMedicalDevice: z.string(),
  dataDir: z.string(),
  activeModel: z.object({ id: z.string(), name: z.string(), sha256: z.string(), demo: z.boolean(), source: z.string() }),
  backend: z.string().nullable(),
});

export const InstalledModelSummary = z.object({ manifest: ModelManifest, active: z.boolean() });

export const api = {
  'app.about': { request: z.object({}), response: About },
  'models.list': { request: z.object({}), response: z.array(InstalledModelSummary) },
  'models.activate': { request: z.object({ id: z.string() }), response: z.object({ id: z.string() }) },
  // desktop app / browser mode: studies, viewer, engine, Models screen (contract/studies.ts, contract/ui.ts)
  'studies.open': { request: OpenStudiesRequest, response: OpenStudiesResponse },
  'studies.pixels': { request: PixelsRequest, response: StudyPixels },
  'studies.tags': { request: z.object({ id: StudyId }), response: TagsResponse },
  'studies.classify': { request: ClassifyStudiesRequest, response: ClassifyStudiesResponse },
  'studies.heatmapPng': { request: HeatmapPngRequest, response: HeatmapPng },
  'studies.priors': { request: PriorsRequest, response: PriorsResponse },
  'studies.cancel': { request: CancelRequest, response: CancelResponse },
  'engine.status': { request: z.object({}), response: EngineStatus },
  'viewer.heatmapScale': { request: z.object({}), response: HeatmapScale },
  'app.choosePaths': { request: ChoosePathsRequest, response: ChoosePathsResponse },
  'models.import': { request: ImportModelRequest, response: ModelDetails },
  'models.remove': { request: ModelIdRequest, response: z.object({ id: z.string() }) },
  'models.details': { request: ModelIdRequest, response: ModelDetails },
  // Fine-tune screen: a new, untrained DenseNet of the paper's family to train from scratch (contract/create-model.ts)
  'models.create': { request: CreateModelRequest, response: CreateModelResult },
  // offline batch triage: jobs over folders, progress on 'jobs.progress' (contract/batch.ts)
  ...batchApi,
  // Models screen: the catalogue of published models (contract/catalogue.ts); progress on FETCH_PROGRESS_CHANNEL
  'catalogue.list': { request: z.object({}), response: z.array(CatalogueListItem) },
  'catalogue.fetch': { request: FetchRequest, response: FetchResult },
  'catalogue.cancel': { request: z.object({ name: CatalogueName }), response: z.object({ cancelled: z.boolean() }) },
  'catalogue.import': { request: CatalogueImportRequest, response: CatalogueImportResult },
  // Fine-tune screen: datasets, jobs (progress on FINETUNE_PROGRESS_CHANNEL), LR range test, compare (contract/finetune.ts)
  ...finetuneApi,
  // DICOM node: the listener, its transfer log, the DICOMweb pull (contract/dicom-node.ts); status and arrivals as events
  ...dicomNodeApi,
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;

export type Api = typeof api;
export type ApiMethod = keyof Api;
export type ApiRequest<M extends ApiMethod> = z.input<Api[M]['request']>;
export type ApiResponse<M extends ApiMethod> = z.output<Api[M]['response']>;

/** Events pushed from back end to UI (job progress, streamed results), each parsed like a response. */
export const ApiEvent = z.object({ channel: z.string(), payload: z.unknown() });
export type ApiEvent = z.infer<typeof ApiEvent>;
