import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { alignedCopy } from '../../../common/bytes.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { studyScratch } from '../../shared/scratch-pool.ts';
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
    throw unreadable(source, cause);
  }
  // readFile's Buffer may share a pooled ArrayBuffer; typed-array views of pixel data need their own.
  const bytes = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? new Uint8Array(raw.buffer) : alignedCopy(raw);
  return identify(path, bytes, source);
}

/**
 * readStudyFile for a caller that is done with the bytes when `use` settles (the classifier's
 * decode): a PNG or JPEG is read into a buffer of this thread's scratch pool, reused for the next
 * file, instead of fresh memory each time. A DICOM file gets its own copy, as readStudyFile gives
 * it, since its parsed dataset keeps views of the bytes. `use` must not keep `study.bytes`.
 */
export async function withStudyFile<T>(path: string, use: (study: StudyFile) => Promise<T>, source = path): Promise<T> {
  const buffer = readIntoScratch(path, source);
  try {
    const study = identify(path, new Uint8Array(buffer.buffer, 0, buffer.length), source, true);
    return await use(study);
  } finally {
    studyScratch.give(buffer.buffer);
  }
}

/** readFile's own limit, so both readers refuse the same files. */
const MAX_FILE_BYTES = 2 ** 31 - 1;

/**
 * Reads synchronously: the decode that follows blocks this thread for ten times longer anyway, and
 * four awaited file operations cost ~1 ms of thread-pool round trips per study (measured).
 */
function readIntoScratch(path: string, source: string): { buffer: ArrayBuffer; length: number } {
  let fd: number | undefined;
  let buffer: ArrayBuffer | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size > MAX_FILE_BYTES) throw new RangeError(`file is ${size} bytes, over the ${MAX_FILE_BYTES} bytes readFile reads`);
    buffer = studyScratch.take(size);
    let length = 0;
    // A file that grows while it is read is read up to the size it had; one that shrinks, to its end.
    while (length < size) {
      const bytesRead = readSync(fd, new Uint8Array(buffer, length, size - length), 0, size - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { buffer, length };
  } catch (cause) {
    if (buffer) studyScratch.give(buffer);
    throw unreadable(source, cause);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function unreadable(source: string, cause: unknown): DenseRayError {
  const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE';
  return new DenseRayError(code, `${source}: ${code === 'FILE_NOT_FOUND' ? 'no such file' : 'cannot be read'}`, { cause });
}

function identify(path: string, bytes: Uint8Array, source: string, borrowed = false): StudyFile {
  const name = basename(path);
  const image = sniffImageFormat(bytes);
  if (image) return { path, name, format: image, bytes };
  if (!isDicom(bytes)) throw new DenseRayError('IMAGE_UNSUPPORTED_FORMAT', `${source}: not DICOM, PNG or JPEG`);
  const own = borrowed ? alignedCopy(bytes) : bytes;
  return { path, name, format: 'dicom', bytes: own, dicom: readDicom(own, source) };
}
