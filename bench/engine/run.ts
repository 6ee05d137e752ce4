// bench/engine: DenseNet-121 at 224², 2 threads. Interleaves, in one run, DenseRay's ONNX path (with CAMs),
// bare onnxruntime-node on the same graph, DenseRay's tfjs path (batch 1 only: it is ~10× slower),
// and (where Debian's python3-torch is installed) PyTorch eager and traced+frozen+optimize_for_inference.
// Prints medians and same-run ratios; machines here are noisy, so only ratios mean anything.
// Run: npm run bench:engine [-- --rounds 5 --memory 1000]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { IMAGENET_PREPROCESSING } from '../../app/common/manifest.ts';
import { Engine } from '../../app/node/domain/engine/engine.ts';
import { DEFAULT_GUARD_REFERENCE } from '../../app/node/domain/engine/open-engine.ts';
import { InputGuard } from '../../app/node/domain/guard/input-guard.ts';
import { ModelRuntime } from '../../app/node/domain/model/model-runtime.ts';
import { buildDenseNetOnnx } from '../../app/node/domain/model/onnx/densenet-onnx.ts';
import { createOnnxBackend } from '../../app/node/domain/model/onnx/onnx-backend.ts';
import { createTfjsBackend } from '../../app/node/domain/model/tfjs/engine-tfjs.ts';
import { inferSpec } from '../../app/node/domain/model/spec.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { shared } from '../../test/helpers/shared.ts';
import { TorchWorker, torchAvailable } from './torch-worker.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string' },
    iters: { type: 'string' },
    memory: { type: 'string' },
    threads: { type: 'string' },
    'no-tfjs': { type: 'boolean' },
  },
});
const rounds = Number(values.rounds ?? 5);
const iters = Number(values.iters ?? 10);
const memoryCalls = Number(values.memory ?? 1000);
const threads = Number(values.threads ?? 2);

const weightsPath = shared('reference', 'densenet121-synthetic14.safetensors');
const { tensors } = readSafetensors(readFileSync(weightsPath));
const spec = inferSpec(tensors)!;
const graph = buildDenseNetOnnx(spec, tensors, 224);
// The same network without the CAM output, to measure what CAMs cost.
const graphNoCam = buildDenseNetOnnx(spec, tensors, 224, { cams: false });
const ours = await createOnnxBackend(graph, [3, 224, 224], { threads });
const oursNoCam = await createOnnxBackend(graphNoCam, [3, 224, 224], { threads });
const bare = await ort.InferenceSession.create(graph, {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
});
const tfjs = values['no-tfjs'] ? undefined : await createTfjsBackend(spec, tensors, 224);
const torch = torchAvailable() ? await TorchWorker.start(weightsPath, threads) : undefined;
if (!torch)
  process.stdout.write(
    'PyTorch not found at /usr/bin/python3 (apt-get install python3-torch python3-torchvision): torch columns skipped\n',
  );

const input = (batch: number): Float32Array => Float32Array.from({ length: batch * 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.001));

async function timeIt(fn: () => Promise<unknown>, n: number): Promise<number> {
  await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n / 1000;
}

type Series = Record<string, number[]>;
const series: Series = {};
const record = (name: string, seconds: number): void => {
  (series[name] ??= []).push(seconds);
};

for (let r = 0; r < rounds; r++) {
  for (const batch of [1, 8]) {
    const x = input(batch);
    const feeds = { input: new ort.Tensor('float32', x, [batch, 3, 224, 224]) };
    const n = batch === 1 ? iters : Math.max(2, Math.floor(iters / 3));
    record(`bare b${batch}`, await timeIt(() => bare.run(feeds), n));
    record(`onnx b${batch}`, await timeIt(() => ours.run(x, batch), n));
    record(`onnx-no-cam b${batch}`, await timeIt(() => oursNoCam.run(x, batch), n));
    if (torch) {
      record(`torch-eager b${batch}`, await torch.time('eager', batch, n));
      record(`torch-tuned b${batch}`, await torch.time('tuned', batch, n));
    }
    if (tfjs && batch === 1) record('tfjs b1', await timeIt(() => tfjs.run(x, 1), 2));
  }
  process.stdout.write(`round ${r + 1}/${rounds} done\n`);
}

