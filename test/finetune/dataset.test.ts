import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareDataset } from '../../app/node/domain/finetune/dataset/prepare-dataset.ts';
import { readDataset } from '../../app/node/domain/finetune/dataset/read-dataset.ts';
import { splitByPatient } from '../../app/node/domain/finetune/dataset/patient-split.ts';
import type { LabelledImage } from '../../app/node/domain/finetune/dataset/labelled-image.ts';
import { SeededRandom } from '../../app/node/domain/model/seeded-random.ts';
import { shared } from '../helpers/shared.ts';
import { tempDir } from './fixtures.ts';

function syntheticItems(patients: number, seed: number): LabelledImage[] {
  const random = new SeededRandom(seed);
  const items: LabelledImage[] = [];
  for (let p = 0; p < patients; p++) {
    const images = 1 + Math.floor(random.uniform() * 4);
    // label 0 common (~40%), label 1 rare (~8%), decided per patient so stratification can work.
    const common = random.uniform() < 0.4 ? 1 : 0;
    const rare = random.uniform() < 0.08 ? 1 : 0;
    for (let i = 0; i < images; i++)
      items.push({ file: `/x/p${p}_${i}.png`, name: `p${p}_${i}.png`, patientId: `P${p}`, targets: Uint8Array.of(common, rare) });
  }
  return items;
}

describe('patient-level split', () => {
  it.each([1, 2, 3, 42])('never puts one patient in two splits (seed %i), and is stratified', (seed) => {
    const items = syntheticItems(400, seed);
    const { splits, method } = splitByPatient(items, { val: 0.15, test: 0.15 }, seed);
    expect(method).toBe('stratified-patient');
    const splitOf = new Map<string, string>();
    items.forEach((item, i) => {
      const s = splits[i]!;
      expect(splitOf.get(item.patientId) ?? s).toBe(s);
      splitOf.set(item.patientId, s);
    });
    const patientsIn = (s: string): number => [...splitOf.values()].filter((x) => x === s).length;
    expect(patientsIn('val') / 400).toBeCloseTo(0.15, 1);
    expect(patientsIn('test') / 400).toBeCloseTo(0.15, 1);
    // The rare label reaches every split.
    for (const s of ['train', 'val', 'test']) expect(items.some((it, i) => splits[i] === s && it.targets[1] === 1)).toBe(true);
  });

  it('is deterministic for a seed and changes with it', () => {
    const items = syntheticItems(200, 9);
    expect(splitByPatient(items, { val: 0.2, test: 0.2 }, 5).splits).toEqual(splitByPatient(items, { val: 0.2, test: 0.2 }, 5).splits);
    expect(splitByPatient(items, { val: 0.2, test: 0.2 }, 6).splits).not.toEqual(splitByPatient(items, { val: 0.2, test: 0.2 }, 5).splits);
  });

  it('refuses a given split that puts a patient in two splits', () => {
    const items: LabelledImage[] = [
      { file: '/a', name: 'a', patientId: 'P1', targets: Uint8Array.of(1), fixedSplit: 'train' },
      { file: '/b', name: 'b', patientId: 'P1', targets: Uint8Array.of(0), fixedSplit: 'val' },
    ];
    expect(() => splitByPatient(items, { val: 0.2, test: 0.2 }, 0)).toThrow(/P1 is in more than one split/);
  });
});

describe('reading datasets', () => {
  it("reads NIH's labels.csv (unquoted commas in its header) and selects the toy task", () => {
    const all = readDataset({ data: shared('cxr', 'labels.csv'), images: shared('cxr', 'images256'), keep: 'all' });
    expect(all.format).toBe('nih-csv');
    expect(all.items).toHaveLength(528);
    expect(all.labels).toHaveLength(14);
    expect(all.patientIds).toBe('column');
    const toy = readDataset({
      data: shared('cxr', 'labels.csv'),
      images: shared('cxr', 'images256'),
      labels: ['Effusion'],
      keep: 'labelled-or-no-finding',
    });
    expect(toy.items).toHaveLength(69 + 85);
    expect(toy.items.filter((i) => i.targets[0] === 1)).toHaveLength(69);
  });

  it('reports missing, non-image, bad-label and duplicate rows without aborting', async () => {
    const dir = tempDir('ft-ds');
    const png = shared('cxr', 'images256', '00000075_000.png');
    copyFileSync(png, join(dir, 'ok1.png'));
    copyFileSync(png, join(dir, 'ok2.png'));
    writeFileSync(join(dir, 'notes.png'), 'this is text');
    writeFileSync(
      join(dir, 'labels.csv'),
      [
        'path,patient_id,Effusion,Mass,age',
        'ok1.png,A,1,0,50',
        'ok2.png,B,0,1,61',
        'gone.png,C,1,0,70',
        'notes.png,D,0,0,40',
        'ok1.png,A,1,0,50',
        'ok2.png,E,maybe,0,33',
        '',
      ].join('\n'),
    );
    const ds = await prepareDataset({ data: join(dir, 'labels.csv'), valFraction: 0.34, testFraction: 0 });
    expect(ds.labels).toEqual(['Effusion', 'Mass']); // `age` is not 0/1, so not a label
    expect(ds.images.map((i) => i.name)).toEqual(['ok1.png', 'ok2.png']);
    expect(ds.summary.problems.map((p) => [p.file, p.code])).toEqual([
      ['ok2.png', 'unknown-label'],
      ['gone.png', 'missing'],
      ['notes.png', 'unsupported-format'],
      ['ok1.png', 'duplicate'],
    ]);
    expect(ds.summary.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads a folder per class, with a negative folder and an unknown one', () => {
    const dir = tempDir('ft-folders');
    for (const cls of ['Effusion', 'normal', 'Other']) mkdirSync(join(dir, cls));
    const png = shared('cxr', 'images256', '00000075_000.png');
    copyFileSync(png, join(dir, 'Effusion', 'e.png'));
    copyFileSync(png, join(dir, 'normal', 'n.png'));
    copyFileSync(png, join(dir, 'Other', 'o.png'));
    const ds = readDataset({ data: dir, labels: ['Effusion'], keep: 'all' });
    expect(ds.format).toBe('folders');
    expect(ds.patientIds).toBe('per-image');
    expect(ds.items.map((i) => [i.name, i.targets[0]])).toEqual([
      [join('Effusion', 'e.png'), 1],
      [join('normal', 'n.png'), 0],
    ]);
    expect(ds.problems).toEqual([expect.objectContaining({ file: join('Other', 'o.png'), code: 'unknown-label' })]);
  });
});
