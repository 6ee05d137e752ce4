import type { DataSet, Element } from 'dicom-parser';
import { dictionaryEntry, formatTag, isDelimiter } from './dictionary.ts';
import type { DicomTag } from './types.ts';

interface TextDecoderLike {
  decode(bytes: Uint8Array): string;
}

const MAX_VALUE_CHARS = 256;
const MAX_NUMBERS = 16;
const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
const NUMBER_READERS: Record<string, { size: number; read: (ds: DataSet, tag: string, i: number) => number | undefined }> = {
  US: { size: 2, read: (ds, tag, i) => ds.uint16(tag, i) },
  SS: { size: 2, read: (ds, tag, i) => ds.int16(tag, i) },
  UL: { size: 4, read: (ds, tag, i) => ds.uint32(tag, i) },
  SL: { size: 4, read: (ds, tag, i) => ds.int32(tag, i) },
  FL: { size: 4, read: (ds, tag, i) => ds.float(tag, i) },
  FD: { size: 8, read: (ds, tag, i) => ds.double(tag, i) },
};

function truncate(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} chars)` : text;
}

function isPrintable(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0 && (byte < 0x20 || byte > 0x7e) && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}

function describe(dataSet: DataSet, element: Element, vr: string, textDecoder: TextDecoderLike): string {
  if (element.tag === 'x7fe00010') {
    return element.encapsulatedPixelData
      ? `<encapsulated pixel data: ${element.fragments?.length ?? 0} fragment(s), ${element.basicOffsetTable?.length ?? 0} offset(s)>`
      : `<pixel data: ${element.length} bytes>`;
  }
  const end = element.dataOffset + element.length;
  if (element.length === 0) return '';
  if (end > dataSet.byteArray.length || element.length === 0xffffffff) return `<${element.length} bytes, beyond end of data>`;
  const bytes = dataSet.byteArray.subarray(element.dataOffset, end);
  const numbers = NUMBER_READERS[vr];
  if (numbers) {
    const count = Math.floor(element.length / numbers.size);
    const shown: string[] = [];
    for (let i = 0; i < Math.min(count, MAX_NUMBERS); i++) shown.push(String(numbers.read(dataSet, element.tag, i)));
    return count > MAX_NUMBERS ? `${shown.join('\\')}… (${count} values)` : shown.join('\\');
  }
  if (vr === 'AT') return dataSet.attributeTag(element.tag) ?? '';
  if (TEXT_VRS.has(vr) || (vr === '' && isPrintable(bytes))) {
    return truncate(textDecoder.decode(bytes).replace(/\0+$/g, '').trim());
  }
  return `<binary ${vr || 'data'}, ${element.length} bytes>`;
}

/**
 * Every element, sequences flattened depth-first, in tag order; values readable and bounded. Item
 * and delimitation elements (group FFFE) are encoding structure, shown as the nesting depth instead.
 */
export function listTags(dataSet: DataSet, textDecoder: TextDecoderLike, depth = 0): DicomTag[] {
  const out: DicomTag[] = [];
  const tags = Object.keys(dataSet.elements)
    .filter((key) => !isDelimiter(key))
    .sort();
  for (const key of tags) {
    const element = dataSet.elements[key]!;
    const entry = dictionaryEntry(key);
    const vr = element.vr ?? (element.items ? 'SQ' : (entry?.vr ?? ''));
    const base = { tag: formatTag(key), vr, depth, ...(entry ? { name: entry.name } : {}) };
    if (element.items) {
      out.push({ ...base, value: `<${element.items.length} item(s)>` });
      for (const item of element.items) if (item.dataSet) out.push(...listTags(item.dataSet, textDecoder, depth + 1));
      continue;
    }
    out.push({ ...base, value: describe(dataSet, element, vr, textDecoder) });
  }
  return out;
}
