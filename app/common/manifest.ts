import { z } from 'zod';
import { ModelMetrics, TrainingRecord } from './contract/finetune.ts';
import { thresholdOf } from './defaults.ts';

/** The 14 ChestX-ray14 findings in CheXNet's output order. */
export const CHEXNET14_LABELS = [
  'Atelectasis',
  'Cardiomegaly',
  'Effusion',
  'Infiltration',
  'Mass',
  'Nodule',
  'Pneumonia',
  'Pneumothorax',
  'Consolidation',
  'Edema',
  'Emphysema',
  'Fibrosis',
  'Pleural_Thickening',
  'Hernia',
] as const;

/**
 * torchvision's DenseNets by name; the paper's families (`densenet` plain, `-b` bottleneck, `-c` compression,
 * `-bc` both) for nets DenseRay created; `custom` for any other imported spec. The spec is always the truth.
 */
export const Arch = z.enum([
  'densenet121',
  'densenet169',
  'densenet201',
  'densenet264',
  'custom',
  'densenet',
  'densenet-b',
  'densenet-c',
  'densenet-bc',
]);
export type Arch = z.infer<typeof Arch>;

export const DenseNetSpecSchema = z.object({
  growthRate: z.number().int().positive(),
  blockConfig: z.array(z.number().int().positive()).min(1),
  numInitFeatures: z.number().int().positive(),
  bnSize: z.number().int().positive(),
  inChannels: z.union([z.literal(1), z.literal(3)]),
  /** Absent: true (a 1×1 bottleneck of bnSize·k channels before each 3×3 conv, as torchvision). */
  bottleneck: z.boolean().optional(),
  /** Absent: 0.5. A transition turns m channels into ⌊θ·m⌋. */
  compression: z.number().gt(0).max(1).optional(),
  /** Absent: `imagenet` (7×7/2 conv, BN, ReLU, 3×3/2 max pool); `cifar` is one 3×3/1 conv. */
  stem: z.enum(['imagenet', 'cifar']).optional(),
});

/**
 * How an image becomes the network's input, applied in this order to a grayscale image in [0,1]:
 * crop, resize to size×size, replicate to `channels`, then (x − mean[c]) / std[c].
 * TorchXRayVision's [-1024, 1024] scaling is mean 0.5, std 1/2048.
 */
export const Preprocessing = z.object({
  size: z.number().int().min(8).max(2048),
  /**
   * `center-square`: offsets floor((long − side)/2). `center-square-xrv`: TorchXRayVision's
   * XRayCenterCrop, offsets floor(long/2) − floor(side/2) (one pixel further when long is even and
   * side odd). `center-after-resize`: torchvision's CenterCrop(size) after the `pil-bilinear` resize.
   */
  crop: z.enum(['center-square', 'none', 'center-square-xrv', 'center-after-resize']),
  /**
   * `bilinear-antialias`: torch.nn.functional.interpolate(bilinear, antialias=True, align_corners=False) in float.
   * `skimage-linear`: TorchXRayVision's XRayResizer, skimage.transform.resize(order=1, mode='constant',
   * anti_aliasing) applied after the (x − mean)/std scaling, as TorchXRayVision scales first.
   * `pil-bilinear`: torchvision Resize(shorterSide) on an 8-bit PIL image (PIL's fixed-point BILINEAR),
   * shorter side to `shorterSide`, then the `center-after-resize` crop to size×size.
   */
  resize: z.enum(['bilinear-antialias', 'skimage-linear', 'pil-bilinear']),
  /** `pil-bilinear` only: the shorter side after resizing (torchvision Resize(n)); `size` when absent. */
  shorterSide: z.number().int().min(8).max(4096).optional(),
  channels: z.union([z.literal(1), z.literal(3)]),
  mean: z.array(z.number()).min(1).max(3),
  std: z.array(z.number().positive()).min(1).max(3),
});
export type Preprocessing = z.infer<typeof Preprocessing>;

