import type { DicomMetadata } from './types.ts';

/** Projection radiography: what a chest X-ray classifier was trained on. */
const XRAY_MODALITIES = new Set(['CR', 'DX']);
const LATERAL_VIEWS = new Set(['LL', 'RL', 'LATERAL', 'LAT', 'LLD', 'RLD']);

/** CR or DX, or no Modality at all (unknown: let it through, the caller may warn). */
export function isXrayModality(meta: Pick<DicomMetadata, 'modality'>): boolean {
  return meta.modality === undefined || XRAY_MODALITIES.has(meta.modality);
}

export function isLateralView(meta: Pick<DicomMetadata, 'viewPosition'>): boolean {
  return meta.viewPosition !== undefined && LATERAL_VIEWS.has(meta.viewPosition.toUpperCase());
}

export type Classifiability = { ok: true; warnings: string[] } | { ok: false; code: 'MODALITY_NOT_SUPPORTED'; reason: string };

/** Whether the chest X-ray classifier may run on this image, and what to warn about if it may. */
export function classifiability(meta: Pick<DicomMetadata, 'modality' | 'viewPosition' | 'bodyPartExamined'>): Classifiability {
  if (!isXrayModality(meta)) {
    return {
      ok: false,
      code: 'MODALITY_NOT_SUPPORTED',
      reason: `modality ${meta.modality} is not a projection radiograph (CR or DX); the classifier is trained on chest X-rays only`,
    };
  }
  const warnings: string[] = [];
  if (meta.modality === undefined) warnings.push('the file has no Modality; assuming a radiograph');
  if (isLateralView(meta))
    warnings.push(`view position ${meta.viewPosition} is lateral; the classifier is trained on frontal (PA/AP) views`);
  const bodyPart = meta.bodyPartExamined?.toUpperCase();
  if (bodyPart !== undefined && bodyPart !== 'CHEST' && bodyPart !== 'THORAX' && bodyPart !== 'LUNG') {
    warnings.push(`body part examined is ${meta.bodyPartExamined}, not the chest`);
  }
  return { ok: true, warnings };
}
