import type { ApiEvent } from '../../common/contract/api.ts';
import { EngineClient, forkEngineTransport } from '../domain/engine/engine-client.ts';
import { ModelStore } from '../domain/store/model-store.ts';
import { openStoredResults } from './studies/open-stored-results.ts';
import { type ChildTransport, forkChild } from '../shared/process/child-transport.ts';
import { AnalysisService } from './analysis/analysis-service.ts';
import { DicomNodeHost } from './dicom-node/dicom-node-handlers.ts';
import { JOBS_ENTRY, JobsHost } from './jobs/jobs-host.ts';
import { createHandlers, type Handlers } from './services.ts';
import { READER_ENTRY, ReaderClient } from './studies/reader-client.ts';
import { StudiesService } from './studies/studies-service.ts';

/** How the back end starts its worker processes: Node children here, Electron utilityProcesses in main/. */
export interface BackendWorkers {
  engine(): ChildTransport;
  reader(): ChildTransport;
  jobs(): ChildTransport;
}

export const NODE_WORKERS: BackendWorkers = {
  engine: forkEngineTransport,
  reader: () => forkChild(READER_ENTRY),
  jobs: () => forkChild(JOBS_ENTRY),
};

export interface Backend {
  /** The API table every transport (IPC, HTTP) serves. */
  handlers: Handlers;
  models: ModelStore;
  studies: StudiesService;
  /** Stops the worker processes; a running batch job pauses after its batch in flight. */
  close(): Promise<void>;
}

/**
 * The composition root for the long-running doors (desktop app, browser mode): one model store,
 * one classify use case over the engine process, one studies service over the reader process, one
 * jobs process. Workers start on first use.
 */
export function createBackend(options: { dataDir: string; emit(event: ApiEvent): void; workers?: Partial<BackendWorkers> }): Backend {
  const workers = { ...NODE_WORKERS, ...options.workers };
  const { dataDir, emit } = options;
  const models = new ModelStore(dataDir);
  // One classify use case over the engine process, shared by the viewer and the DICOM node.
  let analysisService: AnalysisService | undefined;
  const analysis = (): AnalysisService =>
    (analysisService ??= new AnalysisService({ dataDir, models, engine: new EngineClient(workers.engine) }));
  let studies: StudiesService | undefined;
  const studiesService = (): StudiesService =>
    (studies ??= new StudiesService({
      emit,
      reader: new ReaderClient(workers.reader),
      analysis: analysis(),
      stored: openStoredResults(dataDir),
      preprocessingOf: (id) => (models.has(id) ? models.get(id).manifest.preprocessing : undefined),
    }));
  let jobsHost: JobsHost | undefined;
  const jobs = (): JobsHost => (jobsHost ??= new JobsHost({ dataDir, emit, start: workers.jobs }));
  const dicomNode = new DicomNodeHost({ dataDir, emit, analysis, studies: studiesService });
  const handlers = createHandlers({ dataDir, models, emit, studies: studiesService, jobsHost: jobs, dicomNode });
  return {
    handlers,
    models,
    get studies() {
      return studiesService();
    },
    close: async () => {
      await dicomNode.close();
      if (studies) studies.close();
      else analysisService?.close();
      await jobsHost?.close();
    },
  };
}
