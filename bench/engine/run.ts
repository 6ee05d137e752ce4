// bench/engine: DenseNet-121 at 224², 2 threads. Interleaves, in one run, DenseRay's ONNX path (with CAMs),
// its int8 variant (the integer network, calibrated here on NIH images as `models quantize` does),
// bare onnxruntime-node on the same graph, DenseRay's tfjs path (batch 1 only: it is ~10× slower),
// and (where Debian's python3-torch is installed) PyTorch eager and traced+frozen+optimize_for_inference.
// Then decoders (JS vs sharp, per format) and a whole study through the Engine, split into its parts
// (bench/engine/whole-study.ts, one child process per precision).
// Prints medians and same-run ratios; machines here are noisy, so only ratios mean anything.
// Run: npm run bench:engine [-- --rounds 5 --memory 1000 --calibration-images 32 --no-tfjs --no-torch]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { decodeImage, decodeImageAsync } from '../../app/node/domain/imaging/decode.ts';
import { nativeDecoderName } from '../../app/node/domain/imaging/decode-native.ts';
import { buildDenseNetInt8 } from '../../app/node/domain/model/onnx/quantize/densenet-int8.ts';
import { calibrateInt8 } from '../../app/node/domain/quantize/make-int8-variant.ts';
import { buildDenseNetOnnx } from '../../app/node/domain/model/onnx/densenet-onnx.ts';
import { createOnnxBackend } from '../../app/node/domain/model/onnx/onnx-backend.ts';
import { cpuSessionOptions } from '../../app/node/domain/model/onnx/session-options.ts';
import { createTfjsBackend } from '../../app/node/domain/model/tfjs/engine-tfjs.ts';
import { inferSpec } from '../../app/node/domain/model/spec.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { shared } from '../../test/helpers/shared.ts';
import { BENCH_MANIFEST, BENCH_WEIGHTS } from './bench-model.ts';
import { TorchWorker, torchAvailable } from './torch-worker.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string' },
    iters: { type: 'string' },
    memory: { type: 'string' },
    threads: { type: 'string' },
    'no-tfjs': { type: 'boolean' },
    'no-torch': { type: 'boolean' },
    'calibration-images': { type: 'string' },
  },
});
const calibrationImages = Number(values['calibration-images'] ?? 32);
const rounds = Number(values.rounds ?? 5);
const iters = Number(values.iters ?? 10);
const memoryCalls = Number(values.memory ?? 1000);
const threads = Number(values.threads ?? 2);

const weightsPath = BENCH_WEIGHTS;
const { tensors } = readSafetensors(readFileSync(weightsPath));
const spec = inferSpec(tensors)!;
const graph = buildDenseNetOnnx(spec, tensors, 224);
// The same network without the CAM output, to measure what CAMs cost.
const graphNoCam = buildDenseNetOnnx(spec, tensors, 224, { cams: false });
const ours = await createOnnxBackend(graph, [3, 224, 224], { threads });
const oursNoCam = await createOnnxBackend(graphNoCam, [3, 224, 224], { threads });
// Bare: onnxruntime itself on the same graph with the same session options, none of DenseRay's code around it.
const bare = await ort.InferenceSession.create(graph, cpuSessionOptions(threads));
const tfjs = values['no-tfjs'] ? undefined : await createTfjsBackend(spec, tensors, 224);
const nih = readdirSync(shared('cxr', 'images256'))
  .sort()
  .map((f) => shared('cxr', 'images256', f));
process.stdout.write(`calibrating int8 on ${calibrationImages} NIH images…\n`);
const calibrationStart = performance.now();
const { calibration: int8Calibration } = await calibrateInt8({
  manifest: BENCH_MANIFEST,
  weights: tensors,
  files: nih.slice(0, calibrationImages),
  threads,
});
process.stdout.write(`calibrated in ${((performance.now() - calibrationStart) / 1000).toFixed(0)} s\n`);
const int8 = await createOnnxBackend(buildDenseNetInt8(spec, tensors, 224, int8Calibration), [3, 224, 224], { threads, precision: 'int8' });
const torch = torchAvailable() && !values['no-torch'] ? await TorchWorker.start(weightsPath, threads) : undefined;
if (!torch && !values['no-torch'])
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
    record(`int8 b${batch}`, await timeIt(() => int8.run(x, batch), n));
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
  for (const name of ['bare', 'onnx', 'onnx-no-cam', 'int8', 'torch-eager', 'torch-tuned', 'tfjs'])
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
  report += `  b${batch}: int8 vs fp32 ${ratio(`int8 b${batch}`, `onnx b${batch}`)}  (goal ≥ 1.8; int8 = the integer network of the same weights, CAMs included)\n`;
  report += `  b${batch}: CAM overhead ${((m(`onnx b${batch}`)! / m(`onnx-no-cam b${batch}`)! - 1) * 100).toFixed(1)}%  (goal ≤ 5%; the onnx path always returns CAMs)\n`;
}
if (m('tfjs b1')) report += `  b1: tfjs vs onnx ${ratio('onnx b1', 'tfjs b1')} (tfjs is the fallback/training path)\n`;
process.stdout.write(report);
torch?.close();
await tfjs?.dispose();

