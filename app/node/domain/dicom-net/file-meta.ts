import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './write-part10.ts';

export interface FileMetaFields {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** The AE title that sent the dataset (0002,0016). */
  sourceAeTitle?: string | undefined;
}

/**
 * The 128-byte preamble, "DICM" and the File Meta Information group (PS3.10 7.1) for a dataset
 * received over the network, which arrives without one: prepended to the received bytes it makes
 * the Part 10 file every DenseRay reader opens. Always Explicit VR Little Endian, whatever the
 * dataset's own transfer syntax.
 */
export function fileMetaBytes(fields: FileMetaFields): Uint8Array {
  const elements = [
    element(0x0001, 'OB', Uint8Array.of(0, 1)),
    element(0x0002, 'UI', uidValue(fields.sopClassUid)),
    element(0x0003, 'UI', uidValue(fields.sopInstanceUid)),
    element(0x0010, 'UI', uidValue(fields.transferSyntaxUid)),
    element(0x0012, 'UI', uidValue(IMPLEMENTATION_CLASS_UID)),
    element(0x0013, 'SH', textValue(IMPLEMENTATION_VERSION_NAME)),
    ...(fields.sourceAeTitle ? [element(0x0016, 'AE', textValue(fields.sourceAeTitle))] : []),
  ];
  const groupLength = elements.reduce((n, e) => n + e.length, 0);
  const lengthElement = element(0x0000, 'UL', new Uint8Array(new Uint32Array([groupLength]).buffer));
  const out = new Uint8Array(132 + lengthElement.length + groupLength);
  out.set([0x44, 0x49, 0x43, 0x4d], 128); // DICM
  let offset = 132;
  for (const part of [lengthElement, ...elements]) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const LONG_LENGTH_VRS = new Set(['OB']);

function element(elementNumber: number, vr: string, value: Uint8Array): Uint8Array {
  const long = LONG_LENGTH_VRS.has(vr);
  const header = long ? 12 : 8;
  const out = new Uint8Array(header + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x0002, true);
  view.setUint16(2, elementNumber, true);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, value.length, true);
  else view.setUint16(6, value.length, true);
  out.set(value, header);
  return out;
}

/** UI values are padded to even length with NUL; other strings with a space (PS3.5 6.2). */
function uidValue(uid: string): Uint8Array {
  return padded(uid.replace(/\0+$/, '').trim(), 0);
}

function textValue(text: string): Uint8Array {
  return padded(text.trim(), 0x20);
}

function padded(text: string, pad: number): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = pad;
  return out;
}
