import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { installTinyModel, tempDir, TINY_MODEL_ID, writeBrightnessDataset } from '../finetune/fixtures.ts';

describe('denseray finetune: engine and micro-batches', () => {
  const dataDir = tempDir('ft-cli');
  installTinyModel(dataDir);
  const csv = writeBrightnessDataset(tempDir('ft-cli-data'), 12);

  it('says before training which engine runs and how the batch is split', async () => {
    const run = await runCli(
      ['finetune', '--data', csv, '--model', TINY_MODEL_ID, '--mode', 'last-block', '--epochs', '2', '--batch', '8', '--micro-batch', '3'],
      { dataDir },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /training on onnxruntime: onnxruntime-node [\d.]+ cpu, .*DenseRay backward graph, micro-batches of 3 summed to batch 8 \(estimated [\d.]+ GB of [\d.]+ GB available\)/,
    );
    expect(run.stdout).toContain('installed model');
  });

  it('refuses an engine it does not have', async () => {
    const run = await runCli(['finetune', '--data', csv, '--mode', 'head', '--engine', 'cuda'], { dataDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--engine must be onnxruntime or tfjs');
  });
});
