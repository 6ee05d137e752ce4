import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../../../test/helpers/shared.ts';
import type { WeightTensor } from '../tensor.ts';
import { loadWeightsFile } from './import.ts';
import { readPth } from './pth.ts';
import { toFloat32 } from './storage.ts';

/** Files made by test/fixtures/weights/make_fixtures.py with PyTorch; expected.json holds PyTorch's values. */
const dir = join(projectRoot, 'test', 'fixtures', 'weights');
interface Expected {
  shape: number[];
  sha256: string;
  sum: number;
  first: number[];
}
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Record<string, Expected>>;
const fixture = (name: string): Uint8Array => readFileSync(join(dir, name));

function checkTensor(name: string, actual: WeightTensor | undefined, want: Expected): void {
  expect(actual, name).toBeDefined();
  const t = actual!;
  expect(t.shape, name).toEqual(want.shape);
  expect(Array.from(t.data.subarray(0, 3)), name).toEqual(want.first);
  let sum = 0;
  for (const v of t.data) sum += v;
  expect(sum, name).toBeCloseTo(want.sum, 6);
  const digest = createHash('sha256')
    .update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))
    .digest('hex');
  expect(digest, `${name} bytes`).toBe(want.sha256);
}

describe('PyTorch-made fixtures', () => {
  it.each(Object.keys(expected))('%s reads to the values PyTorch holds', (file) => {
    const read = readPth(fixture(file), file);
    const names = new Map([...read.tensors].map(([n, t]) => [n.replace(/^module\./, ''), t]));
    for (const [name, want] of Object.entries(expected[file]!)) checkTensor(`${file}: ${name}`, names.get(name), want);
  });

  it('strided-p4.pth: transposed, sliced, offset and shared-storage tensors (pickle protocol 4)', () => {
    const read = readPth(fixture('strided-p4.pth'), 'p4');
    expect(read.format).toBe('pth-zip');
    expect(read.layout).toBe('state_dict');
    // base = arange(60).reshape(6, 10) / 7; sliced = base[1:5:2, 2:9:3]
    expect(Array.from(read.tensors.get('sliced')!.data)).toEqual([12, 15, 18, 32, 35, 38].map((v) => Math.fround(v / 7)));
    expect(read.tensors.get('scalar')!.shape).toEqual([]);
    expect(read.tensors.get('int64')!.data[2]).toBe(2 ** 40);
  });

  it('strided-legacy.pth is the legacy format', () => {
    expect(readPth(fixture('strided-legacy.pth'), 'l').format).toBe('pth-legacy');
  });

  it('a float16 DenseNet state_dict imports as float32', () => {
    const loaded = loadWeightsFile(fixture('tiny-fp16.pth'), 'fp16');
    expect(loaded.spec).toEqual({ growthRate: 4, blockConfig: [1, 1], numInitFeatures: 8, bnSize: 2, numClasses: 3, inChannels: 3 });
    expect(loaded.weights.size).toBe(expectedCount(loaded.spec.blockConfig));
  });

  it('a deflated zip imports', () => {
    expect(loadWeightsFile(fixture('tiny-deflated.pth'), 'deflated').format).toBe('pth-zip');
  });

  it('a TorchXRayVision-like model in DataParallel: 1 channel, labels, op_threshs reported and not imported', () => {
    const loaded = loadWeightsFile(fixture('xrv-like-dataparallel.pth'), 'xrv');
    expect(loaded.layout).toBe('module');
    expect(loaded.spec.inChannels).toBe(1);
    expect(loaded.outputIsProbability).toBe(false);
    const m = loaded.facts.module!;
    expect(m.rootClass).toBe('torch.nn.parallel.data_parallel.DataParallel');
    expect(m.moduleClasses).toContain('torchxrayvision.models.DenseNet');
    expect(m.pathologies).toEqual(['Atelectasis', 'Effusion', 'Pneumonia']);
    expect(m.targets).toEqual(m.pathologies);
    expect(m.applySigmoid).toBe(false);
    expect(m.opThreshs?.map((x) => (Number.isNaN(x) ? null : x))).toEqual([Math.fround(0.1), null, Math.fround(0.3)]);
    expect(m.classifier).toBe('Linear');
    expect(loaded.facts.ignored).toContain('module.op_threshs');
    expect(loaded.weights.has('op_threshs')).toBe(false);
  });
});

describe('storage conversion', () => {
  it('byte-swaps big-endian storages', () => {
    const be = new Uint8Array([0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0]);
    expect(Array.from(toFloat32(be, 'float32', 2, true))).toEqual([1, -2.5]);
    const be64 = new Uint8Array([0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(toFloat32(be64, 'float64', 1, true))).toEqual([1.5]);
  });

  it('converts float16 and bfloat16 exactly', () => {
    expect(Array.from(toFloat32(new Uint8Array([0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c]), 'float16', 4))).toEqual([
      1,
      -2,
      2 ** -24,
      Infinity,
    ]);
    expect(Array.from(toFloat32(new Uint8Array([0x80, 0x3f, 0x49, 0x40]), 'bfloat16', 2))).toEqual([1, 3.140625]);
  });
});

function expectedCount(blocks: number[]): number {
  // conv0 + norm0 (4) + per layer (4 + 1 + 4 + 1) + per transition (4 + 1) + norm5 (4) + classifier (2)
  const layers = blocks.reduce((a, b) => a + b, 0);
  return 1 + 4 + layers * 10 + (blocks.length - 1) * 5 + 4 + 2;
}
