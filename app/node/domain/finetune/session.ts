import {
  HyperParameters,
  type DatasetSummary,
  type FileProblem,
  type FinetuneEvent,
  type FinetuneMode,
  type FinetuneRequestParsed,
} from '../../../common/contract/finetune.ts';
import type { ModelManifest } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { ModelStore } from '../store/model-store.ts';
import type { DenseNetSpec } from '../model/spec.ts';
import type { WeightMap } from '../model/tensor.ts';
import { readSafetensors } from '../model/weights/safetensors.ts';
import { join } from 'node:path';
import type { CheckedImage, SplitName } from './dataset/labelled-image.ts';
import { indicesOf, prepareDataset } from './dataset/prepare-dataset.ts';
import { openFrozenBackbone } from './features/backbone.ts';
import { FeatureCache } from './features/feature-cache.ts';
import { CachedFeatures, ImageSamples, type SampleSource } from './features/sample-source.ts';
import { startingWeights } from './new-head.ts';
import { createTrainingPath } from './train/create-training-path.ts';
import { gatherRows, type TrainingData } from './train/trainer.ts';
import type { TrainingPath } from './train/training-path.ts';
import { positiveWeights } from './train/loss.ts';

/** Everything a fine-tune (or an LR range test) needs, made once from the request. */
export interface FinetuneSession {
  parent: ModelManifest;
  parentWeights: WeightMap;
  mode: FinetuneMode;
  hp: HyperParameters;
  labels: string[];
  spec: DenseNetSpec;
  start: WeightMap;
  headFromParent: string[];
  images: CheckedImage[];
  splits: SplitName[];
  summary: DatasetSummary;
  data: TrainingData;
  test: number[];
}

export interface SessionOptions {
  dataDir: string;
  request: FinetuneRequestParsed;
  jobId: string;
  signal?: AbortSignal | undefined;
  onEvent?: ((e: FinetuneEvent) => void) | undefined;
  threads?: number | undefined;
}

/**
 * Parent model → dataset (checked, split, summarised: the `prepared` event) → starting weights
 * with the new head → what the trained part reads: cached backbone outputs (head, last-block;
 * computed on onnxruntime only for images not cached yet) or decoded images (full).
 */
export async function openSession(o: SessionOptions): Promise<FinetuneSession> {
  const r = o.request;
  const hp = HyperParameters.parse({ ...r.hyperParameters, seed: r.hyperParameters.seed ?? r.seed });
  const store = new ModelStore(o.dataDir);
  const parentModel = store.get(r.parentId ?? store.activeId());
  const parent = parentModel.manifest;
  const parentWeights = readSafetensors(store.readWeights(parentModel), parent.weights.file).tensors;

  const dataset = await prepareDataset(r);
  o.onEvent?.({ type: 'prepared', jobId: o.jobId, summary: dataset.summary });
  const { labels } = dataset;
  const { weights: start, fromParent } = startingWeights(parentWeights, parent.labels, labels, hp.seed);
  const spec: DenseNetSpec = { ...parent.spec, numClasses: labels.length };
  const p = parent.preprocessing;
  const onProgress = (x: { done: number; total: number; reused: number }): void => o.onEvent?.({ type: 'caching', jobId: o.jobId, ...x });

  let source: SampleSource;
  let failed: Map<number, FileProblem>;
  if (r.mode === 'full') {
    ({ source, failed } = await ImageSamples.load(dataset.images, p, hp.augmentation, hp.seed, onProgress, o.signal));
  } else {
    const point = r.mode === 'head' ? 'pooled' : 'block-input';
    const backbone = await openFrozenBackbone(
      point,
      { ...parent.spec, numClasses: parent.labels.length },
      parentWeights,
      p.size,
      o.threads,
    );
    try {
      const views = hp.augmentation ? 1 + hp.augmentation.cachedViews : 1;
      ({ source, failed } = await CachedFeatures.build({
        images: dataset.images,
        viewsOf: (i) => (dataset.splits[i] === 'train' ? views : 1),
        backbone,
        cache: new FeatureCache(join(o.dataDir, 'finetune-cache'), parent.weights.sha256, p, point),
        preprocessing: p,
        augmentation: hp.augmentation,
        seed: hp.seed,
        signal: o.signal,
        onProgress,
      }));
    } finally {
      await backbone.dispose();
    }
  }
  if (o.signal?.aborted) throw new DenseRayError('CANCELLED', 'fine-tuning was cancelled while reading images');
  // Images that failed to decode join the problem list and leave every split.
  dataset.summary.problems.push(...failed.values());
  const keep = (i: number): boolean => !failed.has(i);
  const train = indicesOf(dataset.splits, 'train').filter(keep);
  const val = indicesOf(dataset.splits, 'val').filter(keep);
  const test = indicesOf(dataset.splits, 'test').filter(keep);
  if (train.length === 0 || val.length === 0) {
    throw new DenseRayError('INVALID_ARGUMENT', `need images in both train and val splits (train ${train.length}, val ${val.length})`);
  }
  const targets = new Float32Array(dataset.images.length * labels.length);
  dataset.images.forEach((img, i) => targets.set(img.targets, i * labels.length));
  return {
    parent,
    parentWeights,
    mode: r.mode,
    hp,
    labels,
    spec,
    start,
    headFromParent: fromParent,
    images: dataset.images,
    splits: dataset.splits,
    summary: dataset.summary,
    data: {
      source,
      targets,
      classes: labels.length,
      train,
      val,
      positiveWeight: positiveWeights(gatherRows(targets, train, labels.length), labels.length),
    },
    test,
  };
}

/** The engine the request asks for (onnxruntime by default), planned for this session's batch and samples. */
export function openTrainingPath(s: FinetuneSession, request: FinetuneRequestParsed, threads?: number): Promise<TrainingPath> {
  return createTrainingPath({
    engine: request.engine,
    mode: s.mode,
    spec: s.spec,
    weights: s.start,
    inputSize: s.parent.preprocessing.size,
    sampleShape: s.data.source.sampleShape,
    batchSize: s.hp.batchSize,
    microBatch: request.microBatch,
    threads,
  });
}
