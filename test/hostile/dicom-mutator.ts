/**
 * A seeded mutator for DICOM files: the damage real files suffer (cut short, bits flipped) and the
 * damage an attacker chooses (absurd lengths and sizes, a lying transfer syntax, a sequence left
 * open). The same seed gives the same mutants, so a failure can be reproduced by its seed.
 */

export type Mutation = 'truncate' | 'flip' | 'absurd-length' | 'image-size' | 'bits-allocated' | 'syntax-uid' | 'unclosed-sequence';
export const MUTATIONS: readonly Mutation[] = [
  'truncate',
  'flip',
  'absurd-length',
  'image-size',
  'bits-allocated',
  'syntax-uid',
  'unclosed-sequence',
];

/** mulberry32: small, fast and good enough to spread mutations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYNTAXES = [
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.5',
  '1.2.3.4.5.6.7.8.9',
];

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: () => number, below: number): number => Math.floor(random() * below);

/** Little-endian positions of a (group,element) tag followed by a 2-byte US value, explicit or implicit. */
function usValueAt(bytes: Buffer, group: number, element: number): number | undefined {
  const tag = Buffer.from([group & 0xff, group >> 8, element & 0xff, element >> 8]);
  const explicit = bytes.indexOf(Buffer.concat([tag, Buffer.from('US')]));
  if (explicit >= 0) return explicit + 8;
  const implicit = bytes.indexOf(Buffer.concat([tag, Buffer.from([2, 0, 0, 0])]));
  return implicit >= 0 ? implicit + 8 : undefined;
}

/** Dataset start after the File Meta group (Part 10 with preamble), by its group length. */
function datasetStart(bytes: Buffer): number | undefined {
  if (bytes.length < 144 || bytes.toString('latin1', 128, 132) !== 'DICM') return undefined;
  return 144 + bytes.readUInt32LE(140);
}

function replaceSyntax(bytes: Buffer, uid: string): Buffer | undefined {
  const at = bytes.indexOf(Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49])); // (0002,0010) UI
  if (at < 0 || datasetStart(bytes) === undefined) return undefined;
  const oldLength = bytes.readUInt16LE(at + 6);
  const value = Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
  const out = Buffer.concat([
    bytes.subarray(0, at + 6),
    Buffer.from([value.length & 0xff, value.length >> 8]),
    value,
    bytes.subarray(at + 8 + oldLength),
  ]);
  out.writeUInt32LE(out.readUInt32LE(140) + value.length - oldLength, 140);
  return out;
}

/** One mutant of `original` and what was done to it. */
export function mutate(original: Uint8Array, random: () => number): { bytes: Uint8Array; mutation: Mutation; what: string } {
  const bytes = Buffer.from(original);
  const mutation = pick(random, MUTATIONS);
  switch (mutation) {
    case 'truncate': {
      const at = int(random, bytes.length);
      return { bytes: new Uint8Array(bytes.subarray(0, at)), mutation, what: `cut to ${at} bytes` };
    }
    case 'flip': {
      const n = 1 + int(random, 8);
      // Mostly in the header, where one bit changes the meaning of everything after it.
      const span = random() < 0.7 ? Math.min(bytes.length, 4096) : bytes.length;
      for (let i = 0; i < n; i++) bytes[int(random, span)]! ^= 1 << int(random, 8);
      return { bytes: new Uint8Array(bytes), mutation, what: `${n} bits flipped` };
    }
    case 'absurd-length': {
      const start = datasetStart(bytes) ?? 132;
      const at = start + int(random, Math.max(1, Math.min(bytes.length, 4096) - start - 4));
      const value = pick(random, [0xffffffff, 0xfffffff0, 0x7fffffff, 0x80000000, int(random, 0xffffffff)]);
      if (at + 4 <= bytes.length) bytes.writeUInt32LE(value >>> 0, at);
      return { bytes: new Uint8Array(bytes), mutation, what: `u32 ${value} written at ${at}` };
    }
    case 'image-size': {
      const tag = pick(random, [0x0010, 0x0011]);
      const value = pick(random, [0, 1, 65535, 32768]);
      const at = usValueAt(bytes, 0x0028, tag);
      if (at !== undefined) bytes.writeUInt16LE(value, at);
      return { bytes: new Uint8Array(bytes), mutation, what: `(0028,${tag.toString(16).padStart(4, '0')}) = ${value}` };
    }
    case 'bits-allocated': {
      const value = pick(random, [0, 1, 7, 12, 24, 64, 65535]);
      const at = usValueAt(bytes, 0x0028, 0x0100);
      if (at !== undefined) bytes.writeUInt16LE(value, at);
      return { bytes: new Uint8Array(bytes), mutation, what: `BitsAllocated = ${value}` };
    }
    case 'syntax-uid': {
      const uid = pick(random, SYNTAXES);
      const out = replaceSyntax(bytes, uid);
      return { bytes: new Uint8Array(out ?? bytes), mutation, what: `transfer syntax ${uid}` };
    }
    case 'unclosed-sequence': {
      const start = datasetStart(bytes);
      if (start === undefined) return { bytes: new Uint8Array(bytes), mutation, what: 'no meta group: unchanged' };
      const open = Buffer.from([
        0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff,
      ]);
      return {
        bytes: new Uint8Array(Buffer.concat([bytes.subarray(0, start), open, bytes.subarray(start)])),
        mutation,
        what: 'open sequence at the dataset start',
      };
    }
  }
}
