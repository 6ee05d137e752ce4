import type { DataSet } from 'dicom-parser';
import type { TransferSyntax } from './transfer-syntax.ts';

/**
 * Cheap looks at a dataset's raw structure, for naming what is wrong when the parser fails or
 * quietly runs to the end of the file: where the File Meta group ends, whether the first element
 * is encoded the way the Transfer Syntax UID says, and which top-level sequence is open-ended.
 */

const VRS = new Set('AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '));
/** Explicit VRs with a 2-byte reserved field and a 4-byte length. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const UNDEFINED_LENGTH = 0xffffffff;
/** A top-level walk looks at this many elements at most: the culprits sit near the start. */
const MAX_TOP_LEVEL_ELEMENTS = 4096;

export function formatTagNumbers(group: number, element: number): string {
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
  return `(${hex(group)},${hex(element)})`;
}

/** Byte position just after the File Meta group, as the parser read it. */
export function metaGroupEnd(meta: DataSet): number {
  let end = 0;
  for (const element of Object.values(meta.elements)) end = Math.max(end, element.dataOffset + element.length);
  return end;
}

/** The VR letters at `at`, when they are one of the standard's VRs. */
function vrAt(bytes: Uint8Array, at: number): string | undefined {
  if (at + 2 > bytes.length) return undefined;
  const vr = String.fromCharCode(bytes[at]!, bytes[at + 1]!);
  return VRS.has(vr) ? vr : undefined;
}

/**
 * Whether the dataset's first element contradicts the declared VR encoding: 'implicit' when the
 * syntax says explicit but no VR stands where it must, 'explicit' when the syntax says implicit but
 * a VR stands where the length should. Undefined when it agrees or cannot be told.
 */
export function encodingContradiction(
  bytes: Uint8Array,
  datasetStart: number,
  syntax: TransferSyntax,
): 'implicit' | 'explicit' | undefined {
  if (syntax.encoding === 'deflate' || datasetStart + 8 > bytes.length) return undefined;
  const hasVr = vrAt(bytes, datasetStart + 4) !== undefined;
  if (syntax.explicitVr && !hasVr) return 'implicit';
  if (!syntax.explicitVr && hasVr) return 'explicit';
  return undefined;
}

/**
 * The first top-level element of undefined length (a sequence, or pixel data), walking element
 * headers from `datasetStart` and skipping defined-length values; undefined if none is found.
 */
export function firstOpenEndedElement(bytes: Uint8Array, datasetStart: number, syntax: TransferSyntax): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = syntax.littleEndian;
  let at = datasetStart;
  for (let n = 0; n < MAX_TOP_LEVEL_ELEMENTS && at + 8 <= bytes.length; n++) {
    const group = view.getUint16(at, le);
    const element = view.getUint16(at + 2, le);
    let length: number;
    let header: number;
    const vr = syntax.explicitVr ? vrAt(bytes, at + 4) : undefined;
    if (vr && LONG_VRS.has(vr)) {
      if (at + 12 > bytes.length) return undefined;
      length = view.getUint32(at + 8, le);
      header = 12;
    } else if (vr) {
      length = view.getUint16(at + 6, le);
      header = 8;
    } else {
      length = view.getUint32(at + 4, le);
      header = 8;
    }
    if (length === UNDEFINED_LENGTH) return formatTagNumbers(group, element);
    at += header + length;
  }
  return undefined;
}

/** dicom-parser's words when it ran out of file inside a sequence or item of undefined length. */
export function hitEndInsideSequence(dataSet: DataSet): boolean {
  const warnings = (dataSet as DataSet & { warnings?: string[] }).warnings ?? [];
  return warnings.some((w) => /eof encountered before finding (sequence|item)/i.test(w));
}

export function isStackOverflow(thrown: unknown): boolean {
  const error = thrown instanceof Error ? thrown : (thrown as { exception?: unknown } | undefined)?.exception;
  return error instanceof RangeError && /call stack/i.test(error.message);
}
