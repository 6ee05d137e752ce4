import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { shared } from '../helpers/shared.ts';

const work = mkdtempSync(join(tmpdir(), 'denseray-models-'));
const dataDir = join(work, 'data');
const labels = join(work, 'labels.json');
writeFileSync(labels, JSON.stringify(['a', 'b', 'c']));
const json = <T>(s: string): T => JSON.parse(s) as T;

describe('denseray models', () => {
  it('imports a legacy CheXNet-style checkpoint, lists, activates, classifies with it, shows and removes it', async () => {
    const imported = await runCli(
      [
        'models',
        'import',
        shared('reference', 'tiny-chexnet-arnoweng-style.pth.tar'),
        '--labels',
        labels,
        '--size',
        '64',
        '--id',
        'tiny-arnoweng',
        '--activate',
        '--json',
      ],
      { dataDir },
    );
    expect(imported.code, imported.stderr + imported.stdout).toBe(0);
    const manifest = json<{
      manifest: { id: string; arch: string; weights: { sha256: string }; provenance: { importedFromSha256: string } };
    }>(imported.stdout).manifest;
    expect(manifest).toMatchObject({ id: 'tiny-arnoweng', arch: 'custom' });
    expect(readdirSync(join(dataDir, 'models', 'tiny-arnoweng')).sort()).toEqual(['card.md', 'manifest.json', 'weights.safetensors']);

    const list = json<{ models: { id: string; active: boolean; demo: boolean }[] }>(
      (await runCli(['models', 'list', '--json'], { dataDir })).stdout,
    ).models;
    expect(list.find((m) => m.id === 'tiny-arnoweng')).toMatchObject({ active: true, demo: false });
    expect(list.find((m) => m.demo)).toMatchObject({ id: 'densenet121-untrained-demo', active: false });

    const classified = json<{ model: { id: string; sha256: string } }>(
      (await runCli(['classify', shared('reference', 'inputs', '00000284_000.png'), '--json'], { dataDir })).stdout,
    );
    expect(classified.model).toEqual(expect.objectContaining({ id: 'tiny-arnoweng', sha256: manifest.weights.sha256 }));

    const shown = await runCli(['models', 'show', 'tiny-arnoweng', '--json'], { dataDir });
    expect(json<{ active: boolean }>(shown.stdout).active).toBe(true);

    expect((await runCli(['models', 'remove', 'tiny-arnoweng'], { dataDir })).code).toBe(0);
    expect(existsSync(join(dataDir, 'models', 'tiny-arnoweng'))).toBe(false);
    const gone = await runCli(['models', 'show', 'tiny-arnoweng', '--json'], { dataDir });
    expect(gone.code).toBe(3);
    expect(json(gone.stdout)).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND' } });
  });

  it('names the mismatch when labels do not fit the classifier and installs nothing', async () => {
    const run = await runCli(['models', 'import', shared('reference', 'tiny-densenet.safetensors'), '--json'], {
      dataDir: join(work, 'data2'),
    });
    expect(run.code).toBe(2); // INVALID_ARGUMENT: the command needs --labels, a usage error
    expect(json(run.stdout)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const wrongArch = await runCli(
      ['models', 'import', shared('reference', 'tiny-densenet.safetensors'), '--arch', 'densenet121', '--labels', labels, '--json'],
      { dataDir: join(work, 'data2') },
    );
    expect(json(wrongArch.stdout)).toMatchObject({ ok: false, error: { code: 'WEIGHTS_MISMATCH' } });
    expect(existsSync(join(work, 'data2', 'models'))).toBe(false);
  });
});
