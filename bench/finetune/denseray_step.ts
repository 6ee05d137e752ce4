/**
 * DenseRay side of bench/finetune: the trainer's own step (TrainingPath.step: forward, weighted BCE,
 * gradients, Adam) on DenseNet-121, on the engine given. A server like torch_step.py: each stdin line
 * "<steps>" runs that many steps and prints {"seconds": [...]}; "rss" prints peak RSS in bytes.
 *   node --import tsx bench/finetune/denseray_step.ts <mode> <batch> <size> <threads> <engine> [micro-batch]
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FinetuneMode } from '../../app/common/contract/finetune.ts';
import { createTrainingPath } from '../../app/node/domain/finetune/train/create-training-path.ts';
import { finalFeatureCount, inferSpec } from '../../app/node/domain/model/spec.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { hashNoise, hashTargets } from '../../test/helpers/hash-noise.ts';
import { shared } from '../../test/helpers/shared.ts';

const [mode, batchText, sizeText, threadsText, engine, microText] = process.argv.slice(2) as [
  FinetuneMode,
  string,
  string,
  string,
  'onnxruntime' | 'tfjs',
  string?,
];
const batch = Number(batchText);
const size = Number(sizeText);
const weights = readSafetensors(readFileSync(shared('reference', 'densenet121-synthetic14.safetensors'))).tensors;
const spec = inferSpec(weights)!;
const side = size / 32;
const sampleShape = mode === 'head' ? [finalFeatureCount(spec)] : mode === 'last-block' ? [side, side, 512] : [size, size, 3];
const path = await createTrainingPath({
  engine,
  mode,
  spec,
  weights,
  inputSize: size,
  sampleShape,
  batchSize: batch,
  microBatch: microText ? Number(microText) : undefined,
  threads: Number(threadsText),
});
const x = hashNoise(batch * sampleShape.reduce((a, b) => a * b, 1), 1);
const y = hashTargets(batch * spec.numClasses, 2);
const pw = new Float32Array(spec.numClasses).fill(2);
console.log(JSON.stringify({ ready: true, plan: path.plan }));
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'rss') {
    console.log(JSON.stringify({ rss: process.resourceUsage().maxRSS * 1024 }));
    continue;
  }
  const seconds: number[] = [];
  for (let i = 0; i < Number(line); i++) {
    const t0 = performance.now();
    await path.step(x, y, batch, pw, 1e-3, 1e-4);
    seconds.push((performance.now() - t0) / 1000);
  }
  console.log(JSON.stringify({ seconds }));
}
await path.dispose();
