import type { DataSet } from 'dicom-parser';
import { valueReader } from './dataset-values.ts';
import type { LookupTable } from './types.ts';

/**
 * One LUT item (Modality LUT Sequence or VOI LUT Sequence, PS3.3 C.11.1.1 / C.11.2.1.1):
 * LUT Descriptor (0028,3002) = [entries (0 means 65536), first input value mapped, bits per entry],
 * LUT Data (0028,3006). Returns undefined when the item is incomplete or inconsistent.
 */
export function readLookupTable(item: DataSet, signedInput: boolean): LookupTable | undefined {
  const values = valueReader(item, false);
  const declaredEntries = values.uint16('x00283002', 0);
  const firstRaw = values.uint16('x00283002', 1);
  const bitsPerEntry = values.uint16('x00283002', 2);
  const dataElement = item.elements.x00283006;
  if (declaredEntries === undefined || firstRaw === undefined || bitsPerEntry === undefined || !dataElement) return undefined;
  if (bitsPerEntry < 1 || bitsPerEntry > 16) return undefined;
  const entries = declaredEntries === 0 ? 65536 : declaredEntries;
  // The first mapped value is SS when the pixel data is signed.
  const firstMapped = signedInput && firstRaw > 0x7fff ? firstRaw - 0x10000 : firstRaw;
  const { dataOffset, length } = dataElement;
  if (dataOffset + length > item.byteArray.length) return undefined;

  const data = new Uint16Array(entries);
  if (length >= entries * 2) {
    for (let i = 0; i < entries; i++) data[i] = item.uint16('x00283006', i) ?? 0;
  } else if (bitsPerEntry <= 8 && length >= entries) {
    // Some writers store 8-bit entries one per byte.
    const bytes = item.byteArray.subarray(dataOffset, dataOffset + entries);
    data.set(bytes);
  } else {
    return undefined;
  }
  const explanation = values.text('x00283003');
  return explanation === undefined ? { firstMapped, bitsPerEntry, data } : { firstMapped, bitsPerEntry, data, explanation };
}

export function readLookupTableSequence(dataSet: DataSet, sequenceTag: string, signedInput: boolean): LookupTable | undefined {
  const item = dataSet.elements[sequenceTag]?.items?.[0]?.dataSet;
  return item ? readLookupTable(item, signedInput) : undefined;
}
