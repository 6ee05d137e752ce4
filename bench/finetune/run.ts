/**
 * One optimiser step per fine-tuning mode, DenseRay (tfjs, as the trainer runs it) beside PyTorch
 * doing the same step on the same DenseNet-121 weights in the same run; prints seconds and the ratio.
 *
 *   node --import tsx bench/finetune/run.ts [--modes head,last-block,full] [--batch 8] [--size 224]
 *                                          [--iters 3] [--torch-threads 1]
 *
 * What runs where: everything on tfjs-wasm (tfjs-node is not installable here); conv filter
 * gradients through DenseRay's JS kernel (train/wasm-conv-filter-grad.ts), because tfjs-backend-wasm
 * has none. `--conv-backend cpu` times tfjs's pure-JS cpu backend instead (the old fallback).
 * PyTorch defaults to one thread; pass --torch-threads 2 to give it both cores.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { FinetuneMode } from '../../app/common/contract/finetune.ts';
import { Adam } from '../../app/node/domain/finetune/train/adam.ts';
import { trainStep } from '../../app/node/domain/finetune/train/train-step.ts';
import { registerWasmConvFilterGradient } from '../../app/node/domain/finetune/train/wasm-conv-filter-grad.ts';
import { createTrainableNet } from '../../app/node/domain/finetune/train/trainable-net.ts';
import { inferSpec } from '../../app/node/domain/model/spec.ts';
import { initTfjsBackend } from '../../app/node/domain/model/tfjs/backend.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { shared } from '../../test/helpers/shared.ts';

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'head,last-block,full' },
    batch: { type: 'string', default: '8' },
    size: { type: 'string', default: '224' },
    iters: { type: 'string', default: '3' },
    'torch-threads': { type: 'string', default: '1' },
    'conv-backend': { type: 'string', default: 'wasm' },
  },
});
const modes = values.modes.split(',') as FinetuneMode[];
const batch = Number(values.batch);
const size = Number(values.size);
const iters = Number(values.iters);
const weightsPath = shared('reference', 'densenet121-synthetic14.safetensors');
const weights = readSafetensors(readFileSync(weightsPath)).tensors;
const spec = inferSpec(weights)!;
const side = size / 32;

async function tfjsStep(mode: FinetuneMode): Promise<{ seconds: number; backend: string }> {
  // As the trainer does: wasm, plus DenseRay's filter-gradient kernel when conv layers train (--conv-backend cpu for the old path).
  if (mode !== 'head') registerWasmConvFilterGradient();
  const backend = await initTfjsBackend(mode === 'head' ? 'wasm' : values['conv-backend'] === 'cpu' ? 'cpu' : 'wasm');
  const net = createTrainableNet(mode, spec, weights);
  const adam = new Adam(net.variables);
  const shape = mode === 'head' ? [batch, 1024] : mode === 'last-block' ? [batch, side, side, 512] : [batch, size, size, 3];
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.cast(tf.less(tf.randomUniform([batch, spec.numClasses], 0, 1, 'float32', 2), 0.3), 'float32')) as tf.Tensor2D;
  const pw = tf.fill([spec.numClasses], 2) as tf.Tensor1D;
  try {
    trainStep(net, adam, x, y, pw, 1e-3, 1e-4); // warm-up: kernel set-up, first allocations
    const n = mode === 'full' ? Math.min(iters, 1) : iters;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) trainStep(net, adam, x, y, pw, 1e-3, 1e-4);
    return { seconds: (performance.now() - t0) / 1000 / n, backend };
  } finally {
    tf.dispose([x, y, pw]);
    adam.dispose();
    net.dispose();
  }
}

function torchSteps(): Map<string, { seconds: number; torch: string; threads: number }> {
  const script = fileURLToPath(new URL('./torch_step.py', import.meta.url));
  const run = spawnSync(
    '/usr/bin/python3',
    [script, weightsPath, modes.join(','), String(batch), String(size), String(iters), values['torch-threads']],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`PyTorch side failed: ${run.stderr}`);
  return new Map(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const r = JSON.parse(line) as { mode: string; seconds: number; torch: string; threads: number };
        return [r.mode, r];
      }),
  );
}

console.log(
  `DenseNet-121 (reference synthetic weights), batch ${batch}, ${size}×${size}; one Adam step, BatchNorm frozen, BCE with pos_weight`,
);
const torch = torchSteps();
console.log(
  `${'mode'.padEnd(11)} ${'denseray s/step'.padStart(16)} ${'backend'.padStart(8)} ${'pytorch s/step'.padStart(15)} ${'ratio'.padStart(7)}`,
);
for (const mode of modes) {
  const ours = await tfjsStep(mode);
  const theirs = torch.get(mode)!;
  console.log(
    `${mode.padEnd(11)} ${ours.seconds.toFixed(4).padStart(16)} ${ours.backend.padStart(8)} ${theirs.seconds.toFixed(4).padStart(15)} ${(ours.seconds / theirs.seconds).toFixed(1).padStart(6)}×`,
  );
}
const t = [...torch.values()][0];
console.log(`PyTorch ${t?.torch} with ${t?.threads} thread(s); ratio = DenseRay / PyTorch (higher is slower).`);
