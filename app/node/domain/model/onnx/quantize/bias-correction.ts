import * as ort from 'onnxruntime-node';
import { ONNX_INPUT } from '../densenet-onnx.ts';
import { buildQdqGraph, channelMeanReductions, planQdq, type TensorRange, withReductions } from './qdq-graph.ts';

/**
 * Empirical bias correction (Nagel et al. 2019, "Data-Free Quantization", §4.2 measured on data):
 * quantisation noise passing through ReLUs shifts every later activation's mean (a convex function
 * of a noisy input is biased upward), and over DenseNet's 120 convolutions that drift reaches the
 * logits as a systematic offset. For each quantised conv we measure its per-channel output mean in
 * the float32 graph and in the QDQ graph on the calibration images, and fold the difference into
 * the conv's bias. Corrections upstream change what downstream layers see, so this repeats.
 */
export async function measureBiasCorrection(
  fp32Graph: Uint8Array,
  ranges: Readonly<Record<string, TensorRange>>,
  inputShape: [channels: number, height: number, width: number],
  batches: readonly Float32Array[],
  options: { segments?: number; sweeps?: number; damping?: number; threads?: number; onPass?: (pass: number) => void } = {},
): Promise<Record<string, number[]>> {
  const plan = planQdq(fp32Graph);
  const outputs = plan.convs.map((c) => c.convOutput);
  const reference = await channelMeans(fp32Graph, outputs, inputShape, batches, options.threads);
  const correction: Record<string, number[]> = Object.fromEntries(
    plan.convs.map((c) => [c.weight, new Array<number>(c.outChannels).fill(0)]),
  );
  const segments = Math.min(options.segments ?? 8, plan.convs.length);
  for (let step = 0; step < segments * (options.sweeps ?? 1); step++) {
    const seg = step % segments;
    const from = Math.floor((seg * plan.convs.length) / segments);
    const to = Math.floor(((seg + 1) * plan.convs.length) / segments);
    const qdq = buildQdqGraph(fp32Graph, { ranges, biasCorrection: correction });
    const measured = await channelMeans(qdq, outputs.slice(from, to), inputShape, batches, options.threads);
    for (const conv of plan.convs.slice(from, to)) {
      const ref = reference[conv.convOutput]!;
      const got = measured[conv.convOutput]!;
      const c = correction[conv.weight]!;
      for (let k = 0; k < c.length; k++) c[k] = Math.fround(c[k]! - (options.damping ?? 1) * (got[k]! - ref[k]!));
    }
    options.onPass?.(step + 1);
  }
  return correction;
}

/** Per-channel mean of each named NCHW tensor over all images of all batches. */
async function channelMeans(
  graph: Uint8Array,
  tensors: readonly string[],
  inputShape: [number, number, number],
  batches: readonly Float32Array[],
  threads: number | undefined,
): Promise<Record<string, Float64Array>> {
  const session = await ort.InferenceSession.create(withReductions(graph, channelMeanReductions(tensors)), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
  });
  const per = inputShape[0] * inputShape[1] * inputShape[2];
  const sums: Record<string, Float64Array> = {};
  let images = 0;
  try {
    for (const batch of batches) {
      const n = batch.length / per;
      const fetches = tensors.map((t) => `${t}.channel_mean`);
      const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', batch, [n, ...inputShape]) }, fetches);
      for (const t of tensors) {
        const mean = out[`${t}.channel_mean`]!.data as Float32Array;
        const sum = (sums[t] ??= new Float64Array(mean.length));
        for (let k = 0; k < mean.length; k++) sum[k] = sum[k]! + mean[k]! * n;
      }
      images += n;
    }
  } finally {
    await session.release();
  }
  for (const sum of Object.values(sums)) for (let k = 0; k < sum.length; k++) sum[k] = sum[k]! / images;
  return sums;
}
