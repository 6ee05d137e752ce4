import { performance } from 'node:perf_hooks';
import type { FileResult, ImageGeometry, ModelInfo, Prediction } from '../../../common/contract/classify.ts';
import { flaggedFindings, triageScore } from '../../../common/triage.ts';
import { toErrorInfo } from '../../shared/errors.ts';
import { GUARD_INPUT_SIZE, type InputGuard } from '../guard/input-guard.ts';
import { inputLength, preprocess } from '../imaging/preprocess.ts';
import { centerSquareRegion, resizeBilinearAntialias } from '../imaging/resize.ts';
import { networkRegion } from '../imaging/geometry.ts';
import { type InputHeader, loadInput } from '../input/load-input.ts';
import { computeCams } from '../model/cam.ts';
import type { InferenceOutput } from '../model/backend-types.ts';
import type { ModelRuntime } from '../model/model-runtime.ts';

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

interface Prepared {
  index: number;
  file: string;
  header: InputHeader;
  geometry: ImageGeometry;
  modelImage: Float32Array;
  /** The film at the guard's size, for models whose input is another size (the guard's statistics are size-dependent). */
  guardView?: Float32Array;
  decodeMs: number;
  preprocessMs: number;
}

/**
 * Classifies study files with one loaded model. Files are decoded and preprocessed in batches;
 * while a batch runs on the backend (its own threads), the next batch is decoded, so decoding
 * overlaps inference. One bad file becomes an error result and never stops the others.
 */
export class Engine {
  constructor(
    readonly runtime: ModelRuntime,
    private readonly guard: InputGuard,
  ) {}

  get model(): ModelInfo {
    return this.runtime.info;
  }

  async classifyFiles(files: string[], options: ClassifyOptions = {}): Promise<FileResult[]> {
    const batchSize = Math.max(1, options.batchSize ?? 8);
    const results: FileResult[] = new Array(files.length);
    const emit = (result: FileResult, index: number): void => {
      results[index] = result;
      options.onResult?.(result, index);
    };
    const batches: number[][] = [];
    for (let i = 0; i < files.length; i += batchSize)
      batches.push(Array.from({ length: Math.min(batchSize, files.length - i) }, (_, j) => i + j));

    let next = batches.length > 0 ? this.prepareBatch(files, batches[0]!, options, emit) : undefined;
    for (let b = 0; b < batches.length; b++) {
      if (options.signal?.aborted) break;
      const prepared = await next!;
      const inference = prepared.length > 0 ? this.infer(prepared, options.cams === true, options.features === true) : Promise.resolve([]);
      next = b + 1 < batches.length ? this.prepareBatch(files, batches[b + 1]!, options, emit) : undefined;
      for (const result of await inference) emit(result.result, result.index);
    }
    if (next) await next;
    return results.filter((r): r is FileResult => r !== undefined);
  }

  private async prepareBatch(
    files: string[],
    indices: number[],
    options: ClassifyOptions,
    emit: (r: FileResult, i: number) => void,
  ): Promise<Prepared[]> {
    const prepared: Prepared[] = [];
    const p = this.runtime.manifest.preprocessing;
    for (const index of indices) {
      const file = files[index]!;
      try {
        const t0 = performance.now();
        const input = await loadInput(file, options.frame === undefined ? {} : { frame: options.frame });
        const t1 = performance.now();
        const modelImage = new Float32Array(inputLength(p));
        preprocess(input.image, p, modelImage, 0);
        const guardView =
          p.size === GUARD_INPUT_SIZE
            ? undefined
            : resizeBilinearAntialias(
                input.image,
                GUARD_INPUT_SIZE,
                GUARD_INPUT_SIZE,
                centerSquareRegion(input.image.width, input.image.height),
              ).data;
        const { image, format: _format, ...header } = input;
        prepared.push({
          index,
          file,
          header,
          geometry: { width: image.width, height: image.height, region: networkRegion(image.width, image.height, p) },
          modelImage,
          ...(guardView ? { guardView } : {}),
          decodeMs: t1 - t0,
          preprocessMs: performance.now() - t1,
        });
      } catch (error) {
        emit({ file, ok: false, error: toErrorInfo(error, 'IMAGE_DECODE_FAILED') }, index);
      }
    }
    return prepared;
  }

  private async infer(batch: Prepared[], withCams: boolean, withFeatures: boolean): Promise<{ index: number; result: FileResult }[]> {
    const p = this.runtime.manifest.preprocessing;
    const perImage = inputLength(p);
    const input = new Float32Array(perImage * batch.length);
    batch.forEach((item, i) => input.set(item.modelImage, i * perImage));
    const t0 = performance.now();
    let output: InferenceOutput;
    try {
      output = await this.runtime.backend.run(input, batch.length);
    } catch (error) {
      const info = toErrorInfo(error, 'INFERENCE_FAILED');
      return batch.map((item) => ({ index: item.index, result: { file: item.file, ok: false, error: info } }));
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
      // The guard looks at the first channel of the model input, un-normalised back to [0, 1].
      const seen = grayFromModelInput(item.modelImage, p.size, p.mean[0]!, p.std[0]!);
      const guard = this.guard.assess(item.guardView ?? seen, item.guardView ? GUARD_INPUT_SIZE : p.size, {
        ...item.header,
        imageWidth: item.geometry.width,
        imageHeight: item.geometry.height,
      });
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
        timingsMs: { decode: item.decodeMs, preprocess: item.preprocessMs, infer: inferMs, cam: camMs },
      };
      return { index: item.index, result: { file: item.file, ok: true, prediction } };
    });
  }
}

function grayFromModelInput(input: Float32Array, size: number, mean: number, std: number): Float32Array {
  const plane = new Float32Array(size * size);
  for (let i = 0; i < plane.length; i++) plane[i] = input[i]! * std + mean;
  return plane;
}
