// bench/engine's whole-study part, in its own process as the product runs it (one engine per
// process): a 1024² PNG through the Engine (read, decode, preprocess, infer + CAMs, guard),
// interleaved with bare onnxruntime at batch 1 on the float32 graph (and, for an int8 engine, on
// the int8 graph too). Prints one JSON line of medians (ms). Started by bench/engine/run.ts.
// Run: node --import tsx bench/engine/whole-study.ts --threads 2 [--int8 calibration.json] [--iterations 20]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { inflateSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';
import { Engine } from '../../app/node/domain/engine/engine.ts';
import { DEFAULT_GUARD_REFERENCE } from '../../app/node/domain/engine/open-engine.ts';
import { InputGuard } from '../../app/node/domain/guard/input-guard.ts';
import { decodeGrayPngFast } from '../../app/node/domain/imaging/decode-png-gray.ts';
import { ModelRuntime } from '../../app/node/domain/model/model-runtime.ts';
import { buildDenseNetOnnx } from '../../app/node/domain/model/onnx/densenet-onnx.ts';
import { buildDenseNetInt8 } from '../../app/node/domain/model/onnx/quantize/densenet-int8.ts';
import type { Int8Calibration } from '../../app/node/domain/model/onnx/quantize/int8-calibration.ts';
import { cpuSessionOptions } from '../../app/node/domain/model/onnx/session-options.ts';
import { inferSpec } from '../../app/node/domain/model/spec.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { shared } from '../../test/helpers/shared.ts';
import { BENCH_MANIFEST, BENCH_WEIGHTS } from './bench-model.ts';

const { values } = parseArgs({ options: { threads: { type: 'string' }, int8: { type: 'string' }, iterations: { type: 'string' } } });
const threads = Number(values.threads ?? 2);
const iterations = Number(values.iterations ?? 20);
const int8 = values.int8 ? (JSON.parse(readFileSync(values.int8, 'utf8')) as Int8Calibration) : undefined;
const { tensors } = readSafetensors(readFileSync(BENCH_WEIGHTS));
const spec = inferSpec(tensors)!;
const runtime = await ModelRuntime.create(BENCH_MANIFEST, tensors, { backend: 'onnx', threads, ...(int8 ? { int8 } : {}) });
const engine = new Engine(runtime, InputGuard.fromFile(DEFAULT_GUARD_REFERENCE));
const bare = await ort.InferenceSession.create(buildDenseNetOnnx(spec, tensors, 224), cpuSessionOptions(threads));
const bareInt8 = int8
  ? await ort.InferenceSession.create(buildDenseNetInt8(spec, tensors, 224, int8), cpuSessionOptions(threads))
  : undefined;
const feeds = {
  input: new ort.Tensor(
    'float32',
    Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.001)),
    [1, 3, 224, 224],
  ),
};
const study = shared('cxr', 'images', '00004599_000.png');

const series: Record<string, number[]> = {};
const record = (name: string, ms: number): void => {
  (series[name] ??= []).push(ms);
};
const timeAsync = async (fn: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};
const time = (fn: () => unknown): number => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
for (let i = 0; i < iterations + 3; i++) {
  const warm = i >= 3; // the first rounds pay for JIT compilation and first-touch allocations
  const b = await timeAsync(() => bare.run(feeds));
  const b8 = bareInt8 ? await timeAsync(() => bareInt8.run(feeds)) : undefined;
  let timings: Record<string, number> | undefined;
  const whole = await timeAsync(async () => {
    const [r] = await engine.classifyFiles([study], { cams: true, batchSize: 1 });
    if (!r?.ok) throw new Error(`the study did not classify: ${JSON.stringify(r)}`);
    timings = r.prediction.timingsMs;
  });
  if (!warm) continue;
  record('bare', b);
  if (b8 !== undefined) record('bareInt8', b8);
  record('whole', whole);
  for (const [k, v] of Object.entries(timings ?? {})) record(k, v);
}
const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
const medians: Record<string, number> = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, median(v)]));
// The floor under the decode, measured here, where the allocator is in the state the study saw (in
// the parent bench process each inflate faulted in fresh output pages: 6.3 ms instead of 2.5).
// Inflating (one deflate stream: it cannot be split across cores) and the whole gray-PNG decode
// (inflate, unfilter, scale to [0,1]): the fastest of 30, a floor, not a typical time.
const png = new Uint8Array(readFileSync(study));
const idat = pngImageData(png);
const scratch = new Float32Array(idat.pixels);
const fastest = (fn: () => unknown): number => Math.min(...Array.from({ length: 30 }, () => time(fn)));
medians.inflateFloor = fastest(() => inflateSync(idat.data, { chunkSize: idat.rawLength, maxOutputLength: idat.rawLength }));
medians.decodeFloor = fastest(() => decodeGrayPngFast(png, (n) => scratch.subarray(0, n)));
process.stdout.write(`${JSON.stringify(medians)}\n`);
await engine.dispose();
await bare.release();
await bareInt8?.release();

/** A PNG's concatenated IDAT chunks (its compressed pixel data), its inflated length and pixel count, from IHDR. */
function pngImageData(png: Uint8Array): { data: Buffer; rawLength: number; pixels: number } {
  const bytes = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Buffer[] = [];
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const bytesPerPixel = Math.ceil(bytes[24]! / 8) * ([1, 0, 3, 1, 2, 0, 4][bytes[25]!] ?? 1);
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString('latin1', at + 4, at + 8) === 'IDAT') chunks.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return { data: Buffer.concat(chunks), rawLength: (width * bytesPerPixel + 1) * height, pixels: width * height };
}
