import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ErrorInfo } from '../../../common/errors.ts';
import { readDicom } from '../../domain/dicom/index.ts';
import { isValidUid } from '../../domain/dicom-net/uid.ts';
import type { DicomNodeRecords, InstanceRow } from '../../domain/store/dicom-node-records.ts';
import { toErrorInfo } from '../../shared/errors.ts';
import type { NodeFiles } from './node-files.ts';

/** A complete Part 10 file that arrived (C-STORE) or was retrieved (WADO-RS), not yet stored. */
export interface ArrivedFile {
  tempPath: string;
  size: number;
  sha256: string;
  /** As the sender declared them (the C-STORE command, the retrieve URL); the dataset's own win when readable. */
  sopClassUid: string;
  sopInstanceUid: string;
  direction: 'receive' | 'retrieve';
  /** Who it came from: 'CALLING_AE@address' or the DICOMweb root. */
  peer: string;
}

export type IngestResult =
  | { kind: 'new'; instance: InstanceRow }
  | { kind: 'duplicate'; first: InstanceRow }
  | { kind: 'unreadable'; instance: InstanceRow; error: ErrorInfo };

/**
 * Keeps an arrived file and records it, once per SOP Instance UID. The header is read with the
 * same reader every door uses, so a dataset it cannot read is answered with its code at once (and
 * still kept, for whoever investigates); the file is moved into place before the record
 * is committed, so a committed record always has its file.
 */
export function ingest(records: DicomNodeRecords, files: NodeFiles, arrived: ArrivedFile): IngestResult {
  let failure: ErrorInfo | undefined;
  let meta: ReturnType<typeof readDicom>['meta'] | undefined;
  try {
    meta = readDicom(readFileSync(arrived.tempPath), basename(arrived.tempPath)).meta;
  } catch (error) {
    failure = toErrorInfo(error, 'DICOM_MALFORMED');
  }
  const validSop = pickUid(meta?.sopInstanceUid, arrived.sopInstanceUid);
  const sopInstanceUid = validSop ?? `sha256:${arrived.sha256}`;
  const sopClassUid = pickUid(meta?.sopClassUid, arrived.sopClassUid) ?? 'unknown';
  const dir = join(files.received, arrived.sha256.slice(0, 2));
  mkdirSync(dir, { recursive: true });
  // Named by its SOP Instance UID (digits and dots, checked), so lists show something a PACS admin recognises.
  const path = join(dir, `${validSop ?? arrived.sha256}.dcm`);
  renameSync(arrived.tempPath, path);
  const effect = records.receive(
    {
      sopInstanceUid,
      sopClassUid,
      studyInstanceUid: meta?.studyInstanceUid,
      seriesInstanceUid: meta?.seriesInstanceUid,
      modality: meta?.modality,
      path,
      size: arrived.size,
      sha256: arrived.sha256,
      origin: arrived.peer,
      failure,
    },
    { direction: arrived.direction, peer: arrived.peer },
  );
  if (effect.kind === 'duplicate') {
    // The first copy is the one kept; a second copy with other bytes is not.
    if (effect.first.path !== path) rmSync(path, { force: true });
    return effect;
  }
  return failure ? { kind: 'unreadable', instance: effect.instance, error: failure } : effect;
}

function pickUid(...candidates: (string | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    const uid = candidate?.replace(/\0/g, '').trim();
    if (uid && isValidUid(uid)) return uid;
  }
  return undefined;
}
