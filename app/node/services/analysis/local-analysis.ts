import { EngineClient } from '../../domain/engine/engine-client.ts';
import { inProcessEngineTransport } from '../../domain/engine/in-process-transport.ts';
import { ModelStore } from '../../domain/store/model-store.ts';
import { AnalysisService } from './analysis-service.ts';

/**
 * The classify use case for one-shot doors (the CLI, batch jobs in the jobs process): the same
 * engine protocol and engine service as the engine process, run in this process.
 */
export function createLocalAnalysis(dataDir: string, models = new ModelStore(dataDir)): AnalysisService {
  return new AnalysisService({ dataDir, models, engine: new EngineClient(inProcessEngineTransport) });
}
