import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { isDicom, readDicom } from '../dicom/index.ts';
import { sniffImageFormat } from '../imaging/decode.ts';
import type { CatalogEntry, DicomIdentity, FileCatalog } from '../store/file-catalog.ts';

export const SKIP_NOT_AN_IMAGE = 'not DICOM, PNG or JPEG';
export const SKIP_UNREADABLE = 'unreadable';
export const SKIP_EMPTY = 'empty file';

/**
 * What a file is, by content (extensions lie): a study file (format, content hash, DICOM
 * identity) or a skipped one with its reason. A file the store already knows with the same size and
 * mtime is not read again. A DICOM file whose header cannot be parsed still counts as a study: the
 * classifier will record its precise error, so it shows up in the report instead of vanishing.
 */
export async function identifyFile(path: string, catalog: FileCatalog): Promise<CatalogEntry> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch {
    return { kind: 'skipped', path, size: 0, mtimeMs: 0, reason: SKIP_UNREADABLE, code: 'FILE_UNREADABLE' };
  }
  const known = catalog.unchanged(path, info.size, info.mtimeMs);
  if (known) return { kind: 'known', fileId: known.id };
  const base = { path, size: info.size, mtimeMs: info.mtimeMs };
  if (info.size === 0) return { kind: 'skipped', ...base, reason: SKIP_EMPTY, code: 'IMAGE_UNSUPPORTED_FORMAT' };
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return { kind: 'skipped', ...base, reason: SKIP_UNREADABLE, code: 'FILE_UNREADABLE' };
  }
  const imageFormat = sniffImageFormat(bytes);
  const dicom = imageFormat === undefined && isDicom(bytes);
  if (!imageFormat && !dicom) return { kind: 'skipped', ...base, reason: SKIP_NOT_AN_IMAGE, code: 'IMAGE_UNSUPPORTED_FORMAT' };
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { kind: 'study', ...base, sha256, format: imageFormat ?? 'dicom', identity: dicom ? dicomIdentity(bytes, path) : {} };
}

function dicomIdentity(bytes: Uint8Array, path: string): DicomIdentity {
  try {
    const m = readDicom(bytes, path).meta;
    return {
      sopInstanceUid: m.sopInstanceUid,
      studyInstanceUid: m.studyInstanceUid,
      seriesInstanceUid: m.seriesInstanceUid,
      patientId: m.patientId,
      studyDate: m.studyDate,
      modality: m.modality,
      viewPosition: m.viewPosition,
    };
  } catch {
    return {}; // identified by its bytes; the classification records why it cannot be read
  }
}
