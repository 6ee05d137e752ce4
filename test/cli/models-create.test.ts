import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferSpec } from '../../app/node/domain/model/spec.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { createModel } from '../../app/node/services/models/create-model.ts';
import { family } from '../helpers/family-fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';
import { thrown } from '../helpers/thrown.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'denseray-create-'));
const json = <T>(s: string): T => JSON.parse(s) as T;

describe('denseray models create', () => {
  it("makes the paper's DenseNet-BC (L=100, k=12): PyTorch's parameter count, a spec its weights infer back, a card that says untrained", async () => {
    const labels = Array.from({ length: 10 }, (_, i) => `c${i}`).join(',');
    const args = [
      'models',
      'create',
      '--arch',
      'densenet-bc',
      '--depth',
      '100',
      '--growth',
      '12',
      '--labels',
      labels,
      '--input-size',
      '32',
    ];
    const run = await runCli([...args, '--channels', '3', '--id', 'bc100', '--json'], { dataDir });
    expect(run.code, run.stderr).toBe(0);
    const created = json<{ parameters: number; architecture: string; manifest: { arch: string; demo: boolean; spec: unknown } }>(
      run.stdout,
    );
    expect(created.parameters).toBe(family.paper['DenseNet-BC (L=100, k=12)']!.parameters);
    expect(created.architecture).toBe('DenseNet-BC, L=100, k=12, θ=0.5, bottleneck 4k, CIFAR stem (24 ch), blocks 16/16/16');
    expect(created.manifest).toMatchObject({ arch: 'densenet-bc', demo: true });
    expect(created.manifest.spec).toEqual({
      growthRate: 12,
      blockConfig: [16, 16, 16],
      numInitFeatures: 24,
      bnSize: 4,
      inChannels: 3,
      stem: 'cifar',
    });
    const dir = join(dataDir, 'models', 'bc100');
    const weights = readSafetensors(readFileSync(join(dir, 'weights.safetensors'))).tensors;
    expect(inferSpec(weights)).toEqual({ ...(created.manifest.spec as object), numClasses: 10 });
    expect(readFileSync(join(dir, 'card.md'), 'utf8')).toContain('Untrained: randomly initialised, to be trained');

    const show = await runCli(['models', 'show', 'bc100'], { dataDir });
    expect(show.stdout).toContain('0.77 M parameters');
    expect(show.stdout).toContain('| parameters | 769,162 |');
    expect(show.stdout).toContain('densenet-bc: DenseNet-BC, L=100, k=12');
  });

  it('refuses a depth the recipe cannot build, and an id already taken', () => {
    const depth = thrown(() => createModel(dataDir, { arch: 'densenet', depth: 41, labels: ['a'], inputSize: 32 }));
    expect(depth.code).toBe('INVALID_ARGUMENT');
    expect(depth.message).toMatch(/depth 41 does not give three equal dense blocks without a bottleneck: L = 3·n·1 \+ 4/);
    const taken = thrown(() => createModel(dataDir, { arch: 'densenet-bc', depth: 10, labels: ['a'], inputSize: 32, id: 'bc100' }));
    expect(taken.message).toContain('already installed');
    expect(thrown(() => createModel(dataDir, { arch: 'densenet-bc', depth: 10, labels: ['a', 'a'], inputSize: 32 })).message).toContain(
      'unique',
    );
  });
});
