import type { BackendChoice, FileResult, ModelInfo } from '../../../common/contract/classify.ts';
import { DEFAULT_BACKEND } from '../../../common/defaults.ts';
import type { EngineClient } from '../../domain/engine/engine-client.ts';
import { expandInputs } from '../../domain/input/expand-inputs.ts';
import type { ModelStore } from '../../domain/store/model-store.ts';

/** Which model to run: an installed one (default: the active model) or a weights file used directly. */
export interface ModelSelection {
  modelId?: string | undefined;
  weightsFile?: string | undefined;
  arch?: string | undefined;
  labels?: string | undefined;
  inputSize?: number | undefined;
  backend?: BackendChoice | undefined;
  threads?: number | undefined;
}

export interface ClassifyFilesOptions {
  /** The model to use; the store's active model when absent. */
  model?: ModelSelection;
  frame?: number | undefined;
  /** Return each prediction's CAMs and the image the network saw (for heatmaps). */
  cams?: boolean;
  signal?: AbortSignal | undefined;
  /** Each result as it completes (input index order is kept in the final list). */
  onResult?: (result: FileResult, index: number) => void;
}

export interface ClassifyFilesResult {
  model: ModelInfo;
  /** One per path, in input order. */
  results: FileResult[];
  cancelled: boolean;
}

/**
 * The one use case from files to findings. Every front door classifies through it: the CLI (engine
 * in process), the desktop app and browser mode (engine process, via StudiesService), batch jobs
 * and the DICOM node. Below it, one engine protocol and one file → model-input path.
 */
export class AnalysisService {
  private opened: { key: string; info: ModelInfo } | undefined;
  private opening: { key: string; promise: Promise<ModelInfo> } | undefined;

  constructor(private readonly options: { dataDir: string; models: ModelStore; engine: EngineClient }) {}

  /** Opens the selected model in the engine unless it is already open; returns what it is. */
  async open(selection: ModelSelection = {}): Promise<ModelInfo> {
    const request = {
      dataDir: this.options.dataDir,
      backend: selection.backend ?? DEFAULT_BACKEND,
      ...(selection.weightsFile
        ? { weightsFile: selection.weightsFile, arch: selection.arch, labels: selection.labels, inputSize: selection.inputSize }
        : { modelId: selection.modelId ?? this.options.models.activeId() }),
      ...(selection.threads ? { threads: selection.threads } : {}),
    };
    const key = JSON.stringify(request);
    if (this.opened?.key === key) return this.opened.info;
    if (this.opening?.key !== key) {
      const promise = this.options.engine.open(request).then((info) => {
        this.opened = { key, info };
        return info;
      });
      this.opening = { key, promise };
      void promise
        .catch(() => undefined)
        .finally(() => {
          if (this.opening?.promise === promise) this.opening = undefined;
        });
    }
    return this.opening.promise;
  }

  async classify(paths: string[], options: ClassifyFilesOptions = {}): Promise<ClassifyFilesResult> {
    const model = await this.open(options.model);
    let requestId: number | undefined;
    const onAbort = (): void => {
      if (requestId !== undefined) void this.options.engine.cancel(requestId).catch(() => undefined);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const value = await this.options.engine.classify(paths, {
        cams: options.cams === true,
        ...(options.frame !== undefined ? { frame: options.frame } : {}),
        ...(options.onResult ? { onResult: options.onResult } : {}),
        onRequestId: (id) => {
          requestId = id;
          if (options.signal?.aborted) onAbort();
        },
      });
      return { model, results: value.results, cancelled: value.cancelled };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Files named are kept as given (a bad one becomes an error result); folders are walked for DICOM/PNG/JPEG. */
  expand(paths: string[]): Promise<string[]> {
    return expandInputs(paths);
  }

  /** The model the engine has open (null before the first classification) and how often it restarted. */
  status(): { model: ModelInfo | null; restarts: number } {
    return { model: this.opened?.info ?? null, restarts: this.options.engine.restarts };
  }

  close(): void {
    this.options.engine.close();
  }
}
