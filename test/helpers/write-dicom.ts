/**
 * A minimal explicit-VR little-endian Part 10 writer for tests: enough to build the cases the
 * corpus lacks (VOI LUT Sequence only, negative slope, signed 12-bit, Modality LUT Sequence).
 */
export interface TestElement {
  group: number;
  element: number;
  vr: string;
  value?: string | number[] | Uint8Array | Uint16Array | Int16Array;
  items?: TestElement[][];
}

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR']);
const NUMERIC: Record<string, { size: number; write: (view: DataView, offset: number, v: number) => void }> = {
  US: { size: 2, write: (d, o, v) => d.setUint16(o, v, true) },
  SS: { size: 2, write: (d, o, v) => d.setInt16(o, v, true) },
  UL: { size: 4, write: (d, o, v) => d.setUint32(o, v, true) },
  SL: { size: 4, write: (d, o, v) => d.setInt32(o, v, true) },
  FL: { size: 4, write: (d, o, v) => d.setFloat32(o, v, true) },
  FD: { size: 8, write: (d, o, v) => d.setFloat64(o, v, true) },
};

function valueBytes(el: TestElement): Uint8Array {
  const { value, vr } = el;
  if (el.items) return concat(el.items.map((item) => itemBytes(item)));
  if (value === undefined) return new Uint8Array(0);
  if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value);
    if (bytes.length % 2 === 0) return bytes;
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    padded[bytes.length] = vr === 'UI' || vr === 'OB' ? 0 : 0x20;
    return padded;
  }
  if (value instanceof Uint8Array) return value.length % 2 ? concat([value, new Uint8Array(1)]) : value;
  if (value instanceof Uint16Array || value instanceof Int16Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const numeric = NUMERIC[vr];
  if (!numeric) throw new Error(`no numeric writer for VR ${vr}`);
  const out = new Uint8Array(value.length * numeric.size);
  const view = new DataView(out.buffer);
  value.forEach((v, i) => numeric.write(view, i * numeric.size, v));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function itemBytes(elements: TestElement[]): Uint8Array {
  const body = concat(elements.map(elementBytes));
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  view.setUint16(0, 0xfffe, true);
  view.setUint16(2, 0xe000, true);
  view.setUint32(4, body.length, true);
  return concat([header, body]);
}

function elementBytes(el: TestElement): Uint8Array {
  const value = valueBytes(el);
  const long = LONG_VRS.has(el.vr);
  const header = new Uint8Array(long ? 12 : 8);
  const view = new DataView(header.buffer);
  view.setUint16(0, el.group, true);
  view.setUint16(2, el.element, true);
  header[4] = el.vr.charCodeAt(0);
  header[5] = el.vr.charCodeAt(1);
  if (long) view.setUint32(8, value.length, true);
  else view.setUint16(6, value.length, true);
  return concat([header, value]);
}

function sorted(elements: TestElement[]): TestElement[] {
  return [...elements].sort((a, b) => a.group - b.group || a.element - b.element);
}

/** Part 10 bytes: preamble, DICM, meta group (with its length), then the dataset. */
export function writeTestDicom(dataset: TestElement[], options: { transferSyntaxUid?: string; preamble?: boolean } = {}): Uint8Array {
  const metaBody = concat(
    sorted([
      { group: 0x0002, element: 0x0001, vr: 'OB', value: new Uint8Array([0, 1]) },
      { group: 0x0002, element: 0x0002, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.1' },
      { group: 0x0002, element: 0x0003, vr: 'UI', value: '2.25.1' },
      { group: 0x0002, element: 0x0010, vr: 'UI', value: options.transferSyntaxUid ?? '1.2.840.10008.1.2.1' },
    ]).map(elementBytes),
  );
  const groupLength = elementBytes({ group: 0x0002, element: 0x0000, vr: 'UL', value: [metaBody.length] });
  const body = concat(sorted(dataset).map(elementBytes));
  const prefix = options.preamble === false ? new Uint8Array(0) : concat([new Uint8Array(128), new TextEncoder().encode('DICM')]);
  return concat([prefix, groupLength, metaBody, body]);
}

/** The image attributes a grayscale test image needs. */
export function imageElements(image: {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  photometric?: string;
  pixels: Uint8Array | Uint16Array | Int16Array;
}): TestElement[] {
  return [
    { group: 0x0008, element: 0x0060, vr: 'CS', value: 'DX' },
    { group: 0x0028, element: 0x0002, vr: 'US', value: [1] },
    { group: 0x0028, element: 0x0004, vr: 'CS', value: image.photometric ?? 'MONOCHROME2' },
    { group: 0x0028, element: 0x0010, vr: 'US', value: [image.rows] },
    { group: 0x0028, element: 0x0011, vr: 'US', value: [image.columns] },
    { group: 0x0028, element: 0x0100, vr: 'US', value: [image.bitsAllocated] },
    { group: 0x0028, element: 0x0101, vr: 'US', value: [image.bitsStored] },
    { group: 0x0028, element: 0x0102, vr: 'US', value: [image.bitsStored - 1] },
    { group: 0x0028, element: 0x0103, vr: 'US', value: [image.signed ? 1 : 0] },
    { group: 0x7fe0, element: 0x0010, vr: image.bitsAllocated === 8 ? 'OB' : 'OW', value: image.pixels },
  ];
}
