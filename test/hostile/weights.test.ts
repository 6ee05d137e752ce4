import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWeightsFile } from '../../app/node/domain/model/weights/import.ts';
import { readPth } from '../../app/node/domain/model/weights/pth.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { MAX_ARCHIVE_BYTES } from '../../app/node/domain/model/weights/zip.ts';
import { thrown } from '../helpers/thrown.ts';
import { jsonError, runCliMeasured } from './run-measured.ts';

/** Debian's PyTorch writes the reference files; without it those cases are skipped with a reason. */
const TORCH_PYTHON = '/usr/bin/python3';
const hasTorch =
  existsSync(TORCH_PYTHON) &&
  (() => {
    try {
      execFileSync(TORCH_PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
      return true;
    } catch {
      return false;
    }
  })();
if (!hasTorch) console.warn('test/hostile/weights: /usr/bin/python3 with torch missing; the torch.save cases are skipped');

const work = mkdtempSync(join(tmpdir(), 'denseray-hostile-weights-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A safetensors file from a header object and a data section, exactly as given (no validation). */
function safetensors(header: unknown, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  Buffer.from(data).copy(out, 8 + json.length);
  return new Uint8Array(out);
}
const floats = (...v: number[]): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);

describe('safetensors headers are checked like the reference library (tensors tile the data exactly)', () => {
  const two = floats(1, 2, 3, 4);
  it('accepts a well-formed file, and reads null __metadata__ as none (serde Option in the reference)', () => {
    const file = safetensors(
      { __metadata__: null, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } },
      two,
    );
    const read = readSafetensors(file, 'ok.safetensors');
    expect(read.metadata).toEqual({});
    expect([...read.tensors.get('b')!.data]).toEqual([3, 4]);
  });

  const refused: [string, unknown, Uint8Array][] = [
    ['__metadata__ that is not a map', { __metadata__: 7, a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, two],
    ['__metadata__ with a non-string value', { __metadata__: { k: 1 }, a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, two],
    ['a negative dimension', { a: { dtype: 'F32', shape: [-2], data_offsets: [0, -8] } }, two],
    ['a negative dimension that balances', { a: { dtype: 'F32', shape: [-2, -2], data_offsets: [0, 16] } }, two],
    ['a fractional dimension', { a: { dtype: 'F32', shape: [2.5], data_offsets: [0, 10] } }, two],
    [
      'overlapping data_offsets',
      { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } },
      two,
    ],
    [
      'a gap that hides data',
      { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } },
      two,
    ],
    ['trailing bytes no tensor accounts for', { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, two],
    ['offsets past the end', { a: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, two],
    ['offsets in the wrong order', { a: { dtype: 'F32', shape: [0], data_offsets: [16, 0] } }, two],
  ];
  for (const [what, header, data] of refused) {
    it(`refuses ${what} with WEIGHTS_FORMAT`, () => {
      const error = thrown(() => loadWeightsFile(safetensors(header, data), `${what}.safetensors`));
      expect(error.code).toBe('WEIGHTS_FORMAT');
    });
  }
});

/** A legacy (pre-1.6) torch file around one hand-written main pickle, with no storages. */
function legacyPth(mainPickle: Uint8Array): Uint8Array {
  const header = Buffer.from([
    ...[0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e], // magic number
    ...[0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e], // protocol 1001
    ...[0x80, 0x02, 0x7d, 0x28, 0x58, 13, 0, 0, 0],
    ...Buffer.from('little_endian'),
    ...[0x88, 0x75, 0x2e], // sys_info {'little_endian': True}
  ]);
  const keys = Buffer.from([0x80, 0x02, 0x5d, 0x2e]); // []
  return new Uint8Array(Buffer.concat([header, mainPickle, keys]));
}

describe('pickles built to exhaust the reader fail fast with WEIGHTS_FORMAT', () => {
  it('a set filled by one ADDITEMS of 500,000 items (overflowed the call stack)', () => {
    const n = 500_000;
    const body = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) body.set([0x4b, i & 0xff], i * 2); // BININT1
    const pickle = Buffer.concat([Buffer.from([0x80, 0x04, 0x8f, 0x28]), body, Buffer.from([0x90, 0x2e])]); // EMPTY_SET MARK … ADDITEMS STOP
    const started = Date.now();
    const error = thrown(() => loadWeightsFile(legacyPth(pickle), 'additems.pth'));
    expect(error.code).toBe('WEIGHTS_FORMAT');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('zip members whose declared sizes add up past the cap are refused from the directory, before inflating', () => {
    // Three members declaring 0.4 GiB each (1.2 GiB in all), each holding 20 deflated bytes.
    const deflated = zlib.deflateRawSync(Buffer.alloc(1024));
    const declared = Math.ceil((MAX_ARCHIVE_BYTES * 0.4) / 1024) * 1024;
    const names = ['archive/data.pkl', 'archive/data/0', 'archive/data/1', 'archive/data/2'];
    const locals: Buffer[] = [];
    const centrals: Buffer[] = [];
    let offset = 0;
    for (const name of names) {
      const n = Buffer.from(name);
      const size = name.endsWith('.pkl') ? 1024 : declared;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(8, 8);
      local.writeUInt32LE(deflated.length, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(n.length, 26);
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE(8, 10);
      central.writeUInt32LE(deflated.length, 20);
      central.writeUInt32LE(size, 24);
      central.writeUInt16LE(n.length, 28);
      central.writeUInt32LE(offset, 42);
      locals.push(local, n, deflated);
      centrals.push(central, n);
      offset += 30 + n.length + deflated.length;
    }
    const directory = Buffer.concat(centrals);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(names.length, 8);
    end.writeUInt16LE(names.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    const error = thrown(() => loadWeightsFile(new Uint8Array(Buffer.concat([...locals, directory, end])), 'bomb.pth'));
    expect(error.code).toBe('WEIGHTS_FORMAT');
    expect(error.message).toMatch(/declare more than/);
  });
});

describe.runIf(hasTorch)('a whole pickled module whose submodules are shared along every path (written by torch.save)', () => {
  const make = (depth: number): { file: string; keys: string[] } => {
    const file = join(work, `shared-${depth}.pth`);
    const out = execFileSync(TORCH_PYTHON, [join(import.meta.dirname, 'make_shared_module.py'), file, String(depth)], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { file, keys: out.trim() ? (JSON.parse(out) as string[]) : [] };
  };

  it('a few levels deep: named under every path, exactly as state_dict() names them', () => {
    const { file, keys } = make(3);
    const read = readPth(readFileSync(file), file);
    expect([...read.tensors.keys()].sort()).toEqual(keys);
  });

  it('40 levels deep (2^41 names): `models import` answers WEIGHTS_FORMAT in seconds and bounded memory', async () => {
    const { file } = make(40);
    expect(readFileSync(file).length).toBeLessThan(16 * 1024);
    const run = await runCliMeasured(['models', 'import', file, '--json'], { dataDir: join(work, 'data'), timeoutMs: 90_000 });
    expect(run.timedOut).toBe(false);
    expect(jsonError(run)?.code).toBe('WEIGHTS_FORMAT');
    expect(run.code).toBe(3);
    expect(run.ms).toBeLessThan(60_000); // was ~120 s and 2.1 GB before failing with INTERNAL
    expect(run.peakRssMiB).toBeLessThan(800);
    console.log(`shared-module import: ${run.ms} ms, peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
  }, 120_000);
});
