import * as zlib from 'node:zlib';
import { DenseRayError } from '../../../shared/errors.ts';

/**
 * A minimal zip reader for PyTorch's archive format: central directory (with ZIP64, which torch
 * always writes), stored or deflated members, CRC checked. Read-only, whole file in memory.
 */

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipArchive {
  entries: Map<string, ZipEntry>;
  /** The member's bytes (a view into the file for stored members). */
  read(name: string): Uint8Array;
}

const MAX_ENTRIES = 1 << 20;
/**
 * What all members together may declare, checked from the central directory before anything is
 * inflated (a member then inflates to exactly its declared size or fails). DenseNet-264 in float64
 * is ~0.6 GiB; this bounds what a deflate bomb, or many members adding up, may allocate.
 */
export const MAX_ARCHIVE_BYTES = 2 ** 30;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export function openZip(bytes: Uint8Array, source: string): ZipArchive {
  const fail = (message: string, cause?: unknown): never => {
    throw new DenseRayError(
      'WEIGHTS_FORMAT',
      `${source}: not a readable zip archive: ${message}`,
      cause === undefined ? undefined : { cause },
    );
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  const u64 = (at: number): number => {
    const v = view.getBigUint64(at, true);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? fail(`64-bit field ${v} out of range`) : Number(v);
  };
  const within = (at: number, length: number): boolean => at >= 0 && length >= 0 && at + length <= bytes.length;

  // End of central directory: 22 bytes plus a comment of at most 65535.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (u32(at) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail('no end-of-central-directory record (truncated?)');
  let entryCount = u16(eocd + 10);
  let directorySize = u32(eocd + 12);
  let directoryOffset = u32(eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && u32(locator) === 0x07064b50) {
    const zip64 = u64(locator + 8);
    if (!within(zip64, 56) || u32(zip64) !== 0x06064b50) fail('ZIP64 locator points at no ZIP64 record');
    entryCount = u64(zip64 + 32);
    directorySize = u64(zip64 + 40);
    directoryOffset = u64(zip64 + 48);
  }
  if (entryCount > MAX_ENTRIES) fail(`${entryCount} entries`);
  if (!within(directoryOffset, directorySize)) fail('central directory lies outside the file');

  const entries = new Map<string, ZipEntry>();
  let declaredTotal = 0;
  let at = directoryOffset;
  for (let i = 0; i < entryCount; i++) {
    if (!within(at, 46) || u32(at) !== 0x02014b50) fail(`central directory entry ${i} is damaged`);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    if (!within(at + 46, nameLength + extraLength + commentLength)) fail(`central directory entry ${i} overruns the file`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    let localHeaderOffset = u32(at + 42);
    // ZIP64 extra field: the 64-bit values, in this order, for each 32-bit field saturated at 0xFFFFFFFF.
    if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      let e = at + 46 + nameLength;
      const end = e + extraLength;
      while (e + 4 <= end) {
        const id = u16(e);
        const length = u16(e + 2);
        if (id === 0x0001) {
          let f = e + 4;
          if (size === 0xffffffff) (size = u64(f)), (f += 8);
          if (compressedSize === 0xffffffff) (compressedSize = u64(f)), (f += 8);
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(f);
          break;
        }
        e += 4 + length;
      }
    }
    declaredTotal += size;
    if (declaredTotal > MAX_ARCHIVE_BYTES)
      fail(`members declare more than ${MAX_ARCHIVE_BYTES} bytes in all (at ${name}); no DenseNet checkpoint is that large`);
    entries.set(name, { name, method: u16(at + 10), flags: u16(at + 8), crc32: u32(at + 16), compressedSize, size, localHeaderOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }

  const read = (name: string): Uint8Array => {
    const entry = entries.get(name);
    if (!entry) return fail(`member ${name} is missing`);
    if (entry.flags & 0x1) fail(`member ${name} is encrypted`);
    const h = entry.localHeaderOffset;
    if (!within(h, 30) || u32(h) !== 0x04034b50) fail(`member ${name} has no local header`);
    const start = h + 30 + u16(h + 26) + u16(h + 28);
    if (!within(start, entry.compressedSize)) fail(`member ${name} is truncated`);
    const stored = bytes.subarray(start, start + entry.compressedSize);
    let data: Uint8Array;
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) fail(`stored member ${name} has inconsistent sizes`);
      data = stored;
    } else if (entry.method === 8) {
      try {
        data = zlib.inflateRawSync(stored, { maxOutputLength: Math.max(1, entry.size) });
      } catch (cause) {
        return fail(`member ${name} does not inflate`, cause);
      }
      if (data.length !== entry.size) fail(`member ${name} inflates to ${data.length} bytes, not ${entry.size}`);
    } else {
      return fail(`member ${name} uses compression method ${entry.method}`);
    }
    if (typeof zlib.crc32 === 'function' && zlib.crc32(data) >>> 0 !== entry.crc32) fail(`member ${name} fails its CRC check`);
    return data;
  };

  return { entries, read };
}
