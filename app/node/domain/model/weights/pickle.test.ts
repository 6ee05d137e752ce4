import { readFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { shared } from '../../../../../test/helpers/shared.ts';
import { DenseRayError } from '../../../shared/errors.ts';
import { loadWeightsFile } from './import.ts';
import { unpickle } from './pickle.ts';
import { PyDict, type PyTuple } from './pickle-values.ts';
import { openZip } from './zip.ts';
import { thrown as errorOf } from '../../../../../test/helpers/thrown.ts';

/** Concatenates opcodes given as byte arrays or latin1 strings. */
function pk(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Uint8Array.from(p)));
  return new Uint8Array(Buffer.concat(chunks));
}
const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const binunicode = (s: string): Uint8Array => pk('X', u32(Buffer.byteLength(s)), Buffer.from(s, 'utf8'));
const shortUnicode = (s: string): Uint8Array => pk([0x8c, Buffer.byteLength(s)], Buffer.from(s, 'utf8'));

/** A zip with stored members, the way torch writes them (no ZIP64 needed at this size). */
function storedZip(members: Record<string, Uint8Array>): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(members)) {
    const n = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, Buffer.from(data));
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(members).length, 8);
  eocd.writeUInt16LE(Object.keys(members).length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, eocd]));
}

const OS_SYSTEM = pk('\x80\x02cos\nsystem\nX\x02\x00\x00\x00lsq\x01\x85R.');
const LEGACY_HEADER = pk(
  [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e], // magic number
  [0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e], // protocol version 1001
  [0x80, 0x02, 0x7d, 0x28],
  binunicode('little_endian'),
  [0x88, 0x75, 0x2e], // sys_info
);

describe('hostile pickles are refused, never run', () => {
  const cases: [string, Uint8Array, string][] = [
    ['os.system via GLOBAL (protocol 2)', OS_SYSTEM, 'os.system'],
    ['posix.system via GLOBAL', pk('\x80\x02cposix\nsystem\n', binunicode('id'), '\x85R.'), 'posix.system'],
    [
      'builtins.eval via STACK_GLOBAL (protocol 4)',
      pk([0x80, 0x04], shortUnicode('builtins'), shortUnicode('eval'), [0x93], shortUnicode('1+1'), [0x85], 'R.'),
      'builtins.eval',
    ],
    [
      'subprocess.Popen via STACK_GLOBAL',
      pk([0x80, 0x04], shortUnicode('subprocess'), shortUnicode('Popen'), [0x93], shortUnicode('ls'), [0x85], 'R.'),
      'subprocess.Popen',
    ],
    ['__builtin__.getattr', pk('\x80\x02c__builtin__\ngetattr\n).'), '__builtin__.getattr'],
    ['torch.load (torch, but not a rebuild function)', pk('\x80\x02ctorch\nload\n).'), 'torch.load'],
    ['an Object.prototype member name', pk('\x80\x02ctorch\nconstructor\n).'), 'torch.constructor'],
    ['numpy reconstruct', pk('\x80\x02cnumpy.core.multiarray\n_reconstruct\n).'), 'numpy.core.multiarray._reconstruct'],
    [
      'a dotted name reaching through an allowed module',
      pk([0x80, 0x04], shortUnicode('torch.nn.modules.conv'), shortUnicode('F.os.system'), [0x93], '.'),
      'torch.nn.modules.conv.F.os.system',
    ],
  ];

  it.each(cases)('%s', (_label, bytes, global) => {
    const e = errorOf(() => unpickle(bytes, { source: 'evil.pkl' }));
    expect(e.code).toBe('WEIGHTS_UNSAFE');
    expect(e.message).toContain(global);
  });

  it('refuses INST and EXT opcodes', () => {
    expect(errorOf(() => unpickle(pk('\x80\x02(', binunicode('ls'), 'ios\nsystem\n.'), { source: 'x' })).code).toBe('WEIGHTS_UNSAFE');
    expect(errorOf(() => unpickle(pk([0x80, 0x02, 0x82, 0x01, 0x2e]), { source: 'x' })).code).toBe('WEIGHTS_UNSAFE');
  });

  it('refuses a hostile data.pkl inside a zip .pth', () => {
    const zip = storedZip({ 'evil/data.pkl': OS_SYSTEM, 'evil/version': pk('3\n') });
    const e = errorOf(() => loadWeightsFile(zip, 'evil.pth'));
    expect(e.code).toBe('WEIGHTS_UNSAFE');
    expect(e.message).toContain('os.system');
  });

  it('refuses a hostile main pickle in a legacy .pth', () => {
    const e = errorOf(() => loadWeightsFile(pk(LEGACY_HEADER, OS_SYSTEM), 'evil.pth.tar'));
    expect(e.code).toBe('WEIGHTS_UNSAFE');
  });

  it('refuses a hostile global hidden in a state_dict value', () => {
    // {'features.conv0.weight': os.system('ls')}
    const e = errorOf(() =>
      unpickle(pk('\x80\x02}', binunicode('features.conv0.weight'), 'cos\nsystem\n', binunicode('ls'), '\x85Rs.'), { source: 'x' }),
    );
    expect(e.code).toBe('WEIGHTS_UNSAFE');
  });
});

