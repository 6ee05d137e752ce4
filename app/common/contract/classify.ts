import { z } from 'zod';
import { ErrorInfo } from '../errors.ts';

/** Large arrays cross boundaries as typed arrays (structured clone), never JSON number lists. */
export const Float32ArraySchema = z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array');

export const BackendChoice = z.enum(['auto', 'onnx', 'tfjs']);
export type BackendChoice = z.infer<typeof BackendChoice>;

/** Which model and weights produced a result — shown next to every result. */
export const ModelInfo = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  arch: z.string(),
  sha256: z.string(),
  demo: z.boolean(),
  backend: z.string(),
  backendDetail: z.string(),
  /** The precision the backend actually runs: an int8 variant on a float-only fallback backend says fp32. */
  precision: z.enum(['fp32', 'int8']),
  labels: z.array(z.string()),
  thresholds: z.record(z.string(), z.number()),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

/** The input guard's verdict: images it cannot judge are marked, not silently scored. */
export const GuardVerdict = z.object({
  /** Distance from the chest-radiograph reference distribution; larger = less like a CXR. */
  score: z.number(),
  suspect: z.boolean(),
  reason: z.string().nullable(),
});
export type GuardVerdict = z.infer<typeof GuardVerdict>;

export const CamSet = z.object({
  width: z.number().int(),
  height: z.number().int(),
  /** K×height×width unnormalised CAMs (spatial mean = logit), label order = model labels. */
  data: Float32ArraySchema,
  normalisation: z.literal('none: raw class score per cell; its spatial mean equals the logit'),
});
export type CamSet = z.infer<typeof CamSet>;

/**
 * A rectangle in image pixels. Integer for crop-first preprocessing; a resize-then-crop rule maps
 * back to film pixels through the resize scale, so it may be fractional.
 */
export const PixelRect = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().positive(),
  height: z.number().positive(),
});
export type PixelRect = z.infer<typeof PixelRect>;

/** The image the model was given and the part of it the network saw (where its CAMs belong). */
export const ImageGeometry = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  region: PixelRect,
});
export type ImageGeometry = z.infer<typeof ImageGeometry>;

export const Prediction = z.object({
  probabilities: z.record(z.string(), z.number()),
  logits: z.array(z.number()),
  flagged: z.array(z.string()),
  triageScore: z.number(),
  guard: GuardVerdict,
  cams: CamSet.optional(),
  /** The final relu(norm5) feature map C×h×w (e.g. 1024×7×7), only when asked for. */
  features: z
    .object({ channels: z.number().int(), height: z.number().int(), width: z.number().int(), data: Float32ArraySchema })
    .optional(),
  /** The decoded image's size and the region of it the network saw. */
  geometry: ImageGeometry,
  /** The cropped, resized grayscale image the network saw (values in [0,1]), for drawing CAMs on. */
  modelInput: z.object({ width: z.number().int(), height: z.number().int(), data: Float32ArraySchema }).optional(),
  /** Per-study milliseconds; `infer` is the batch's forward pass shared out per image. */
  timingsMs: z.object({ decode: z.number(), preprocess: z.number(), infer: z.number(), cam: z.number(), guard: z.number().optional() }),
});
export type Prediction = z.infer<typeof Prediction>;

export const FileResult = z.discriminatedUnion('ok', [
  z.object({ file: z.string(), ok: z.literal(true), prediction: Prediction }),
  z.object({ file: z.string(), ok: z.literal(false), error: ErrorInfo }),
]);
export type FileResult = z.infer<typeof FileResult>;
