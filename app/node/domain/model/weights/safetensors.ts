import { DenseRayError } from '../../../shared/errors.ts';
import { halfBitsToFloat } from '../../../shared/float16.ts';
import { elementCount, type WeightMap } from '../tensor.ts';

export interface SafetensorsFile {
  tensors: WeightMap;
  metadata: Record<string, string>;
}

const BYTES_PER_ELEMENT: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Parses a safetensors file (8-byte LE header length, JSON header, raw little-endian data) into float32 tensors. */
export function readSafetensors(bytes: Uint8Array, source = 'weights'): SafetensorsFile {
  const fail = (message: string): never => {
    throw new DenseRayError('WEIGHTS_FORMAT', `${source}: not a valid safetensors file: ${message}`);
  };
  if (bytes.length < 8) fail('shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8 || headerLength > 100 * 1024 * 1024) fail(`header length ${headerLength} exceeds the file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (cause) {
    throw new DenseRayError('WEIGHTS_FORMAT', `${source}: safetensors header is not JSON`, { cause });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('header is not an object');
  const dataStart = 8 + headerLength;
  const tensors: WeightMap = new Map();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = Object.fromEntries(Object.entries(entry as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2) {
      fail(`tensor ${name} has a malformed entry`);
    }
    const dtype = e.dtype as string;
    const shape = (e.shape as unknown[]).map(Number);
    const [begin, end] = (e.data_offsets as unknown[]).map(Number) as [number, number];
    const width = BYTES_PER_ELEMENT[dtype];
    if (width === undefined) return fail(`tensor ${name} has unsupported dtype ${dtype}`);
    const count = elementCount(shape);
    if (end - begin !== count * width || dataStart + end > bytes.length || begin < 0) {
      fail(`tensor ${name} (${dtype} ${JSON.stringify(shape)}) has data offsets [${begin}, ${end}] that do not fit`);
    }
    tensors.set(name, { shape, data: toFloat32(bytes, dataStart + begin, count, dtype) });
  }
  return { tensors, metadata };
}

function toFloat32(bytes: Uint8Array, offset: number, count: number, dtype: string): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * (BYTES_PER_ELEMENT[dtype] ?? 1));
  if (dtype === 'F32') {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
    return out;
  }
  for (let i = 0; i < count; i++) out[i] = readElement(view, i, dtype);
  return out;
}

function readElement(view: DataView, i: number, dtype: string): number {
  switch (dtype) {
    case 'F64':
      return view.getFloat64(i * 8, true);
    case 'F16':
      return halfBitsToFloat(view.getUint16(i * 2, true));
    case 'BF16':
      return new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0]!;
    case 'I64':
      return Number(view.getBigInt64(i * 8, true));
    case 'I32':
      return view.getInt32(i * 4, true);
    case 'I16':
      return view.getInt16(i * 2, true);
    case 'I8':
      return view.getInt8(i);
    default:
      return view.getUint8(i);
  }
}

/** Writes float32 tensors as safetensors (keys sorted, as the reference writer does). */
export function writeSafetensors(tensors: WeightMap, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  // Pad to 8 bytes so the data section is aligned for zero-copy readers.
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
