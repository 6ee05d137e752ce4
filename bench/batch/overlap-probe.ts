// bench/batch overlap probe: how much does decoding cost inference when both share the cores?
// Bare = session.run on preprocessed batches; overlapped = decode/preprocess the next batch while
// the current one infers (the Engine's pipelining); serial = decode, then infer. Run with
// ORT thread spinning on and off. On a machine whose cores are all given to inference the
// overlapped and serial numbers match: there is no idle core for decoding to hide on.
// Run: node --import tsx bench/batch/overlap-probe.ts
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { IMAGENET_PREPROCESSING as P } from '../../app/common/manifest.ts';
import { buildDenseNetOnnx } from '../../app/node/domain/model/onnx/densenet-onnx.ts';
import { inferSpec } from '../../app/node/domain/model/spec.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { decodeImage } from '../../app/node/domain/imaging/decode.ts';
import { preprocess, inputLength } from '../../app/node/domain/imaging/preprocess.ts';
const { tensors } = readSafetensors(readFileSync('/work/shared/data/reference/densenet121-synthetic14.safetensors'));
const graph = buildDenseNetOnnx(inferSpec(tensors)!, tensors, 224);
const dir = '/work/shared/data/cxr/images256';
const files = readdirSync(dir)
  .slice(0, 96)
  .map((f) => readFileSync(`${dir}/${f}`));
const per = inputLength(P);
function prep(i0: number): Float32Array {
  const x = new Float32Array(per * 8);
  for (let i = 0; i < 8; i++) preprocess(decodeImage(files[(i0 + i) % files.length]!, 'x'), P, x, i * per);
  return x;
}
for (const spin of ['1', '0']) {
  const s = await ort.InferenceSession.create(graph, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: spin } } },
  } as ort.InferenceSession.SessionOptions);
  const feeds = (x: Float32Array) => ({ input: new ort.Tensor('float32', x, [8, 3, 224, 224]) });
  const pre = Array.from({ length: 12 }, (_, b) => prep(b * 8));
  await s.run(feeds(pre[0]!));
  for (let round = 0; round < 2; round++) {
    let t = performance.now();
    for (const x of pre) await s.run(feeds(x));
    const bare = 96 / ((performance.now() - t) / 1000);
    t = performance.now();
    let next = prep(0);
    for (let b = 0; b < 12; b++) {
      const run = s.run(feeds(next));
      await new Promise((r) => setImmediate(r));
      next = prep((b + 1) * 8);
      await run;
    }
    const overl = 96 / ((performance.now() - t) / 1000);
    t = performance.now();
    for (let b = 0; b < 12; b++) {
      const x = prep(b * 8);
      await s.run(feeds(x));
    }
    const serial = 96 / ((performance.now() - t) / 1000);
    console.log(
      `spin=${spin} bare ${bare.toFixed(1)} overlapped ${overl.toFixed(1)} (${(overl / bare).toFixed(2)}) serial ${serial.toFixed(1)} (${(serial / bare).toFixed(2)})`,
    );
  }
  await s.release();
}