describe('the pickle machine', () => {
  it('builds dicts, lists, tuples, numbers and strings', () => {
    const bytes = pk(
      '\x80\x02}q\x00(',
      binunicode('a'),
      'K\x07',
      binunicode('b'),
      ']q\x01(',
      'J',
      [0xff, 0xff, 0xff, 0xff],
      'M',
      [0x34, 0x12],
      'G',
      [0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
      'e',
      binunicode('c'),
      'N\x88\x89\x87',
      binunicode('d'),
      [0x8a, 0x02, 0x00, 0x80],
      binunicode('e'),
      'h\x01',
      'u.',
    );
    const { value, end } = unpickle(bytes, { source: 't' });
    expect(end).toBe(bytes.length);
    expect(value).toBeInstanceOf(PyDict);
    const d = value as PyDict;
    expect(d.get('a')).toBe(7);
    expect(d.get('b')).toEqual([-1, 0x1234, 1.5]);
    expect((d.get('c') as PyTuple).items).toEqual([null, true, false]);
    expect(d.get('d')).toBe(-32768);
    expect(d.get('e')).toBe(d.get('b')); // memo: the same list object
  });

  it('builds an OrderedDict through the allow-list', () => {
    const { value } = unpickle(pk('\x80\x02ccollections\nOrderedDict\n)R', binunicode('k'), 'K\x01s.'), { source: 't' });
    expect(value).toBeInstanceOf(PyDict);
    expect((value as PyDict).ordered).toBe(true);
    expect((value as PyDict).get('k')).toBe(1);
  });

  it('rejects persistent ids outside a torch file', () => {
    expect(errorOf(() => unpickle(pk('\x80\x02', binunicode('x'), 'Q.'), { source: 't' })).code).toBe('WEIGHTS_FORMAT');
  });

  it('rejects absurd lengths and integers without allocating', () => {
    expect(errorOf(() => unpickle(pk('\x80\x02X', [0xff, 0xff, 0xff, 0x7f], '.'), { source: 't' })).code).toBe('WEIGHTS_FORMAT');
    expect(errorOf(() => unpickle(pk('\x80\x02', [0x8b, 0xff, 0xff, 0xff, 0x7f], '.'), { source: 't' })).code).toBe('WEIGHTS_FORMAT');
    expect(errorOf(() => unpickle(pk('\x80\x02', [0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], '.'), { source: 't' })).code).toBe(
      'WEIGHTS_FORMAT',
    );
  });

  it('rejects a stack overflow by MARKs quickly', () => {
    const bytes = new Uint8Array(1 << 16).fill(0x28); // MARK × 65536
    expect(errorOf(() => unpickle(bytes, { source: 't' })).message).toMatch(/MARK nesting/);
  });
});

describe('damaged and foreign files fail fast with WEIGHTS_FORMAT', () => {
  const reference = (name: string): Uint8Array => readFileSync(shared('reference', name));

  function seededBytes(n: number, seed: number): Uint8Array {
    const out = new Uint8Array(n);
    let s = seed >>> 0;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      out[i] = s >>> 24;
    }
    return out;
  }

  it.each([
    ['tiny-densenet.pth', 0.5],
    ['tiny-densenet.pth', 0.999],
    ['tiny-chexnet-arnoweng-style.pth.tar', 0.5],
    ['tiny-chexnet-jrzech-style.pth', 0.9],
    ['tiny-densenet.safetensors', 0.5],
  ])('%s truncated to %s of its length', (file, fraction) => {
    const bytes = reference(file);
    const e = errorOf(() => loadWeightsFile(bytes.subarray(0, Math.floor(bytes.length * fraction)), file));
    expect(e.code).toBe('WEIGHTS_FORMAT');
  });

  it('random bytes, alone or behind a valid magic', () => {
    const noise = seededBytes(1 << 20, 1);
    const t0 = performance.now();
    expect(errorOf(() => loadWeightsFile(noise, 'noise')).code).toBe('WEIGHTS_FORMAT');
    expect(errorOf(() => loadWeightsFile(pk('PK\x03\x04', noise), 'noise.zip')).code).toBe('WEIGHTS_FORMAT');
    expect(errorOf(() => loadWeightsFile(pk(LEGACY_HEADER, noise), 'noise.tar')).code).toBe('WEIGHTS_FORMAT');
    expect(errorOf(() => loadWeightsFile(new Uint8Array(0), 'empty')).code).toBe('WEIGHTS_FORMAT');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('a corrupted zip member fails its CRC check', () => {
    const bytes = new Uint8Array(reference('tiny-densenet.pth'));
    const zip = openZip(bytes, 'x');
    const entry = zip.entries.get('tiny-densenet/data/0')!;
    const h = entry.localHeaderOffset;
    const start = h + 30 + (bytes[h + 26]! | (bytes[h + 27]! << 8)) + (bytes[h + 28]! | (bytes[h + 29]! << 8));
    bytes[start + 5]! ^= 0x40;
    expect(errorOf(() => loadWeightsFile(bytes, 'x')).message).toMatch(/CRC/);
  });

  it('random byte flips never escape as anything but a DenseRayError', () => {
    const original = reference('tiny-chexnet-jrzech-style.pth');
    const rng = seededBytes(4 * 400, 7);
    const t0 = performance.now();
    const codes = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const bytes = new Uint8Array(original);
      const at = ((rng[4 * i]! << 16) | (rng[4 * i + 1]! << 8) | rng[4 * i + 2]!) % 40000; // inside the pickles
      bytes[at] = rng[4 * i + 3]!;
      try {
        loadWeightsFile(bytes, 'fuzz');
        codes.add('ok');
      } catch (e) {
        if (!(e instanceof DenseRayError)) throw new Error(`byte ${at} → ${String(e)}`);
        codes.add(e.code);
      }
    }
    expect([...codes].every((c) => ['ok', 'WEIGHTS_FORMAT', 'WEIGHTS_UNSAFE', 'WEIGHTS_MISMATCH'].includes(c))).toBe(true);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});
