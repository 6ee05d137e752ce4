import { z } from 'zod';
import { ErrorInfo } from '../errors.ts';
import { Float32ArraySchema, ModelInfo, PixelRect, Prediction } from './classify.ts';

export { PixelRect };

/**
 * The studies API: what the worklist and the viewer need. A study is one opened image file; the
 * back end keeps its path and hands the UI an opaque id, so the renderer never invents a path.
 * The viewer gets full-resolution modality values and the candidate windows, not an 8-bit picture,
 * so it can re-window without asking the back end to decode again.
 */
export const Uint8ArraySchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array');

/** Ids are made by the back end; the pattern keeps forged ids from reaching any lookup. */
export const StudyId = z.string().regex(/^s[0-9a-z]{1,24}$/, 'a study id from studies.open');
export type StudyId = z.infer<typeof StudyId>;

/** A caller-chosen id for one long operation, used by its progress events and by studies.cancel. */
export const OperationId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const StudyFormat = z.enum(['dicom', 'png', 'jpeg']);
export type StudyFormat = z.infer<typeof StudyFormat>;

/** 8-bit grayscale, already windowed with the default window and polarity. */
export const Thumbnail = z.object({ width: z.number().int().positive(), height: z.number().int().positive(), data: Uint8ArraySchema });
export type Thumbnail = z.infer<typeof Thumbnail>;

export const StudySummary = z.object({
  id: StudyId,
  /** The file's name (not its folder), for lists and reports. */
  name: z.string(),
  format: StudyFormat,
  patientName: z.string().optional(),
  patientId: z.string().optional(),
  patientSex: z.string().optional(),
  patientAge: z.string().optional(),
  studyDate: z.string().optional(),
  studyTime: z.string().optional(),
  accessionNumber: z.string().optional(),
  studyDescription: z.string().optional(),
  modality: z.string().optional(),
  viewPosition: z.string().optional(),
  bodyPart: z.string().optional(),
  rows: z.number().int().positive(),
  columns: z.number().int().positive(),
  frames: z.number().int().positive(),
  /** Why a score for this image deserves doubt (lateral view, no modality, not the chest). */
  warnings: z.array(z.string()),
  /** Set when the classifier must not run on it at all (e.g. a CT or MR image). */
  notClassifiable: ErrorInfo.optional(),
  thumbnail: Thumbnail,
});
export type StudySummary = z.infer<typeof StudySummary>;

export const OpenFailure = z.object({ name: z.string(), error: ErrorInfo });
export type OpenFailure = z.infer<typeof OpenFailure>;

const FilePath = z.string().min(1).max(4096);

export const OpenStudiesRequest = z.object({
  /** Files and folders (walked recursively; only DICOM/PNG/JPEG by content are kept). */
  paths: z.array(FilePath).min(1).max(1000),
  opId: OperationId.optional(),
});
export const OpenStudiesResponse = z.object({ studies: z.array(StudySummary), failures: z.array(OpenFailure) });
export type OpenStudiesResponse = z.infer<typeof OpenStudiesResponse>;

export const ViewerWindow = z.object({
  /** Shown on the preset button: the header's explanation, or what the window is. */
  label: z.string(),
  center: z.number(),
  width: z.number().positive(),
  source: z.enum(['header', 'auto', 'full-range']),
});
export type ViewerWindow = z.infer<typeof ViewerWindow>;

/**
 * Where a distance in mm comes from (PS3.3 10.7.1.3): Pixel Spacing is calibrated to the patient;
 * Imager Pixel Spacing is measured at the detector, so a projection radiograph's anatomy measures
 * larger by the beam's magnification (typically 5–15 % for a PA chest).
 */
export const PixelCalibration = z.object({
  /** Spacing between rows (vertical) and between columns (horizontal), mm. */
  rowSpacing: z.number().positive(),
  columnSpacing: z.number().positive(),
  source: z.enum(['PixelSpacing', 'ImagerPixelSpacing']),
});
export type PixelCalibration = z.infer<typeof PixelCalibration>;

