import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import type { StoredArray } from './types.ts';

export interface StoredStats {
  min: number;
  max: number;
  /** Mean over all samples, rounded to 4 decimals. */
  mean: number;
  /** SHA-256 of the natural-type array as little-endian bytes (the corpus README's definition). */
  sha256: string;
}

function littleEndianBytes(values: StoredArray): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (endianness() === 'LE' || values.BYTES_PER_ELEMENT === 1) return bytes;
  const swapped = new Uint8Array(bytes.length);
  const size = values.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += size) for (let b = 0; b < size; b++) swapped[i + b] = bytes[i + size - 1 - b]!;
  return swapped;
}

export function storedStats(values: StoredArray): StoredStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = values.length ? Math.round((sum / values.length) * 1e4) / 1e4 : 0;
  return {
    min: values.length ? min : 0,
    max: values.length ? max : 0,
    mean,
    sha256: createHash('sha256').update(littleEndianBytes(values)).digest('hex'),
  };
}
