import type { Augmentation, FileProblem } from '../../../../common/contract/finetune.ts';
import type { Preprocessing } from '../../../../common/manifest.ts';
import { toErrorInfo } from '../../../shared/errors.ts';
import { loadInput } from '../../input/load-input.ts';
import type { CheckedImage } from '../dataset/labelled-image.ts';
import { augmentPlane, viewRandom } from './augment.ts';
import type { FrozenBackbone } from './backbone.ts';
import { FeatureCache } from './feature-cache.ts';
import { normalisePlane, resizedPlane } from './model-input.ts';

/** What the trainer reads: one batch of network inputs (the tail's input layout) per call. */
export interface SampleSource {
  /** One sample's tensor shape: [C] pooled features, or [h, w, C] (NHWC). */
  readonly sampleShape: number[];
  /** Samples for these images; `epoch` picks the training view (augmentation), null means the plain view. */
  batch(indices: readonly number[], epoch: number | null): Float32Array;
}

export interface LoadProgress {
  done: number;
  total: number;
  reused: number;
}

interface FeatureTableOptions {
  images: readonly CheckedImage[];
  /** Views to cache per image: 1 (plain) or 1 + augmented views for training images. */
  viewsOf: (index: number) => number;
  backbone: FrozenBackbone;
  cache: FeatureCache;
  preprocessing: Preprocessing;
  augmentation: Augmentation | null;
  seed: number;
  signal?: AbortSignal | undefined;
  onProgress?: (p: LoadProgress) => void;
  /** Images per backbone pass. */
  batchSize?: number;
}

/** Backbone outputs for every view of every image, cached on disk; images that fail to decode are reported, not fatal. */
export class CachedFeatures implements SampleSource {
  private constructor(
    readonly sampleShape: number[],
    private readonly views: Float32Array[][],
  ) {}

  static async build(o: FeatureTableOptions): Promise<{ source: CachedFeatures; failed: Map<number, FileProblem> }> {
    const sampleSize = o.backbone.sampleShape.reduce((a, b) => a * b, 1);
    const views: Float32Array[][] = o.images.map(() => []);
    const failed = new Map<number, FileProblem>();
    const total = o.images.reduce((n, _, i) => n + o.viewsOf(i), 0);
    const progress: LoadProgress = { done: 0, total, reused: 0 };
    const pending: { image: number; view: number; key: string; input: Float32Array }[] = [];
    const perImage = o.preprocessing.channels * o.preprocessing.size ** 2;
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const input = new Float32Array(perImage * pending.length);
      pending.forEach((p, i) => input.set(p.input, i * perImage));
      const out = await o.backbone.run(input, pending.length);
      pending.forEach((p, i) => {
        const sample = out.slice(i * sampleSize, (i + 1) * sampleSize);
        o.cache.write(p.key, sample);
        views[p.image]![p.view] = sample;
      });
      progress.done += pending.length;
      pending.length = 0;
      o.onProgress?.({ ...progress });
    };

    for (let i = 0; i < o.images.length; i++) {
      if (o.signal?.aborted) break;
      const image = o.images[i]!;
      let plane: Float32Array | undefined;
      for (let v = 0; v < o.viewsOf(i); v++) {
        const key = FeatureCache.viewKey(image.sha256, v, o.augmentation, o.seed);
        const hit = o.cache.read(key, sampleSize);
        if (hit) {
          views[i]![v] = hit;
          progress.done++;
          progress.reused++;
          continue;
        }
        if (plane === undefined) {
          try {
            plane = resizedPlane((await loadInput(image.file)).image, o.preprocessing);
          } catch (error) {
            const info = toErrorInfo(error, 'IMAGE_DECODE_FAILED');
            failed.set(i, { file: image.name, code: 'unreadable', message: `${info.code}: ${info.message}` });
            progress.done += o.viewsOf(i) - v;
            break;
          }
        }
        const viewPlane =
          v === 0 || !o.augmentation
            ? plane
            : augmentPlane(plane, o.preprocessing.size, o.augmentation, viewRandom(o.seed, image.sha256, v));
        const input = new Float32Array(perImage);
        normalisePlane(viewPlane, o.preprocessing, input, 0);
        pending.push({ image: i, view: v, key, input });
        if (pending.length >= (o.batchSize ?? 8)) await flush();
      }
      o.onProgress?.({ ...progress });
    }
    await flush();
    return { source: new CachedFeatures(o.backbone.sampleShape, views), failed };
  }

  batch(indices: readonly number[], epoch: number | null): Float32Array {
    const size = this.sampleShape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(indices.length * size);
    indices.forEach((image, n) => {
      const views = this.views[image]!;
      // Epoch e trains on view e mod V: the plain image and each augmented view take turns.
      const view = epoch === null ? 0 : epoch % views.length;
      out.set(views[view]!, n * size);
    });
    return out;
  }
}

/** `full` mode: decoded, resized planes in memory; augmentation drawn afresh for each (epoch, image). */
export class ImageSamples implements SampleSource {
  readonly sampleShape: number[];

  private constructor(
    private readonly planes: Float32Array[],
    private readonly images: readonly CheckedImage[],
    private readonly p: Preprocessing,
    private readonly augmentation: Augmentation | null,
    private readonly seed: number,
  ) {
    this.sampleShape = [p.size, p.size, p.channels];
  }

  static async load(
    images: readonly CheckedImage[],
    p: Preprocessing,
    augmentation: Augmentation | null,
    seed: number,
    onProgress?: (x: LoadProgress) => void,
    signal?: AbortSignal,
  ): Promise<{ source: ImageSamples; failed: Map<number, FileProblem> }> {
    const planes: Float32Array[] = [];
    const failed = new Map<number, FileProblem>();
    for (let i = 0; i < images.length && !signal?.aborted; i++) {
      try {
        planes[i] = resizedPlane((await loadInput(images[i]!.file)).image, p);
      } catch (error) {
        const info = toErrorInfo(error, 'IMAGE_DECODE_FAILED');
        failed.set(i, { file: images[i]!.name, code: 'unreadable', message: `${info.code}: ${info.message}` });
      }
      onProgress?.({ done: i + 1, total: images.length, reused: 0 });
    }
    return { source: new ImageSamples(planes, images, p, augmentation, seed), failed };
  }

  batch(indices: readonly number[], epoch: number | null): Float32Array {
    const n = this.p.size * this.p.size;
    const c = this.p.channels;
    const out = new Float32Array(indices.length * n * c);
    const chw = new Float32Array(n * c);
    indices.forEach((image, b) => {
      let plane = this.planes[image]!;
      if (epoch !== null && this.augmentation)
        plane = augmentPlane(plane, this.p.size, this.augmentation, viewRandom(this.seed, this.images[image]!.sha256, epoch + 1));
      normalisePlane(plane, this.p, chw, 0);
      // CHW → HWC, the tfjs layout.
      const base = b * n * c;
      for (let ch = 0; ch < c; ch++) for (let i = 0; i < n; i++) out[base + i * c + ch] = chw[ch * n + i]!;
    });
    return out;
  }
}
