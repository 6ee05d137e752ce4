import type { DataSet } from 'dicom-parser';

/** Typed readers over a dicom-parser DataSet, with explicit checks instead of trusting the file. */
export interface ValueReader {
  text(tag: string): string | undefined;
  texts(tag: string): string[];
  number(tag: string): number | undefined;
  numbers(tag: string): number[];
  uint16(tag: string, index?: number): number | undefined;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function clean(value: string): string {
  // Values are padded with spaces (text) or NUL (UI) to even length.
  return value.replace(/\0+$/g, '').trim();
}

/** Text VRs decoded with the Specific Character Set where it is UTF-8, else as ISO 8859-1. */
export function valueReader(dataSet: DataSet, isUtf8: boolean): ValueReader {
  const decoder = isUtf8 ? utf8 : latin1;

  function raw(tag: string): string | undefined {
    const element = dataSet.elements[tag];
    if (!element || element.length <= 0 || element.length === 0xffffffff) return undefined;
    const end = element.dataOffset + element.length;
    if (end > dataSet.byteArray.length) return undefined;
    return decoder.decode(dataSet.byteArray.subarray(element.dataOffset, end));
  }

  function texts(tag: string): string[] {
    const value = raw(tag);
    if (value === undefined) return [];
    return value.split('\\').map(clean);
  }

  function numbers(tag: string): number[] {
    return texts(tag)
      .map((v) => (v === '' ? Number.NaN : Number(v)))
      .filter((n) => Number.isFinite(n));
  }

  return {
    text(tag) {
      const value = raw(tag);
      if (value === undefined) return undefined;
      const cleaned = clean(value);
      return cleaned === '' ? undefined : cleaned;
    },
    texts,
    number(tag) {
      return numbers(tag)[0];
    },
    numbers,
    uint16(tag, index = 0) {
      const element = dataSet.elements[tag];
      if (!element || element.length < (index + 1) * 2) return undefined;
      if (element.dataOffset + element.length > dataSet.byteArray.length) return undefined;
      return dataSet.uint16(tag, index);
    },
  };
}

export function isUtf8CharacterSet(dataSet: DataSet): boolean {
  const charset = valueReader(dataSet, false).texts('x00080005');
  return charset.some((term) => term.toUpperCase() === 'ISO_IR 192');
}

/** The first item of a sequence attribute, if any. */
export function firstItem(dataSet: DataSet, tag: string): DataSet | undefined {
  return dataSet.elements[tag]?.items?.[0]?.dataSet;
}
