import { imageElements, writeTestDicom } from '../helpers/write-dicom.ts';

/** Hostile DICOM files built at test time from a valid 8×8 film (no blobs in the repository). */

const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';

export function validFilm(options: { rows?: number; columns?: number; transferSyntaxUid?: string } = {}): Uint8Array {
  const rows = options.rows ?? 8;
  const columns = options.columns ?? 8;
  const pixels = new Uint8Array(Math.max(2, rows * columns)).map((_, i) => (i * 37) & 0xff);
  return writeTestDicom(imageElements({ rows, columns, bitsAllocated: 8, bitsStored: 8, signed: false, pixels }), {
    transferSyntaxUid: options.transferSyntaxUid ?? EXPLICIT_LE,
  });
}

/** The Part 10 prefix and File Meta group alone (explicit VR LE), for a dataset written by hand. */
export function metaOnly(transferSyntaxUid: string): Uint8Array {
  return writeTestDicom([], { transferSyntaxUid });
}

function tagBytes(group: number, element: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(group, 0);
  b.writeUInt16LE(element, 2);
  return b;
}
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};
const UNDEFINED = 0xffffffff;
const ITEM = tagBytes(0xfffe, 0xe000);
const ITEM_END = concat([tagBytes(0xfffe, 0xe00d), u32(0)]);
const SEQUENCE_END = concat([tagBytes(0xfffe, 0xe0dd), u32(0)]);
/** An explicit-VR SQ header of undefined length. */
const sequenceStart = (group: number, element: number): Uint8Array =>
  concat([tagBytes(group, element), Buffer.from('SQ\0\0'), u32(UNDEFINED)]);

/** Referenced Image Sequence (0008,1140) of undefined length whose item and sequence delimiters never come. */
export function unclosedSequence(): Uint8Array {
  const modality = concat([tagBytes(0x0008, 0x0060), Buffer.from('CS'), Buffer.from([2, 0]), Buffer.from('DX')]);
  const inner = concat([tagBytes(0x0008, 0x1150), Buffer.from('UI'), Buffer.from([4, 0]), Buffer.from('1.2\0')]);
  return concat([metaOnly(EXPLICIT_LE), modality, sequenceStart(0x0008, 0x1140), ITEM, u32(UNDEFINED), inner]);
}

/** `depth` sequences of undefined length, each in the one item of the one before, all properly closed. */
export function nestedSequences(depth: number): Uint8Array {
  const open = concat([sequenceStart(0x0040, 0xa730), ITEM, u32(UNDEFINED)]);
  const close = concat([ITEM_END, SEQUENCE_END]);
  const parts: Uint8Array[] = [metaOnly(EXPLICIT_LE)];
  for (let i = 0; i < depth; i++) parts.push(open);
  for (let i = 0; i < depth; i++) parts.push(close);
  return concat(parts);
}

/**
 * A film written in Implicit VR Little Endian whose File Meta group then claims Explicit VR:
 * the dataset is fine, the label is wrong.
 */
export function implicitLabelledExplicit(): Uint8Array {
  const film = validFilm({ transferSyntaxUid: IMPLICIT_LE });
  // Re-encode the dataset (after the meta group) as implicit VR, keeping the meta group as written.
  const metaEnd = metaOnly(IMPLICIT_LE).length;
  const implicit = explicitToImplicit(film.subarray(metaEnd));
  const meta = metaOnly(EXPLICIT_LE);
  return concat([meta, implicit]);
}

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR']);

/** Rewrites a flat explicit-VR LE dataset (no sequences) as implicit VR LE. */
function explicitToImplicit(dataset: Uint8Array): Uint8Array {
  const view = Buffer.from(dataset);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < view.length) {
    const vr = view.toString('latin1', at + 4, at + 6);
    const long = LONG_VRS.has(vr);
    const length = long ? view.readUInt32LE(at + 8) : view.readUInt16LE(at + 6);
    const start = at + (long ? 12 : 8);
    out.push(view.subarray(at, at + 4), u32(length), view.subarray(start, start + length));
    at = start + length;
  }
  return concat(out);
}

/** The valid film with one US attribute's value replaced (Rows, Columns, BitsAllocated…). */
export function withUs(group: number, element: number, value: number): Uint8Array {
  const film = Buffer.from(validFilm());
  const needle = Buffer.concat([tagBytes(group, element), Buffer.from('US'), Buffer.from([2, 0])]);
  const at = film.indexOf(needle);
  if (at < 0) throw new Error(`no (${group.toString(16)},${element.toString(16)}) US element in the film`);
  film.writeUInt16LE(value, at + 8);
  return new Uint8Array(film);
}