// Decoders, per format, on the same bytes: the JS decoders against sharp (libvips), to show where each is used.
const decodeSeries: Series = {};
const film = readFileSync(shared('cxr', 'images', '00004599_000.png'));
const colourFilm = readFileSync(shared('cxr', 'images', '00005224_000.png'));
const jpegFilm = await sharp(film).jpeg({ quality: 90 }).toBuffer();
const sharpRaw = async (bytes: Uint8Array): Promise<unknown> => sharp(bytes).raw().toBuffer();
for (let r = 0; r < 5; r++) {
  for (const [name, bytes] of [
    ['gray PNG 1024²', film],
    ['RGBA PNG 1024²', colourFilm],
    ['gray JPEG 1024²', jpegFilm],
  ] as const) {
    (decodeSeries[`${name} js`] ??= []).push(await timeIt(async () => decodeImage(bytes, name), 3));
    (decodeSeries[`${name} sharp`] ??= []).push(await timeIt(() => sharpRaw(bytes), 3));
    (decodeSeries[`${name} used`] ??= []).push(await timeIt(() => decodeImageAsync(bytes, name), 3));
  }
}
let decodeReport = `\ndecoders (${await nativeDecoderName()}), median ms per image: JS path / sharp raw decode / what DenseRay uses\n`;
for (const name of ['gray PNG 1024²', 'RGBA PNG 1024²', 'gray JPEG 1024²']) {
  const ms = (k: string): string => (median(decodeSeries[`${name} ${k}`]!) * 1000).toFixed(1).padStart(7);
  decodeReport += `  ${name.padEnd(16)} ${ms('js')} ${ms('sharp')} ${ms('used')}\n`;
}
process.stdout.write(decodeReport);

// A whole study, in a child process per precision (as the product runs it: one engine per process;
// several sessions in one process would measure how they share the cores instead).
const calibrationFile = join(mkdtempSync(join(tmpdir(), 'denseray-bench-')), 'int8-calibration.json');
writeFileSync(calibrationFile, JSON.stringify(int8Calibration));
const wholeStudy = (int8Run: boolean): Record<string, number> => {
  const script = fileURLToPath(new URL('./whole-study.ts', import.meta.url));
  const args = ['--import', 'tsx', script, '--threads', String(threads), ...(int8Run ? ['--int8', calibrationFile] : [])];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`whole-study run failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, number>;
};
const fp32Study = wholeStudy(false);
const int8Study = wholeStudy(true);
rmSync(dirname(calibrationFile), { recursive: true, force: true });
const parts = ['decode', 'preprocess', 'infer', 'cam', 'guard'] as const;
const breakdown = (r: Record<string, number>): string => {
  const accounted = parts.reduce((sum, k) => sum + (r[k] ?? 0), 0);
  return `${parts.map((k) => `${k} ${r[k]!.toFixed(1)}`).join(', ')}, the rest ${(r.whole! - accounted).toFixed(1)}`;
};
process.stdout.write(
  `\nwhole study (1024² PNG → probabilities + CAMs + guard), batch 1, medians of 20, one process per precision:\n` +
    `  fp32 ${fp32Study.whole!.toFixed(1)} ms = ${breakdown(fp32Study)}; bare fp32 inference ${fp32Study.bare!.toFixed(1)} ms\n` +
    `  int8 ${int8Study.whole!.toFixed(1)} ms = ${breakdown(int8Study)}; bare int8 inference ${int8Study.bareInt8!.toFixed(1)} ms, bare fp32 ${int8Study.bare!.toFixed(1)} ms\n` +
    `  whole study / bare inference at the same precision: fp32 ${(fp32Study.whole! / fp32Study.bare!).toFixed(2)}  int8 ${(int8Study.whole! / int8Study.bareInt8!).toFixed(2)}  (goal ≤ 1.3)\n` +
    `  int8 whole study / bare fp32 inference: ${(int8Study.whole! / int8Study.bare!).toFixed(2)}\n` +
    `  floor (fastest of 30, in the study's process): inflating this PNG's pixel data ≥ ${fp32Study.inflateFloor!.toFixed(1)} ms, ` +
    `the whole gray-PNG decode ≥ ${fp32Study.decodeFloor!.toFixed(1)} ms = ${(fp32Study.decodeFloor! / fp32Study.bare!).toFixed(2)} of bare fp32 inference\n`,
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
await int8.dispose();
await bare.release();
