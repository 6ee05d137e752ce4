import { DenseRayError } from '../../shared/errors.ts';
import { classifiability, renderForModel } from '../dicom/index.ts';
import { decodeStudyImage } from './decode-study-image.ts';
import type { GrayImage } from '../imaging/gray-image.ts';
import { readStudyFile } from './study-file.ts';

/** What the header says about the image, for the input guard (absent for PNG/JPEG). */
export interface InputHeader {
  modality?: string | undefined;
  sopClassUid?: string | undefined;
  viewPosition?: string | undefined;
  bodyPartExamined?: string | undefined;
}

export interface LoadedInput extends InputHeader {
  image: GrayImage;
  format: 'dicom' | 'png' | 'jpeg';
}

/**
 * Reads one study file as the classifier sees it: DICOM rendered through its modality LUT, default
 * window and polarity (the same decode `dicom info` checks); PNG/JPEG decoded to grayscale.
 * Non-X-ray modalities are refused with MODALITY_NOT_SUPPORTED rather than scored.
 */
export async function loadInput(path: string, options: { frame?: number } = {}): Promise<LoadedInput> {
  const study = await readStudyFile(path);
  if (!study.dicom) return { image: await decodeStudyImage(study), format: study.format };
  const { meta } = study.dicom;
  const verdict = classifiability(meta);
  if (!verdict.ok) throw new DenseRayError(verdict.code, `${path}: ${verdict.reason}`);
  return {
    image: await renderForModel(study.dicom, options.frame ?? 0),
    format: 'dicom',
    modality: meta.modality,
    sopClassUid: meta.sopClassUid,
    viewPosition: meta.viewPosition,
    bodyPartExamined: meta.bodyPartExamined,
  };
}
