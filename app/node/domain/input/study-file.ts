import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { alignedCopy } from '../../../common/bytes.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { isDicom, readDicom } from '../dicom/index.ts';
import type { DicomFile } from '../dicom/types.ts';
import { type ImageFormat, sniffImageFormat } from '../imaging/decode.ts';

/**
 * One opened study file, the single way every path into DenseRay reads one: the classifier, the
 * viewer, thumbnails, batch jobs and `dicom info` all start here, so they all see the same bytes
 * and the same parsed dataset.
 */
export interface StudyFile {
  path: string;
  /** The file name without its folder, for messages shown to users. */
  name: string;
  format: 'dicom' | ImageFormat;
  /** The whole file in its own ArrayBuffer (never a view into Node's shared Buffer pool). */
  bytes: Uint8Array;
  /** The parsed dataset, for DICOM files. */
  dicom?: DicomFile;
}

/**
 * Reads and identifies a study file by content (never by extension): PNG, JPEG or DICOM (with or
 * without the Part 10 preamble). Throws FILE_NOT_FOUND, FILE_UNREADABLE, IMAGE_UNSUPPORTED_FORMAT or
 * the DICOM parser's codes; `source` names the file in messages (default: the path).
 */
export async function readStudyFile(path: string, source = path): Promise<StudyFile> {
  let raw: Uint8Array;
  try {
    raw = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE';
    throw new DenseRayError(code, `${source}: ${code === 'FILE_NOT_FOUND' ? 'no such file' : 'cannot be read'}`, { cause });
  }
  // readFile's Buffer may share a pooled ArrayBuffer; typed-array views of pixel data need their own.
  const bytes = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? new Uint8Array(raw.buffer) : alignedCopy(raw);
  const name = basename(path);
  const image = sniffImageFormat(bytes);
  if (image) return { path, name, format: image, bytes };
  if (!isDicom(bytes)) throw new DenseRayError('IMAGE_UNSUPPORTED_FORMAT', `${source}: not DICOM, PNG or JPEG`);
  return { path, name, format: 'dicom', bytes, dicom: readDicom(bytes, source) };
}
