import { alignedCopy } from '../../../../common/bytes.ts';
import type { StoredArray } from '../types.ts';

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface StoredLayout {
  bitsAllocated: number;
  bitsStored: number;
  /** 0 unsigned, 1 two's complement */
  pixelRepresentation: 0 | 1;
}

/** The natural array type for a layout (PS3.5 8.1.1; what pydicom's pixel_array uses). */
export function allocateStored(length: number, layout: StoredLayout): StoredArray {
  const signed = layout.pixelRepresentation === 1;
  switch (layout.bitsAllocated) {
    case 8:
      return signed ? new Int8Array(length) : new Uint8Array(length);
    case 16:
      return signed ? new Int16Array(length) : new Uint16Array(length);
    case 32:
      return signed ? new Int32Array(length) : new Uint32Array(length);
    default:
      throw new RangeError(`BitsAllocated ${layout.bitsAllocated} is not 8, 16 or 32`);
  }
}

/**
 * Stored values from raw samples: keep the low BitsStored bits, then sign-extend from bit
 * BitsStored-1 when PixelRepresentation is 1. Raw samples may be unsigned words or already-signed
 * codec output; both reduce to the same bit pattern. (High bits can hold overlays or garbage.)
 */
export function toStoredValues(raw: ArrayLike<number>, layout: StoredLayout): StoredArray {
  const { bitsStored } = layout;
  if (bitsStored < 1 || bitsStored > layout.bitsAllocated)
    throw new RangeError(`BitsStored ${bitsStored} does not fit BitsAllocated ${layout.bitsAllocated}`);
  const out = allocateStored(raw.length, layout);
  const signed = layout.pixelRepresentation === 1;
  if (bitsStored === layout.bitsAllocated) {
    // Nothing to mask: typed-array conversion is modular, which is exactly two's-complement reinterpretation.
    out.set(raw);
    return out;
  }
  const mask = 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  const range = 2 ** bitsStored;
  for (let i = 0; i < raw.length; i++) {
    // `&` works on the two's-complement pattern, so signed codec output masks the same way.
    let value = raw[i]! & mask;
    if (signed && value >= signBit) value -= range;
    out[i] = value;
  }
  return out;
}

/** Raw unsigned words from native pixel bytes, honouring the dataset's byte order. */
export function readWords(
  bytes: Uint8Array,
  count: number,
  bitsAllocated: number,
  littleEndian: boolean,
): Uint8Array | Uint16Array | Uint32Array {
  if (bitsAllocated === 8) return alignedCopy(bytes, 0, count);
  if (littleEndian && HOST_IS_LITTLE_ENDIAN && (bitsAllocated === 16 || bitsAllocated === 32)) {
    const copy = alignedCopy(bytes, 0, (count * bitsAllocated) / 8); // no per-sample reads
    return bitsAllocated === 16 ? new Uint16Array(copy.buffer) : new Uint32Array(copy.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bitsAllocated === 16) {
    const out = new Uint16Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, littleEndian);
    return out;
  }
  if (bitsAllocated === 32) {
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, littleEndian);
    return out;
  }
  throw new RangeError(`BitsAllocated ${bitsAllocated} is not 8, 16 or 32`);
}

/** PlanarConfiguration 1 (RRR…GGG…BBB…) to interleaved (RGBRGB…). */
export function planarToInterleaved<T extends StoredArray | Uint8Array | Uint16Array | Uint32Array>(planar: T, samplesPerPixel: number): T {
  const pixels = planar.length / samplesPerPixel;
  const out = planar.slice() as T;
  for (let s = 0; s < samplesPerPixel; s++) {
    for (let p = 0; p < pixels; p++) out[p * samplesPerPixel + s] = planar[s * pixels + p]!;
  }
  return out;
}

/** Native YBR_FULL_422 stores Y1 Y2 Cb Cr per pixel pair (PS3.3 C.7.6.3.1.2); expand to Y Cb Cr per pixel. */
export function expandYbr422(bytes: Uint8Array, pixelCount: number): Uint8Array {
  const out = new Uint8Array(pixelCount * 3);
  for (let pair = 0; pair < pixelCount / 2; pair++) {
    const i = pair * 4;
    const cb = bytes[i + 2]!;
    const cr = bytes[i + 3]!;
    const o = pair * 6;
    out[o] = bytes[i]!;
    out[o + 1] = cb;
    out[o + 2] = cr;
    out[o + 3] = bytes[i + 1]!;
    out[o + 4] = cb;
    out[o + 5] = cr;
  }
  return out;
}