export const PixelsRequest = z.object({ id: StudyId, frame: z.number().int().nonnegative().default(0) });
export const StudyPixels = z.object({
  id: StudyId,
  frame: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** width×height values after the Modality LUT (DICOM), or 0–255 luminance (PNG/JPEG). */
  values: Float32ArraySchema,
  /** What `values` are, for the pixel readout. */
  unit: z.string(),
  min: z.number(),
  max: z.number(),
  /** MONOCHROME1: display inverted after windowing. */
  invert: z.boolean(),
  /** Candidate windows in preset order (keys 1–5): the stored ones first, then auto and full range. */
  windows: z.array(ViewerWindow).min(1),
  /** Index into `windows` of the default display. */
  defaultWindow: z.number().int().nonnegative(),
  /** Anything the viewer cannot reproduce exactly (e.g. a VOI LUT shown as its nearest window). */
  note: z.string().optional(),
  /** Millimetres per pixel for the ruler; absent = uncalibrated (PNG/JPEG, or DICOM without spacing). */
  calibration: PixelCalibration.optional(),
});
export type StudyPixels = z.infer<typeof StudyPixels>;

export const StudyTag = z.object({
  tag: z.string(),
  vr: z.string(),
  name: z.string().optional(),
  value: z.string(),
  depth: z.number().int().nonnegative(),
});
export type StudyTag = z.infer<typeof StudyTag>;
export const TagsResponse = z.object({ id: StudyId, tags: z.array(StudyTag) });

export const CamNormalisationMode = z.enum(['sigmoid', 'minmax']);
export type CamNormalisationMode = z.infer<typeof CamNormalisationMode>;

/** Display-ready heatmaps: K×h×w maps in [0,1] for each normalisation, label order = model labels. */
export const StudyHeatmaps = z.object({
  region: PixelRect,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  sigmoid: Float32ArraySchema,
  minmax: Float32ArraySchema,
});
export type StudyHeatmaps = z.infer<typeof StudyHeatmaps>;

/**
 * A result read back from the study store (a batch job scored this image with the same model and
 * weights) instead of computed again: which job wrote it, when, and with which model.
 */
export const StoredProvenance = z.object({
  jobId: z.number().int().nullable(),
  /** ISO 8601. */
  storedAt: z.string(),
  modelId: z.string(),
  weightsSha256: z.string(),
});
export type StoredProvenance = z.infer<typeof StoredProvenance>;

export const StudyResult = z.discriminatedUnion('ok', [
  z.object({
    id: StudyId,
    ok: z.literal(true),
    prediction: Prediction,
    heatmaps: StudyHeatmaps.optional(),
    stored: StoredProvenance.optional(),
  }),
  z.object({ id: StudyId, ok: z.literal(false), error: ErrorInfo }),
]);
export type StudyResult = z.infer<typeof StudyResult>;

export const ClassifyStudiesRequest = z.object({
  ids: z.array(StudyId).min(1).max(10_000),
  opId: OperationId.optional(),
  /** Read results a batch job stored for the same image and model instead of scoring again (default). */
  useStored: z.boolean().optional(),
});
export const ClassifyStudiesResponse = z.object({ model: ModelInfo, results: z.array(StudyResult), cancelled: z.boolean() });
export type ClassifyStudiesResponse = z.infer<typeof ClassifyStudiesResponse>;

/** The heatmap PNG of one finding of a classified study, byte for byte what the CLI and reports write. */
export const HeatmapPngRequest = z.object({ id: StudyId, label: z.string().min(1).max(200) });
export const HeatmapPng = z.object({ id: StudyId, label: z.string(), model: ModelInfo, png: Uint8ArraySchema });

/** Earlier studies of the same patient (same Patient ID), for side-by-side comparison. */
export const PriorsRequest = z.object({ id: StudyId });
export const PriorStudy = z.object({
  summary: StudySummary,
  /** Already in the worklist, or found in the study store (a batch job saw it) and opened now. */
  source: z.enum(['opened', 'store']),
});
export type PriorStudy = z.infer<typeof PriorStudy>;
export const PriorsResponse = z.object({
  id: StudyId,
  /** Studies dated before this one, most recent first (the usual comparison is the latest prior). */
  priors: z.array(PriorStudy),
});
export type PriorsResponse = z.infer<typeof PriorsResponse>;

export const CancelRequest = z.object({ opId: OperationId });
export const CancelResponse = z.object({ cancelled: z.boolean() });

export const EngineStatus = z.object({
  /** The model the engine has open; null before the first classification. */
  model: ModelInfo.nullable(),
  /** How many times the engine process died and was restarted. */
  restarts: z.number().int().nonnegative(),
});

/** The heatmap colour scale and what its ends mean, so the legend is drawn from the back end's truth. */
export const HeatmapScale = z.object({
  colormap: z.string(),
  /** 256 × RGB, 8-bit. */
  lut: Uint8ArraySchema,
  meanings: z.record(CamNormalisationMode, z.string()),
  defaultMode: CamNormalisationMode,
});
export type HeatmapScale = z.infer<typeof HeatmapScale>;
