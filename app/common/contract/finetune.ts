import { z } from 'zod';
import { ErrorInfo } from '../errors.ts';

/**
 * Fine-tuning: schemas for the API (Fine-tune screen, CLI --json), the progress events and the
 * training record a fine-tuned model's manifest carries. Kept free of manifest.ts imports because
 * the manifest imports `TrainingRecord` and `ModelMetrics` from here.
 */

/** `head`: linear probe on cached pooled features; `last-block`: last dense block + norm5 + head on cached activations; `full`: everything. */
export const FinetuneMode = z.enum(['head', 'last-block', 'full']);
export type FinetuneMode = z.infer<typeof FinetuneMode>;

export const ThresholdRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('youden') }),
  z.object({ kind: z.literal('target-sensitivity'), sensitivity: z.number().gt(0).max(1) }),
]);

/** Small geometric and photometric jitter; never a left-right flip unless asked (anatomy is not symmetric). */
export const Augmentation = z.object({
  rotationDegrees: z.number().min(0).max(30).default(7),
  scale: z.number().min(0).max(0.3).default(0.08),
  translate: z.number().min(0).max(0.2).default(0.05),
  brightness: z.number().min(0).max(0.3).default(0.08),
  contrast: z.number().min(0).max(0.5).default(0.1),
  horizontalFlip: z.boolean().default(false),
  /** Cached modes (head, last-block) cache this many augmented views per training image. */
  cachedViews: z.number().int().min(1).max(16).default(4),
});
export type Augmentation = z.infer<typeof Augmentation>;

export const HyperParameters = z.object({
  epochs: z.number().int().min(1).max(1000).default(30),
  batchSize: z.number().int().min(1).max(512).default(32),
  learningRate: z.number().positive().max(10).default(1e-3),
  /** L2 added to the gradient (PyTorch Adam's weight_decay). */
  weightDecay: z.number().min(0).max(1).default(1e-4),
  seed: z.number().int().min(0).default(0),
  /** Early stopping: epochs without a better validation mean AUROC. */
  patience: z.number().int().min(1).default(6),
  /** Reduce-on-plateau: epochs without improvement before the rate is multiplied by `plateauFactor`. */
  plateauPatience: z.number().int().min(1).default(2),
  plateauFactor: z.number().gt(0).lt(1).default(0.5),
  minLearningRate: z.number().min(0).default(1e-6),
  augmentation: Augmentation.nullable().default(null),
  thresholdRule: ThresholdRuleSchema.default({ kind: 'youden' }),
});
export type HyperParameters = z.infer<typeof HyperParameters>;

/** Where the labelled images are. */
export const DatasetRequest = z.object({
  /** A CSV file, or a folder with one sub-folder per class. */
  data: z.string().min(1),
  /** Folder that CSV image paths are relative to (default: the CSV's folder). */
  images: z.string().optional(),
  /** Train on these labels only (default: every label found). */
  labels: z.array(z.string().min(1)).min(1).optional(),
  /** `labelled-or-no-finding`: keep rows with a chosen label or NIH's `No Finding`, drop the rest (the toy task). */
  keep: z.enum(['all', 'labelled-or-no-finding']).default('all'),
  /** A CSV (image, split) fixing the split; else split by patient with `seed`. */
  splitFile: z.string().optional(),
  valFraction: z.number().min(0.05).max(0.5).default(0.15),
  testFraction: z.number().min(0).max(0.5).default(0.15),
  seed: z.number().int().min(0).default(0),
});
export type DatasetRequest = z.input<typeof DatasetRequest>;

export const FileProblemCode = z.enum([
  'missing',
  'unreadable',
  'unsupported-format',
  'unknown-label',
  'no-label',
  'bad-row',
  'duplicate',
  'split-unknown',
]);
export const FileProblem = z.object({ file: z.string(), code: FileProblemCode, message: z.string() });
export type FileProblem = z.infer<typeof FileProblem>;

export const SplitPart = z.object({
  images: z.number().int(),
  patients: z.number().int(),
  /** Positives per label (negatives = images − positives). */
  positives: z.record(z.string(), z.number().int()),
});
export type SplitPart = z.infer<typeof SplitPart>;

