import { DenseRayError } from '../../shared/errors.ts';
import { studyScratch } from '../../shared/scratch-pool.ts';
import { classifiability, renderForModel } from '../dicom/index.ts';
import { decodeStudyImage } from './decode-study-image.ts';
import type { GrayImage } from '../imaging/gray-image.ts';
import type { DicomFile } from '../dicom/types.ts';
import { readStudyFile, withStudyFile } from './study-file.ts';

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
  return dicomInput(path, study.dicom, options.frame);
}

/**
 * loadInput for a caller that is done with the image when `use` settles (the classifier's
 * prepare step): the file and a PNG/JPEG's decoded image live in this thread's scratch pool and
 * are reused for the next study. `use` must not keep `input.image` or a view of it.
 */
export function withLoadedInput<T>(path: string, options: { frame?: number }, use: (input: LoadedInput) => T | Promise<T>): Promise<T> {
  return withStudyFile(path, async (study) => {
    if (study.dicom) return use(await dicomInput(path, study.dicom, options.frame));
    const taken: Float32Array<ArrayBuffer>[] = [];
    const alloc = (length: number): Float32Array => {
      const floats = studyScratch.takeFloats(length);
      taken.push(floats);
      return floats;
    };
    try {
      return await use({ image: await decodeStudyImage(study, path, alloc), format: study.format });
    } finally {
      for (const floats of taken) studyScratch.give(floats.buffer);
    }
  });
}

async function dicomInput(path: string, dicom: DicomFile, frame = 0): Promise<LoadedInput> {
  const { meta } = dicom;
  const verdict = classifiability(meta);
  if (!verdict.ok) throw new DenseRayError(verdict.code, `${path}: ${verdict.reason}`);
  return {
    image: await renderForModel(dicom, frame),
    format: 'dicom',
    modality: meta.modality,
    sopClassUid: meta.sopClassUid,
    viewPosition: meta.viewPosition,
    bodyPartExamined: meta.bodyPartExamined,
  };
}
