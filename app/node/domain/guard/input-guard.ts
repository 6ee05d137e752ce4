import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { GuardVerdict } from '../../../common/contract/classify.ts';
import { isLateralView } from '../dicom/classifiability.ts';
import { DESCRIPTOR_NAMES, describeRadiograph } from './descriptor.ts';
import { mahalanobis, type GaussianReference } from './mahalanobis.ts';

export const GuardReferenceFile = z.object({
  descriptorVersion: z.literal(1),
  names: z.array(z.string()),
  mean: z.array(z.number()),
  inverseCovariance: z.array(z.number()),
  /** Distances above this are suspect; chosen on the reference set (see `calibration`). */
  threshold: z.number().positive(),
  calibration: z.string(),
});
export type GuardReferenceFile = z.infer<typeof GuardReferenceFile>;

export interface GuardContext {
  /** DICOM ViewPosition: the networks were trained on frontal (PA/AP) films only. */
  viewPosition?: string | undefined;
  /** DICOM BodyPartExamined, when the header names one. */
  bodyPartExamined?: string | undefined;
  /** DICOM Modality (absent in many Secondary Capture objects and in every PNG/JPEG). */
  modality?: string | undefined;
  sopClassUid?: string | undefined;
  /** The decoded image's size, before cropping and resizing to the network's input. */
  imageWidth?: number | undefined;
  imageHeight?: number | undefined;
}

const CHEST_BODY_PARTS = new Set(['CHEST', 'THORAX', 'LUNG']);

/**
 * The shorter side below which an image cannot be a chest radiograph DenseRay can judge: digital
 * chest films are 1500–3000 px, public datasets ship 1024 or 256–512 px downsamples, and models
 * take 224. A 128-px CT slice or a 64-px icon upsampled to 224 would be scored as noise.
 */
export const MIN_FILM_SIDE = 200;

/** Secondary Capture (PS3.4 B.5): a screenshot or conversion, not an acquired projection radiograph. */
const SECONDARY_CAPTURE_SOP_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.7',
  '1.2.840.10008.5.1.4.1.1.7.1',
  '1.2.840.10008.5.1.4.1.1.7.2',
  '1.2.840.10008.5.1.4.1.1.7.3',
  '1.2.840.10008.5.1.4.1.1.7.4',
]);

/**
 * The per-image input guard. Its score is the Mahalanobis distance of the image descriptor from
 * real chest X-rays divided by the threshold, so 1 is the boundary; above it, or for a lateral
 * view, the image is marked suspect with the reason instead of being scored silently.
 */
/**
 * The side the reference statistics were fitted at (films centre-cropped and resized to it, see the
 * reference's calibration). The descriptor's edge and texture terms depend on resolution, so a model
 * with another input size must be judged on a view of the film at this size, not on its own input.
 */
export const GUARD_INPUT_SIZE = 224;

export class InputGuard {
  private readonly reference: GaussianReference;

  constructor(private readonly file: GuardReferenceFile) {
    if (file.names.join() !== DESCRIPTOR_NAMES.join()) throw new Error('guard reference was built for another descriptor');
    this.reference = { mean: file.mean, inverseCovariance: file.inverseCovariance };
  }

  /** The reference statistics, as the decoding threads take them to judge films where they decode them. */
  get referenceFile(): GuardReferenceFile {
    return this.file;
  }

  static fromFile(path: string): InputGuard {
    return new InputGuard(GuardReferenceFile.parse(JSON.parse(readFileSync(path, 'utf8'))));
  }

  distance(image: Float32Array, size: number): number {
    return mahalanobis(describeRadiograph(image, size, size), this.reference);
  }

  assess(image: Float32Array, size: number, context: GuardContext = {}): GuardVerdict {
    const score = this.distance(image, size) / this.file.threshold;
    const view = context.viewPosition?.trim();
    if (view && isLateralView({ viewPosition: view })) {
      return {
        score,
        suspect: true,
        reason: `lateral view (ViewPosition ${view.toUpperCase()}): the model was trained on frontal films only`,
      };
    }
    const bodyPart = context.bodyPartExamined?.trim();
    if (bodyPart && !CHEST_BODY_PARTS.has(bodyPart.toUpperCase())) {
      return { score, suspect: true, reason: `the DICOM header says body part ${bodyPart}, not the chest` };
    }
    const { imageWidth: w, imageHeight: h } = context;
    if (w !== undefined && h !== undefined && Math.min(w, h) < MIN_FILM_SIDE) {
      return {
        score,
        suspect: true,
        reason: `the image is only ${w}×${h} pixels; chest radiographs are at least ${MIN_FILM_SIDE} px on the shorter side (likely not a chest film, or too small to judge)`,
      };
    }
    if (!context.modality && context.sopClassUid && SECONDARY_CAPTURE_SOP_CLASSES.has(context.sopClassUid.trim())) {
      return {
        score,
        suspect: true,
        reason:
          'a Secondary Capture without a Modality: nothing says this is a chest radiograph (a screenshot or a converted image of another modality?)',
      };
    }
    if (score <= 1) return { score, suspect: false, reason: null };
    const inverted = new Float32Array(image.length);
    for (let i = 0; i < image.length; i++) inverted[i] = 1 - image[i]!;
    if (this.distance(inverted, size) / this.file.threshold <= 1) {
      return {
        score,
        suspect: true,
        reason: 'looks like a chest film with inverted polarity (bone dark, lungs bright): check MONOCHROME1/2 or the export settings',
      };
    }
    return {
      score,
      suspect: true,
      reason: `does not look like a frontal chest radiograph (distance ${score.toFixed(2)}× the limit seen on real chest X-rays)`,
    };
  }
}