export const DatasetSummary = z.object({
  source: z.string(),
  format: z.enum(['csv', 'nih-csv', 'folders']),
  labels: z.array(z.string()),
  images: z.number().int(),
  patients: z.number().int(),
  /** `per-image` when the data had no patient ids: then the split cannot keep a patient's images together. */
  patientIds: z.enum(['column', 'per-image']),
  split: z.object({ train: SplitPart, val: SplitPart, test: SplitPart, method: z.enum(['stratified-patient', 'file']) }),
  problems: z.array(FileProblem),
  /** sha256 over every (image hash, patient, labels, split) row, sorted: the same data gives the same value. */
  fingerprint: z.string(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

const MaybeNumber = z.number().nullable();
export const LabelMetricsSchema = z.object({
  label: z.string(),
  positives: z.number().int(),
  negatives: z.number().int(),
  auroc: MaybeNumber,
  averagePrecision: MaybeNumber,
  threshold: z.number(),
  sensitivity: MaybeNumber,
  specificity: MaybeNumber,
  ece: MaybeNumber,
  reliability: z.array(
    z.object({ lower: z.number(), upper: z.number(), count: z.number().int(), meanPredicted: MaybeNumber, fractionPositive: MaybeNumber }),
  ),
});
export const SplitMetricsSchema = z.object({ images: z.number().int(), meanAuroc: MaybeNumber, perLabel: z.array(LabelMetricsSchema) });

/** Metrics of a fine-tuned model, and of its parent on the same images for the labels the parent has. */
export const ModelMetrics = z.object({
  val: SplitMetricsSchema,
  test: SplitMetricsSchema.nullable(),
  parent: z.object({ val: SplitMetricsSchema.nullable(), test: SplitMetricsSchema.nullable() }).nullable(),
});
export type ModelMetrics = z.infer<typeof ModelMetrics>;

export const EpochRecord = z.object({
  epoch: z.number().int(),
  trainLoss: z.number(),
  valLoss: z.number(),
  valMeanAuroc: MaybeNumber,
  learningRate: z.number(),
  seconds: z.number(),
});
export type EpochRecord = z.infer<typeof EpochRecord>;

export const StoppedBy = z.enum(['epochs', 'early-stopping', 'cancelled']);

/** Which engine trains: onnxruntime (DenseRay's backward graph, the default) or the TensorFlow.js fallback. */
export const TrainingEngine = z.enum(['onnxruntime', 'tfjs']);
export type TrainingEngine = z.infer<typeof TrainingEngine>;

/** How a job's steps run, decided before training starts: engine, and micro-batches when one batch does not fit in memory. */
export const TrainingPlan = z.object({
  engine: TrainingEngine,
  /** E.g. "onnxruntime-node 1.30.0 cpu, 2 threads, DenseRay backward graph" or "tfjs-wasm". */
  detail: z.string(),
  batchSize: z.number().int(),
  /** Rows per forward/backward pass; gradients of the batch's micro-batches are summed before each Adam step. */
  microBatch: z.number().int(),
  /** Estimated peak memory of one step at `microBatch`, and what was available when the plan was made (bytes; null when not estimated). */
  estimatedBytes: z.number().nullable(),
  availableBytes: z.number().nullable(),
});
export type TrainingPlan = z.infer<typeof TrainingPlan>;

/** What a fine-tuned model's manifest says about how it was made. */
export const TrainingRecord = z.object({
  mode: FinetuneMode,
  hyperParameters: HyperParameters,
  dataset: z.object({
    fingerprint: z.string(),
    source: z.string(),
    format: z.enum(['csv', 'nih-csv', 'folders']),
    images: z.number().int(),
    split: z.object({ train: SplitPart, val: SplitPart, test: SplitPart, method: z.enum(['stratified-patient', 'file']) }),
  }),
  /** Which parameters were trained, and what every BatchNorm did (running statistics are never updated). */
  trainedParameters: z.object({ count: z.number().int(), scope: z.string() }),
  batchNorm: z.string(),
  /** Rows of the new head copied from the parent's classifier (same label name); the rest started fresh. */
  headInitialisedFromParent: z.array(z.string()),
  stoppedBy: StoppedBy,
  bestEpoch: z.number().int(),
  history: z.array(EpochRecord),
  /** The tfjs backend, for models the TensorFlow.js path trained (every model before the onnxruntime path; absent on it). */
  tfjsBackend: z.string().optional(),
  /** How the steps ran (absent on models trained before the onnxruntime path, all of them on tfjs). */
  trainingPlan: TrainingPlan.optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type TrainingRecord = z.infer<typeof TrainingRecord>;

export const FinetuneRequest = DatasetRequest.extend({
  /** The model to start from (default: the active model). */
  parentId: z.string().optional(),
  mode: FinetuneMode,
  hyperParameters: HyperParameters.partial().default({}),
  /** Id and name of the new model (default: `<parent>-ft-<mode>-<timestamp>`). */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/)
    .optional(),
  name: z.string().min(1).optional(),
  activate: z.boolean().default(false),
  /** `auto`: onnxruntime, or TensorFlow.js when onnxruntime cannot start. */
  engine: z.enum(['auto', 'onnxruntime', 'tfjs']).default('auto'),
  /** Rows per forward/backward pass (gradient accumulation up to the batch); default: as many as memory allows. */
  microBatch: z.number().int().min(1).max(512).optional(),
});
export type FinetuneRequest = z.input<typeof FinetuneRequest>;
export type FinetuneRequestParsed = z.output<typeof FinetuneRequest>;

export const FinetuneResult = z.object({
  jobId: z.string(),
  /** The installed model version; null when cancelled before any epoch finished. */
  modelId: z.string().nullable(),
  parentId: z.string(),
  stoppedBy: StoppedBy,
  bestEpoch: z.number().int(),
  metrics: ModelMetrics.nullable(),
  history: z.array(EpochRecord),
});
export type FinetuneResult = z.infer<typeof FinetuneResult>;

/** Pushed on channel `finetune.progress` while a job runs (and written to the CLI's --json stream). */
export const FinetuneEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('prepared'), jobId: z.string(), summary: DatasetSummary }),
  z.object({ type: z.literal('caching'), jobId: z.string(), done: z.number().int(), total: z.number().int(), reused: z.number().int() }),
  z.object({ type: z.literal('plan'), jobId: z.string(), plan: TrainingPlan }),
  z.object({
    type: z.literal('step'),
    jobId: z.string(),
    epoch: z.number().int(),
    epochs: z.number().int(),
    step: z.number().int(),
    steps: z.number().int(),
    loss: z.number(),
    learningRate: z.number(),
    etaSeconds: z.number(),
  }),
  z.object({ type: z.literal('epoch'), jobId: z.string(), record: EpochRecord, best: z.boolean(), etaSeconds: z.number() }),
  z.object({ type: z.literal('finished'), jobId: z.string(), result: FinetuneResult }),
  z.object({ type: z.literal('failed'), jobId: z.string(), error: ErrorInfo }),
]);
export type FinetuneEvent = z.infer<typeof FinetuneEvent>;
export const FINETUNE_PROGRESS_CHANNEL = 'finetune.progress';

