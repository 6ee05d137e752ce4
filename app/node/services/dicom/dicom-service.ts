import { DenseRayError } from '../../shared/errors.ts';
import {
  type Classifiability,
  classifiability,
  decodeFrame,
  type DicomFile,
  type DicomMetadata,
  type DicomTag,
  renderToPng,
  type StoredStats,
  storedStats,
  type WindowOverride,
} from '../../domain/dicom/index.ts';
import { readStudyFile } from '../../domain/input/study-file.ts';

/** `denseray dicom info`: what the header says and what frame `frame` holds, through the same reader the classifier uses. */
export interface DicomInfo {
  file: string;
  meta: DicomMetadata;
  frame: number;
  stored: StoredStats;
  classifiability: Classifiability;
  tags: DicomTag[];
}

async function openDicom(path: string): Promise<DicomFile> {
  const study = await readStudyFile(path);
  if (!study.dicom) throw new DenseRayError('NOT_DICOM', `${path}: a ${study.format.toUpperCase()} image, not a DICOM file`);
  return study.dicom;
}

export async function dicomInfo(path: string, frameIndex = 0): Promise<DicomInfo> {
  const file = await openDicom(path);
  const frame = await decodeFrame(file, frameIndex);
  return {
    file: path,
    meta: file.meta,
    frame: frameIndex,
    stored: storedStats(frame.stored),
    classifiability: classifiability(file.meta),
    tags: file.tags(),
  };
}

/** `denseray dicom render`: an 8-bit grayscale PNG of a frame, default window or the one given. */
export async function renderDicom(
  path: string,
  options: { frame?: number; window?: WindowOverride | undefined } = {},
): Promise<{ png: Uint8Array; width: number; height: number; frame: number }> {
  const file = await openDicom(path);
  const frame = options.frame ?? 0;
  const png = await renderToPng(file, { frame, ...(options.window ? { window: options.window } : {}) });
  return { png, width: file.meta.columns, height: file.meta.rows, frame };
}
