import { readFile } from 'node:fs/promises';
import { classifiability, isDicom, readDicom, renderForModel } from '../dicom/index.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { decodeImage, sniffImageFormat } from '../imaging/decode.ts';
import type { GrayImage } from '../imaging/gray-image.ts';

export interface LoadedInput {
  image: GrayImage;
  format: 'dicom' | 'png' | 'jpeg';
  viewPosition?: string | undefined;
  bodyPartExamined?: string | undefined;
}

/**
 * Reads one study file as the classifier sees it: DICOM (detected by content) rendered through its
 * modality LUT, default window and polarity; PNG/JPEG decoded to grayscale. Non-X-ray modalities
 * are refused with MODALITY_NOT_SUPPORTED rather than scored.
 */
export async function loadInput(path: string, options: { frame?: number } = {}): Promise<LoadedInput> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE';
    throw new DenseRayError(code, `${path}: ${code === 'FILE_NOT_FOUND' ? 'no such file' : 'cannot be read'}`, { cause });
  }
  const imageFormat = sniffImageFormat(bytes);
  if (imageFormat) return { image: decodeImage(bytes, path), format: imageFormat };
  if (!isDicom(bytes)) {
    throw new DenseRayError('IMAGE_UNSUPPORTED_FORMAT', `${path}: not DICOM, PNG or JPEG`);
  }
  const file = readDicom(bytes, path);
  const verdict = classifiability(file.meta);
  if (!verdict.ok) throw new DenseRayError(verdict.code, `${path}: ${verdict.reason}`);
  const image = await renderForModel(file, options.frame ?? 0);
  return { image, format: 'dicom', viewPosition: file.meta.viewPosition, bodyPartExamined: file.meta.bodyPartExamined };
}
