import { DenseRayError } from '../../../shared/errors.ts';
import { halfToFloatTable } from '../../../shared/float16.ts';
import type { WeightTensor } from '../tensor.ts';
import type { StorageDType, TensorRef } from './pickle-values.ts';

/** Turns raw storage bytes plus a tensor's (offset, shape, stride) into a contiguous float32 tensor. */

export const DTYPE_BYTES: Record<StorageDType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** Copies `raw` into fresh, aligned memory, byte-swapping each element when the file is big-endian. */
function aligned(raw: Uint8Array, width: number, bigEndian: boolean): ArrayBuffer {
  const copy = new Uint8Array(raw); // a copy (Buffer.slice would share memory), aligned at 0
  if (bigEndian && width > 1) {
    for (let i = 0; i < copy.length; i += width) copy.subarray(i, i + width).reverse();
  }
  return copy.buffer;
}

/**
 * Converts `count` elements of `dtype` from `raw` (little-endian unless stated) to float32.
 * float32 is a plain byte copy; the other widths convert through typed arrays in bulk.
 */
export function toFloat32(raw: Uint8Array, dtype: StorageDType, count: number, bigEndian = false): Float32Array {
  const width = DTYPE_BYTES[dtype];
  if (raw.length !== count * width)
    throw new DenseRayError('WEIGHTS_FORMAT', `storage holds ${raw.length} bytes, expected ${count} × ${width}`);
  const out = new Float32Array(count);
  if (dtype === 'float32' && !bigEndian) {
    new Uint8Array(out.buffer).set(raw);
    return out;
  }
  const buffer = aligned(raw, width, bigEndian);
  switch (dtype) {
    case 'float32':
      out.set(new Float32Array(buffer));
      break;
    case 'float64':
      out.set(new Float64Array(buffer));
      break;
    case 'int32':
      out.set(new Int32Array(buffer));
      break;
    case 'int16':
      out.set(new Int16Array(buffer));
      break;
    case 'int8':
      out.set(new Int8Array(buffer));
      break;
    case 'uint8':
    case 'bool':
      out.set(new Uint8Array(buffer));
      break;
    case 'int64': {
      const src = new BigInt64Array(buffer);
      for (let i = 0; i < count; i++) out[i] = Number(src[i]!);
      break;
    }
    case 'float16': {
      const table = halfToFloatTable();
      const src = new Uint16Array(buffer);
      for (let i = 0; i < count; i++) out[i] = table[src[i]!]!;
      break;
    }
    case 'bfloat16': {
      // bfloat16 is the top half of a float32: shift the bits, exactly (NaN payloads included).
      const src = new Uint16Array(buffer);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = src[i]! << 16;
      break;
    }
  }
  return out;
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

/**
 * Reads one tensor. `storageBytes(key)` returns the whole stored storage (all its elements);
 * only the window the tensor touches is converted.
 */
export function materialize(tensor: TensorRef, storageBytes: (key: string) => Uint8Array, bigEndian = false): WeightTensor {
  const { storage, shape, stride } = tensor;
  const count = shape.reduce((a, b) => a * b, 1);
  const shapeCopy = [...shape];
  if (count === 0) return { shape: shapeCopy, data: new Float32Array(0) };
  const width = DTYPE_BYTES[storage.dtype];
  const raw = storageBytes(storage.key);
  const first = storage.elementOffset + tensor.offset;
  const last = shape.reduce((acc, d, i) => acc + (d - 1) * stride[i]!, first);
  if ((last + 1) * width > raw.length || last + 1 > storage.elementOffset + storage.numel) {
    throw new DenseRayError(
      'WEIGHTS_FORMAT',
      `tensor of shape ${JSON.stringify(shape)} reaches past the ${raw.length / width} elements stored for storage ${storage.key}`,
    );
  }
  const span = toFloat32(raw.subarray(first * width, (last + 1) * width), storage.dtype, last + 1 - first, bigEndian);
  if (isContiguous(shape, stride)) return { shape: shapeCopy, data: span };
  return { shape: shapeCopy, data: gather(span, shape, stride) };
}

/** Row-major copy of a strided view (transposed or sliced tensors); offsets are relative to `span`. */
function gather(span: Float32Array, shape: readonly number[], stride: readonly number[]): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count);
  const rank = shape.length;
  const inner = shape[rank - 1]!;
  const innerStride = stride[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let base = 0;
  for (let o = 0; o < count; o += inner) {
    for (let j = 0, s = base; j < inner; j++, s += innerStride) out[o + j] = span[s]!;
    // advance the odometer over the outer dimensions
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      base += stride[d]!;
      if (index[d]! < shape[d]!) break;
      base -= stride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}
