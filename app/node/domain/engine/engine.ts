import { performance } from 'node:perf_hooks';
import type { FileResult, GuardVerdict, ImageGeometry, ModelInfo, Prediction } from '../../../common/contract/classify.ts';
import { flaggedFindings, triageScore } from '../../../common/triage.ts';
import { toErrorInfo } from '../../shared/errors.ts';
import { modelInputScratch, studyScratch } from '../../shared/scratch-pool.ts';
import type { InputGuard } from '../guard/input-guard.ts';
import { inputLength } from '../imaging/preprocess.ts';
import type { InputHeader } from '../input/load-input.ts';
import { computeCams } from '../model/cam.ts';
import type { InferenceOutput } from '../model/backend-types.ts';
import type { ModelRuntime } from '../model/model-runtime.ts';
import { type Prepared, type PrepareTask, prepareFile } from './prepare.ts';
import { PreparePool } from './prepare-pool.ts';

export interface ClassifyOptions {
  /** Return the per-label CAMs with each prediction. */
  cams?: boolean;
  /** Return the final feature map (C×h×w) with each prediction. */
  features?: boolean;
  /** Images per forward pass; 8 is the throughput sweet spot on a 2-core CPU. */
  batchSize?: number;
  frame?: number;
  signal?: AbortSignal;
  onResult?: (result: FileResult, index: number) => void;
}

/** A file ready for the network, with what the guard and the timings need. */
interface Ready {
  index: number;
  file: string;
  header: InputHeader;
  geometry: ImageGeometry;
  modelImage: Float32Array;
  seen: Float32Array;
  guard: GuardVerdict;
  decodeMs: number;
  preprocessMs: number;
  guardMs: number;
}

/** Batches prepared ahead of the one inferring: enough to keep the backend busy, few enough to keep memory flat. */
const BATCHES_AHEAD = 2;

/**
 * Classifies study files with one loaded model. Files are decoded and preprocessed on a small pool
 * of worker threads (the cores inference leaves free, at least one) while the backend runs the
 * network on its own threads; a bounded queue of prepared batches sits in front of the backend.
 * A single file is prepared on the calling thread. Results come back in input order; one bad file
 * becomes an error result and never stops the others.
 */
export class Engine {
  private readonly pool: PreparePool;

  constructor(
    readonly runtime: ModelRuntime,
    private readonly guard: InputGuard,
    options: { pool?: PreparePool } = {},
  ) {
    this.pool = options.pool ?? new PreparePool(PreparePool.sizeFor(runtime.backend.threads));
  }

  get model(): ModelInfo {
    return this.runtime.info;
  }

  /** Stops the decoding threads and releases the model. */
  async dispose(): Promise<void> {
    await this.pool.close();
    await this.runtime.dispose();
  }

  async classifyFiles(files: string[], options: ClassifyOptions = {}): Promise<FileResult[]> {
    const batchSize = Math.max(1, options.batchSize ?? 8);
    const results: FileResult[] = new Array(files.length);
    const batches: number[][] = [];
    for (let i = 0; i < files.length; i += batchSize)
      batches.push(Array.from({ length: Math.min(batchSize, files.length - i) }, (_, j) => i + j));
    const p = this.runtime.manifest.preprocessing;
    // A lone file has nothing to overlap with: a thread hand-off would only add to its latency.
    const prepare = (task: PrepareTask): Promise<Prepared> => (files.length === 1 ? prepareFile(task) : this.pool.prepare(task));
    const prepareBatch = (indices: number[]): Promise<{ ready: Ready[]; failed: Map<number, FileResult> }> =>
      Promise.all(
        indices.map((index) =>
          prepare({
            file: files[index]!,
            preprocessing: p,
            guard: this.guard.referenceFile,
            ...(options.frame === undefined ? {} : { frame: options.frame }),
          }),
        ),
      ).then((prepared) => {
        const ready: Ready[] = [];
        const failed = new Map<number, FileResult>();
        prepared.forEach((r, i) => {
          const index = indices[i]!;
          const file = files[index]!;
          if (r.ok) ready.push({ ...r, index, file });
          else failed.set(index, { file, ok: false, error: r.error });
        });
        return { ready, failed };
      });

    // The queue in front of the backend: batch b infers while batches b+1 … b+BATCHES_AHEAD decode.
    const ahead: Promise<{ ready: Ready[]; failed: Map<number, FileResult> }>[] = [];
    let next = 0;
    const refill = (): void => {
      while (ahead.length < BATCHES_AHEAD && next < batches.length) ahead.push(prepareBatch(batches[next++]!));
    };
    refill();
    for (let b = 0; b < batches.length; b++) {
      if (options.signal?.aborted) break;
      const { ready, failed } = await ahead.shift()!;
      refill();
      const inferred = new Map<number, FileResult>();
      if (ready.length > 0)
        for (const r of await this.infer(ready, options.cams === true, options.features === true, files.length === 1))
          inferred.set(r.index, r.result);
      for (const index of batches[b]!) {
        const result = inferred.get(index) ?? failed.get(index);
        if (!result) continue;
        results[index] = result;
        options.onResult?.(result, index);
      }
    }
    await Promise.allSettled(ahead); // an aborted run leaves no decode running behind it
    return results.filter((r): r is FileResult => r !== undefined);
  }

