import type { FileResult, ModelInfo } from '../../../common/contract/classify.ts';
import type { Engine } from '../engine/engine.ts';

/**
 * What a job needs from the engine: classify files with CAMs, streaming each result as it
 * completes. The CLI runs the engine in process; the app may pass its engine-process client.
 */
export interface StudyClassifier {
  readonly model: ModelInfo;
  classify(files: string[], options: { signal?: AbortSignal; onResult: (result: FileResult, index: number) => void }): Promise<void>;
  close(): Promise<void>;
}

export function engineClassifier(engine: Engine, batchSize?: number): StudyClassifier {
  return {
    model: engine.model,
    classify: async (files, options) => {
      await engine.classifyFiles(files, {
        cams: true,
        ...(batchSize ? { batchSize } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onResult: options.onResult,
      });
    },
    close: () => engine.runtime.dispose(),
  };
}
