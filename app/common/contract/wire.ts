/**
 * A binary-safe envelope for sending API values over HTTP (browser mode): JSON for the structure,
 * raw bytes for typed arrays, so a 1024×1024 Float32Array costs 4 MB rather than a 10 MB number list.
 *
 *   [u32 LE: JSON byte length][JSON, UTF-8][zero padding to 8][buffer 0][pad][buffer 1]…
 *
 * In the JSON a typed array is `{ "$typed": "<Float32Array|…>", "offset": n, "length": elements }`
 * (offset counted from the start of the binary part). Decoding copies each buffer into a fresh,
 * aligned typed array. Electron IPC does not need this: structured clone carries typed arrays.
 */
import { alignedCopy } from '../bytes.ts';

const TYPED = {
  Float32Array,
  Float64Array,
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
} as const;
type TypedName = keyof typeof TYPED;
type AnyTyped = InstanceType<(typeof TYPED)[TypedName]>;

export const WIRE_CONTENT_TYPE = 'application/vnd.denseray.envelope';

function typedName(value: unknown): TypedName | undefined {
  if (!ArrayBuffer.isView(value) || value instanceof DataView) return undefined;
  const name = value.constructor.name;
  return name in TYPED ? (name as TypedName) : undefined;
}

const align8 = (n: number): number => (n + 7) & ~7;

export function encodeEnvelope(value: unknown): Uint8Array {
  const buffers: Uint8Array[] = [];
  let offset = 0;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    const name = typedName(v);
    if (!name) return v;
    const typed = v as AnyTyped;
    const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    const placeholder = { $typed: name, offset, length: typed.length };
    buffers.push(bytes);
    offset = align8(offset + bytes.byteLength);
    return placeholder;
  });
  const head = new TextEncoder().encode(json ?? 'null');
  const binaryStart = align8(4 + head.byteLength);
  const out = new Uint8Array(binaryStart + offset);
  new DataView(out.buffer).setUint32(0, head.byteLength, true);
  out.set(head, 4);
  let at = binaryStart;
  for (const bytes of buffers) {
    out.set(bytes, at);
    at = align8(at + bytes.byteLength);
  }
  return out;
}

export class EnvelopeError extends Error {}

export function decodeEnvelope(bytes: Uint8Array): unknown {
  if (bytes.byteLength < 4) throw new EnvelopeError('envelope shorter than its header');
  const headLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + headLength > bytes.byteLength) throw new EnvelopeError('envelope JSON runs past the end');
  const binaryStart = align8(4 + headLength);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4, 4 + headLength));
  } catch {
    throw new EnvelopeError('envelope JSON is not UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, v: unknown) => (isPlaceholder(v) ? readTyped(bytes, binaryStart, v) : v));
  } catch (error) {
    if (error instanceof EnvelopeError) throw error;
    throw new EnvelopeError('envelope JSON does not parse');
  }
  return parsed;
}

interface Placeholder {
  $typed: TypedName;
  offset: number;
  length: number;
}

function isPlaceholder(v: unknown): v is Placeholder {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p.$typed === 'string' && p.$typed in TYPED && Number.isInteger(p.offset) && Number.isInteger(p.length);
}

function readTyped(bytes: Uint8Array, binaryStart: number, p: Placeholder): AnyTyped {
  const Ctor = TYPED[p.$typed];
  const byteLength = p.length * Ctor.BYTES_PER_ELEMENT;
  const start = binaryStart + p.offset;
  if (p.offset < 0 || p.length < 0 || start + byteLength > bytes.byteLength)
    throw new EnvelopeError(`typed array ${p.$typed} runs past the end of the envelope`);
  return new Ctor(alignedCopy(bytes, start, start + byteLength).buffer);
}