export const JobState = z.enum(['running', 'finished', 'cancelled', 'failed']);
export const JobStatus = z.object({
  jobId: z.string(),
  state: JobState,
  history: z.array(EpochRecord),
  result: FinetuneResult.nullable(),
  error: ErrorInfo.nullable(),
});
export type JobStatus = z.infer<typeof JobStatus>;

export const LrRangeResult = z.object({
  points: z.array(z.object({ learningRate: z.number(), loss: z.number() })),
  /** Where the smoothed loss fell fastest, a usual starting rate; null when the loss never fell. */
  suggested: z.number().nullable(),
});
export type LrRangeResult = z.infer<typeof LrRangeResult>;

const CompareCell = z.object({
  auroc: MaybeNumber,
  averagePrecision: MaybeNumber,
  sensitivity: MaybeNumber,
  specificity: MaybeNumber,
  threshold: z.number(),
});
export const ModelComparison = z.object({
  modelId: z.string(),
  parentId: z.string().nullable(),
  /** The split the numbers come from: test when the data had one, else validation. */
  split: z.enum(['test', 'val']),
  images: z.number().int(),
  meanAuroc: z.object({ model: MaybeNumber, parent: MaybeNumber }),
  rows: z.array(z.object({ label: z.string(), model: CompareCell, parent: CompareCell.nullable() })),
});
export type ModelComparison = z.infer<typeof ModelComparison>;

/** Entries for the API table in api.ts. */
export const finetuneApi = {
  'finetune.inspect': { request: DatasetRequest, response: DatasetSummary },
  'finetune.start': { request: FinetuneRequest, response: z.object({ jobId: z.string() }) },
  'finetune.resume': { request: z.object({ jobId: z.string() }), response: z.object({ jobId: z.string() }) },
  'finetune.status': { request: z.object({ jobId: z.string() }), response: JobStatus },
  'finetune.cancel': { request: z.object({ jobId: z.string() }), response: z.object({ jobId: z.string(), state: JobState }) },
  'finetune.findLr': { request: FinetuneRequest, response: LrRangeResult },
  'finetune.compare': { request: z.object({ modelId: z.string() }), response: ModelComparison },
} as const;
