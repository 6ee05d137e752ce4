import { DenseRayError } from '../../../shared/errors.ts';
import { halfBitsToFloat } from '../../../shared/float16.ts';
import { elementCount, type WeightMap } from '../tensor.ts';

export interface SafetensorsFile {
  tensors: WeightMap;
  metadata: Record<string, string>;
}

const BYTES_PER_ELEMENT: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/**
 * Parses a safetensors file (8-byte LE header length, JSON header, raw little-endian data) into
 * float32 tensors. The header is checked the way the reference library checks it before any data
 * is touched: integer shapes and offsets, and tensors that tile the data section exactly — no
 * overlap (two names reading the same bytes), no gap (bytes no tensor accounts for), nothing
 * past the end.
 */
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
  if (!isRecord(header)) return fail('header is not an object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries: TensorEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, fail);
      continue;
    }
    entries.push(parseEntry(name, entry, fail));
  }
  checkTiling(entries, dataLength, fail);
  const tensors: WeightMap = new Map();
  for (const e of entries) tensors.set(e.name, { shape: e.shape, data: toFloat32(bytes, dataStart + e.begin, e.count, e.dtype) });
  return { tensors, metadata };
}

interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  begin: number;
  end: number;
}

type Fail = (message: string) => never;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** `__metadata__` is a string → string map; null reads as none, as in the reference library (an Option). */
function parseMetadata(entry: unknown, fail: Fail): Record<string, string> {
  if (entry === null) return {};
  if (!isRecord(entry)) return fail(`__metadata__ is ${Array.isArray(entry) ? 'a list' : typeof entry}, not a map of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v !== 'string') fail(`__metadata__ entry ${JSON.stringify(k)} is not a string`);
    out[k] = v as string;
  }
  return out;
}

function parseEntry(name: string, entry: unknown, fail: Fail): TensorEntry {
  if (!isRecord(entry)) return fail(`tensor ${name} has a malformed entry`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2)
    return fail(`tensor ${name} has a malformed entry`);
  const width = BYTES_PER_ELEMENT[dtype];
  if (width === undefined) return fail(`tensor ${name} has unsupported dtype ${dtype}`);
  if (shape.length > 16 || !shape.every(isIndex))
    return fail(`tensor ${name} has shape ${JSON.stringify(shape).slice(0, 80)}: dimensions must be non-negative integers`);
  const [begin, end] = offsets;
  if (!isIndex(begin) || !isIndex(end) || end < begin)
    return fail(`tensor ${name} has data offsets ${JSON.stringify(offsets).slice(0, 80)}: not an increasing pair of byte positions`);
  const count = elementCount(shape);
  if (!Number.isSafeInteger(count * width) || end - begin !== count * width)
    return fail(
      `tensor ${name} (${dtype} ${JSON.stringify(shape)}) spans [${begin}, ${end}], not the ${count} × ${width} bytes its shape needs`,
    );
  return { name, dtype, shape, count, begin, end };
}

/** In offset order every tensor starts where the previous one ended, from 0 to the end of the file. */
function checkTiling(entries: TensorEntry[], dataLength: number, fail: Fail): void {
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous = 'the start of the data';
  for (const e of ordered) {
    if (e.begin < at) fail(`tensor ${e.name} [${e.begin}, ${e.end}] overlaps ${previous} (which ends at ${at})`);
    if (e.begin > at) fail(`bytes [${at}, ${e.begin}] before tensor ${e.name} belong to no tensor`);
    at = e.end;
    previous = `tensor ${e.name}`;
  }
  if (at > dataLength) fail(`${previous} ends at byte ${at} of the data, past its end (${dataLength} bytes)`);
  if (at < dataLength) fail(`the last ${dataLength - at} bytes of the data belong to no tensor`);
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