export const IMAGENET_PREPROCESSING: Preprocessing = {
  size: 224,
  crop: 'center-square',
  resize: 'bilinear-antialias',
  channels: 3,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/** What the network's raw outputs are and how they become probabilities. */
export const OutputSpec = z.object({
  /**
   * The network always ends in its Linear layer (a checkpoint whose head is Linear + Sigmoid is
   * imported as its Linear), so probabilities are sigmoid(logits) for every model.
   */
  activation: z.literal('sigmoid'),
  /**
   * Applied to the probabilities, per label. `op-norm` is TorchXRayVision's: p < t → p/(2t), else
   * 1 − (1 − p)/(2(1 − t)), in float32, so 0.5 is the operating point t and thresholds stay 0.5.
   */
  calibration: z.object({ kind: z.literal('op-norm'), opThresholds: z.array(z.number().gt(0).lt(1)).min(1) }).optional(),
});

/** Numeric precision a model runs at. `int8`: an integer network built from a float32 parent's weights. */
export const Precision = z.enum(['fp32', 'int8']);
export type Precision = z.infer<typeof Precision>;

/** The fidelity bar a quantised variant must meet against its float32 parent to be activated. */
export const GateBar = z.object({
  /** Worst finding's mean |Δprob|. */
  maxMeanAbsDelta: z.number().nonnegative(),
  maxAbsDelta: z.number().nonnegative(),
  /** Share of (image, finding) pairs whose flagged state (p ≥ threshold) agrees. */
  minFlaggedAgreement: z.number().min(0).max(1),
  /** Spearman's ρ of triage scores (the worklist order); not part of the default bar. */
  minTriageSpearman: z.number().min(-1).max(1).optional(),
});
export type GateBar = z.infer<typeof GateBar>;

/** A quantised variant measured against its parent on held-out images. */
export const FidelityReport = z.object({
  images: z.number().int().positive(),
  meanAbsDelta: z.number(),
  maxAbsDelta: z.number(),
  flaggedAgreement: z.number(),
  /** Null when either model gives every image the same triage score (no order to compare). */
  triageSpearman: z.number().nullable(),
  perFinding: z.array(z.object({ label: z.string(), meanAbsDelta: z.number(), maxAbsDelta: z.number(), flaggedAgreement: z.number() })),
  /**
   * How alike the two models' class activation maps are, over every (image, finding): Pearson's r
   * between the maps (median and worst), and how often their hottest cell is the same. Reported,
   * not part of the bar. Absent in reports made before it was measured.
   */
  cams: z
    .object({
      medianPearson: z.number().nullable(),
      minPearson: z.number().nullable(),
      peakCellAgreement: z.number(),
      maps: z.number().int(),
    })
    .optional(),
});
export type FidelityReport = z.infer<typeof FidelityReport>;

/** How an int8 variant was made and how close it came to its parent (manifest `quantization`). */
export const QuantizationRecord = z.object({
  /**
   * `integer-densenet`: the network built in integer operators (buildDenseNetInt8). `static-qdq`:
   * an earlier DenseRay's float graph rewritten to QDQ; still listed, no longer run.
   */
  method: z.enum(['integer-densenet', 'static-qdq']),
  activations: z.string(),
  weights: z.literal('int8, symmetric, per output channel'),
  /** How the drift quantisation noise causes was corrected. */
  biasCorrection: z.string().optional(),
  /** Calibrated ranges (JSON), beside the weights. */
  calibrationFile: z.string().min(1),
  calibrationSha256: z.string().regex(/^[0-9a-f]{64}$/),
  calibration: z.object({
    source: z.string(),
    images: z.number().int().positive(),
    heldOut: z.number().int().positive(),
    skipped: z.number().int().nonnegative(),
  }),
  gate: z.object({
    bar: GateBar,
    report: FidelityReport,
    passed: z.boolean(),
    failures: z.array(z.string()),
    /** A variant that missed the bar, installed anyway: who decided, and why. */
    forced: z.object({ reason: z.string().min(1), at: z.string() }).optional(),
  }),
  backend: z.string(),
  createdAt: z.string(),
});
export type QuantizationRecord = z.infer<typeof QuantizationRecord>;

export const ModelManifest = z.object({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, 'lower-case letters, digits, . _ -'),
  name: z.string().min(1),
  version: z.string().min(1),
  arch: Arch,
  spec: DenseNetSpecSchema,
  labels: z.array(z.string().min(1)).min(1),
  preprocessing: Preprocessing,
  output: OutputSpec,
  /** Per-label decision thresholds on the probability; a label missing here uses 0.5. */
  thresholds: z.record(z.string(), z.number().min(0).max(1)),
  /** CAM_k = Σ_c W[k,c]·F[c] + b[k] on F = relu(norm5(features)). */
  camLayer: z.literal('features.norm5.relu'),
  weights: z.object({
    file: z.string().min(1),
    format: z.literal('safetensors'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  /** True only for the seeded, untrained network: every surface must say so. */
  demo: z.boolean(),
  provenance: z.object({
    source: z.string(),
    license: z.string().optional(),
    importedFrom: z.string().optional(),
    importedFromSha256: z.string().optional(),
    createdAt: z.string(),
    notes: z.string().optional(),
  }),
  /** Statistics of pooled features on in-distribution chest X-rays, for the input guard. */
  inputGuard: z
    .object({
      file: z.string().min(1),
      threshold: z.number().positive(),
      description: z.string(),
    })
    .optional(),
  parent: z.string().optional(),
  /** Absent means fp32. An int8 variant names its float32 `parent` and carries its `quantization`. */
  precision: Precision.optional(),
  quantization: QuantizationRecord.optional(),
  /** How a fine-tuned model was trained (mode, hyper-parameters, dataset fingerprint, BatchNorm behaviour, dates). */
  training: TrainingRecord.optional(),
  /** Validation/test metrics of a fine-tuned model, and its parent's on the same images. */
  metrics: ModelMetrics.optional(),
});
export type ModelManifest = z.infer<typeof ModelManifest>;

/** Per-label decision thresholds in label order; a label the manifest does not list uses 0.5. */
export function thresholdsOf(m: ModelManifest): number[] {
  return m.labels.map((l) => thresholdOf(m.thresholds, l));
}

/** What every result names about the model and weights that made it. */
export function modelIdentity(m: ModelManifest) {
  const thresholds = thresholdsOf(m);
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    arch: m.arch,
    sha256: m.weights.sha256,
    demo: m.demo,
    precision: m.precision ?? 'fp32',
    labels: m.labels,
    thresholds: Object.fromEntries(m.labels.map((l, k) => [l, thresholds[k]!])),
  };
}
