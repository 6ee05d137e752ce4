import type { FileResult, ModelInfo } from '../../../common/contract/classify.ts';

/**
 * What a job needs from the engine: classify files with CAMs, streaming each result as it
 * completes (services/batch/job-service.ts builds it on the classify use case).
 */
export interface StudyClassifier {
  readonly model: ModelInfo;
  classify(files: string[], options: { signal?: AbortSignal; onResult: (result: FileResult, index: number) => void }): Promise<void>;
  close(): Promise<void>;
}
