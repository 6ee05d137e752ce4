import type { FileResult } from '../../../common/contract/classify.ts';
import type { ErrorCode } from '../../../common/errors.ts';
import { encodeFloat16 } from '../../shared/float16.ts';
import type { StudyOutcome } from '../store/result-ledger.ts';
import { encodeThumbnail } from './thumbnail.ts';

/**
 * Failures of one copy of an image (a truncated download, a damaged stream, a missing file): another
 * copy of the same SOP instance may read fine, so it is tried before the study counts as failed.
 * Anything else (a CT, an unsupported modality) is a property of the image and final at once.
 */
const COPY_SPECIFIC: ReadonlySet<ErrorCode> = new Set([
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'IMAGE_DECODE_FAILED',
  'NOT_DICOM',
  'DICOM_TRUNCATED',
  'DICOM_MALFORMED',
  'DICOM_NO_PIXEL_DATA',
  'DICOM_UNSUPPORTED_SYNTAX',
  'DICOM_PIXEL_DATA_SHORT',
  'DICOM_DECODE_FAILED',
]);

/** An engine result in the store's terms: CAMs as float16, what the network saw as a thumbnail. */
export function toOutcome(result: FileResult): StudyOutcome {
  if (!result.ok)
    return { ok: false, code: result.error.code, message: result.error.message, copySpecific: COPY_SPECIFIC.has(result.error.code) };
  const p = result.prediction;
  return {
    ok: true,
    probabilities: p.probabilities,
    flagged: p.flagged,
    triageScore: p.triageScore,
    guard: { score: p.guard.score, suspect: p.guard.suspect, reason: p.guard.reason },
    cam: p.cams ? { blob: encodeFloat16(p.cams.data), height: p.cams.height, width: p.cams.width } : null,
    thumbnail: p.modelInput ? { blob: encodeThumbnail(p.modelInput), size: p.modelInput.width } : null,
    timingsMs: p.timingsMs,
  };
}