  /** `local`: the batch was prepared on this thread (a lone file, see prepare in classifyFiles). */
  private async infer(
    batch: Ready[],
    withCams: boolean,
    withFeatures: boolean,
    local: boolean,
  ): Promise<{ index: number; result: FileResult }[]> {
    const p = this.runtime.manifest.preprocessing;
    const perImage = inputLength(p);
    // The batch tensor is reused from batch to batch: fresh memory costs page faults on the
    // thread that runs inference (see scratch-pool.ts).
    const input = studyScratch.takeFloats(perImage * batch.length);
    batch.forEach((item, i) => input.set(item.modelImage, i * perImage));
    // A lone file's input was prepared here, in this thread's pool: copied into the tensor, it goes back.
    if (local) for (const item of batch) modelInputScratch.give(item.modelImage.buffer as ArrayBuffer);
    const t0 = performance.now();
    let output: InferenceOutput;
    try {
      output = await this.runtime.backend.run(input, batch.length);
    } catch (error) {
      const info = toErrorInfo(error, 'INFERENCE_FAILED');
      return batch.map((item) => ({ index: item.index, result: { file: item.file, ok: false, error: info } }));
    } finally {
      studyScratch.give(input.buffer);
    }
    const inferMs = (performance.now() - t0) / batch.length;
    const { labels } = this.runtime.manifest;
    const [channels, h, w] = output.featureShape;
    return batch.map((item, i) => {
      const logits = Array.from(output.logits.subarray(i * labels.length, (i + 1) * labels.length));
      const probs = logits.map((z, k) => this.runtime.toProbability(z, k));
      const tc = performance.now();
      const perImage = labels.length * h * w;
      const cams = !withCams
        ? undefined
        : output.cams
          ? output.cams.slice(i * perImage, (i + 1) * perImage)
          : computeCams(output.features, i * channels * h * w, channels, h * w, this.runtime.classifierWeight, this.runtime.classifierBias);
      const camMs = performance.now() - tc;
      const { seen, guard } = item;
      const prediction: Prediction = {
        probabilities: Object.fromEntries(labels.map((l, k) => [l, probs[k]!])),
        logits,
        flagged: guard.suspect ? [] : flaggedFindings(labels, probs, this.runtime.thresholds),
        triageScore: triageScore(probs, this.runtime.thresholds),
        guard,
        geometry: item.geometry,
        ...(cams
          ? {
              cams: {
                width: w,
                height: h,
                data: cams,
                normalisation: 'none: raw class score per cell; its spatial mean equals the logit' as const,
              },
              modelInput: { width: p.size, height: p.size, data: seen },
            }
          : {}),
        ...(withFeatures
          ? { features: { channels, height: h, width: w, data: output.features.slice(i * channels * h * w, (i + 1) * channels * h * w) } }
          : {}),
        timingsMs: { decode: item.decodeMs, preprocess: item.preprocessMs, infer: inferMs, cam: camMs, guard: item.guardMs },
      };
      return { index: item.index, result: { file: item.file, ok: true, prediction } };
    });
  }
}