const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
const m = (name: string): number | undefined => (series[name] ? median(series[name]!) : undefined);
const line = (label: string, seconds: number | undefined, batch: number): string =>
  seconds === undefined
    ? ''
    : `${label.padEnd(22)} ${(seconds * 1000).toFixed(1).padStart(8)} ms/batch ${(batch / seconds).toFixed(1).padStart(7)} img/s\n`;

let report = `\nDenseNet-121 224², ${threads} threads, medians of ${rounds} interleaved rounds\n`;
for (const batch of [1, 8]) {
  for (const name of ['bare', 'onnx', 'onnx-no-cam', 'torch-eager', 'torch-tuned', 'tfjs'])
    report += line(`${name} b${batch}`, m(`${name} b${batch}`), batch);
}
const ratio = (a: string, b: string): string => {
  const x = m(a);
  const y = m(b);
  return x !== undefined && y !== undefined ? (y / x).toFixed(2) : 'n/a';
};
report += `\nspeed ratios (>1 = first is faster)\n`;
for (const batch of [1, 8]) {
  report += `  b${batch}: onnx vs bare ort ${ratio(`onnx b${batch}`, `bare b${batch}`)}  (goal ≥ 0.91)\n`;
  report += `  b${batch}: onnx vs torch eager ${ratio(`onnx b${batch}`, `torch-eager b${batch}`)}  vs torch tuned ${ratio(`onnx b${batch}`, `torch-tuned b${batch}`)}\n`;
  report += `  b${batch}: CAM overhead ${((m(`onnx b${batch}`)! / m(`onnx-no-cam b${batch}`)! - 1) * 100).toFixed(1)}%  (goal ≤ 5%; the onnx path always returns CAMs)\n`;
}
if (m('tfjs b1')) report += `  b1: tfjs vs onnx ${ratio('onnx b1', 'tfjs b1')} (tfjs is the fallback/training path)\n`;
process.stdout.write(report);
torch?.close();
await tfjs?.dispose();

// A whole study: decode a 1024² PNG + preprocess + infer + CAM, through the Engine.
const runtime = await ModelRuntime.create(
  {
    schemaVersion: 1,
    id: 'bench',
    name: 'bench',
    version: '1',
    arch: 'densenet121',
    spec: { growthRate: 32, blockConfig: [6, 12, 24, 16], numInitFeatures: 64, bnSize: 4, inChannels: 3 },
    labels: Array.from({ length: 14 }, (_, i) => `l${i}`),
    preprocessing: IMAGENET_PREPROCESSING,
    output: { activation: 'sigmoid' },
    thresholds: {},
    camLayer: 'features.norm5.relu',
    weights: { file: weightsPath, format: 'safetensors', sha256: '0'.repeat(64) },
    demo: false,
    provenance: { source: 'bench', createdAt: new Date().toISOString() },
  },
  tensors,
  { backend: 'onnx', threads },
);
const engine = new Engine(runtime, InputGuard.fromFile(DEFAULT_GUARD_REFERENCE));
const study = shared('cxr', 'images', '00004599_000.png');
await engine.classifyFiles([study], { cams: true, batchSize: 1 });
const studyTimes: number[] = [];
const parts: Record<string, number[]> = { decode: [], preprocess: [], infer: [], cam: [] };
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  const [r] = await engine.classifyFiles([study], { cams: true, batchSize: 1 });
  studyTimes.push(performance.now() - t0);
  if (r?.ok) for (const [k, v] of Object.entries(r.prediction.timingsMs)) parts[k]!.push(v);
}
const breakdown = Object.entries(parts)
  .map(([k, v]) => `${k} ${median(v).toFixed(1)}`)
  .join(', ');
process.stdout.write(
  `\nwhole study (1024² PNG decode + preprocess + infer + CAM + guard), batch 1: median ${median(studyTimes).toFixed(1)} ms (goal < 60 ms); ms: ${breakdown}\n`,
);

// Memory over many classifications: RSS must stay flat.
const x1 = input(1);
const rssStart = process.memoryUsage().rss;
for (let i = 0; i < memoryCalls; i++) {
  await ours.run(x1, 1);
  if (i === 99) process.stdout.write(`RSS after 100 calls: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB\n`);
}
process.stdout.write(
  `RSS over ${memoryCalls} classifications: start ${(rssStart / 2 ** 20).toFixed(0)} MiB, end ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB\n`,
);
await ours.dispose();
await oursNoCam.dispose();
await runtime.dispose();
await bare.release();
