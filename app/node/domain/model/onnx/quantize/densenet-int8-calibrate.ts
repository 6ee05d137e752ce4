import * as ort from 'onnxruntime-node';
import { DenseRayError } from '../../../../shared/errors.ts';
import type { DenseNetSpec } from '../../spec.ts';
import type { WeightMap } from '../../tensor.ts';
import { buildDenseNetOnnx, type DenseNetTaps, ONNX_INPUT } from '../densenet-onnx.ts';
import { buildDenseNetInt8 } from './densenet-int8.ts';
import type { Int8Calibration } from './int8-calibration.ts';
import { blockChannelMaps } from './piece-maps.ts';
import { type Reduction, withReductions } from '../graph-reductions.ts';
import { cpuSessionOptions } from '../session-options.ts';

export interface CalibrationOptions {
  threads?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called after each batch with the number of images seen so far. */
  onBatch?: (images: number) => void;
  /** Images (the first batches) kept in memory for the per-block shift passes; default 64. */
  shiftImages?: number;
}

const PER_CHANNEL = [0, 2, 3];

/**
 * What an integer DenseNet is built from, over model inputs already preprocessed exactly as for
 * inference (N×C×H×W float32 batches; the first `shiftImages` are kept for the later passes):
 * 1. one float32 pass with each tap's min/max (per channel for concatenated pieces, per tensor for
 *    ReLU outputs) and each block output's per-channel mean as extra outputs;
 * 2. one integer pass per dense block, in order, measuring that block's output mean against the
 *    float32 one: the difference is the block's shift (see Int8Calibration), and later blocks are
 *    measured with the earlier shifts applied.
 */
export async function calibrateDenseNetInt8(
  spec: DenseNetSpec,
  weights: WeightMap,
  inputSize: number,
  batches: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  options: CalibrationOptions = {},
): Promise<{ calibration: Int8Calibration; images: number }> {
  const taps: DenseNetTaps = new Map();
  const graph = buildDenseNetOnnx(spec, weights, inputSize, { taps });
  const blockTaps = [...taps.keys()].filter((k) => /^features\.denseblock\d+$/.test(k));
  const pieceTaps = [...taps.keys()].filter((k) => !/\.relu\d?$/.test(k) && !blockTaps.includes(k));
  const reluTaps = [...taps.keys()].filter((k) => /\.relu\d?$/.test(k));
  const reductions: Reduction[] = [
    { tensor: ONNX_INPUT, op: 'ReduceMin', suffix: 'min' },
    { tensor: ONNX_INPUT, op: 'ReduceMax', suffix: 'max' },
    ...pieceTaps.flatMap((k): Reduction[] => [
      { tensor: taps.get(k)!, op: 'ReduceMin', suffix: 'channel_min', axes: PER_CHANNEL },
      { tensor: taps.get(k)!, op: 'ReduceMax', suffix: 'channel_max', axes: PER_CHANNEL },
    ]),
    ...reluTaps.map((k): Reduction => ({ tensor: taps.get(k)!, op: 'ReduceMax', suffix: 'max' })),
    ...blockTaps.map((k): Reduction => ({ tensor: taps.get(k)!, op: 'ReduceMean', suffix: 'channel_mean', axes: PER_CHANNEL })),
  ];
  const session = await createSession(withReductions(graph, reductions), options);
  const fetches = reductions.map((r) => `${r.tensor}.${r.suffix}`);
  const per = spec.inChannels * inputSize * inputSize;
  const input = { min: Infinity, max: -Infinity };
  const pieces = Object.fromEntries(pieceTaps.map((k) => [k, { min: [] as number[], max: [] as number[] }]));
  const relus: Record<string, number> = Object.fromEntries(reluTaps.map((k) => [k, 0]));
  const floatMeans = new Map(blockTaps.map((k) => [k, new ChannelMean()]));
  const feeds = (batch: Float32Array): { feeds: Record<string, ort.Tensor>; n: number } => {
    if (options.signal?.aborted) throw new DenseRayError('CANCELLED', 'calibration cancelled');
    const n = batch.length / per;
    if (!Number.isInteger(n) || n < 1)
      throw new DenseRayError('INVALID_ARGUMENT', `a calibration batch of ${batch.length} values is not N×${per}`);
    return { feeds: { [ONNX_INPUT]: new ort.Tensor('float32', batch, [n, spec.inChannels, inputSize, inputSize]) }, n };
  };
  const kept: Float32Array[] = [];
  let images = 0;
  try {
    for await (const batch of batches) {
      const { feeds: x, n } = feeds(batch);
      const keep = images < (options.shiftImages ?? 64);
      if (keep) kept.push(batch);
      const out = await session.run(x, fetches);
      const read = (tensor: string, suffix: string): Float32Array => out[`${tensor}.${suffix}`]!.data as Float32Array;
      input.min = Math.min(input.min, read(ONNX_INPUT, 'min')[0]!);
      input.max = Math.max(input.max, read(ONNX_INPUT, 'max')[0]!);
      for (const k of pieceTaps) {
        const lo = read(taps.get(k)!, 'channel_min');
        const hi = read(taps.get(k)!, 'channel_max');
        const r = pieces[k]!;
        for (let c = 0; c < lo.length; c++) {
          r.min[c] = Math.min(r.min[c] ?? Infinity, lo[c]!);
          r.max[c] = Math.max(r.max[c] ?? -Infinity, hi[c]!);
        }
      }
      for (const k of reluTaps) relus[k] = Math.max(relus[k]!, read(taps.get(k)!, 'max')[0]!);
      // The shifts compare both graphs on the same (kept) images.
      if (keep) for (const k of blockTaps) floatMeans.get(k)!.add(read(taps.get(k)!, 'channel_mean'), n);
      images += n;
      options.onBatch?.(images);
    }
  } finally {
    await session.release();
  }
  if (images === 0) throw new DenseRayError('INVALID_ARGUMENT', 'calibration needs at least one image');

  const calibration: Int8Calibration = { input, pieces, relus, shifts: {} };
  const maps = blockChannelMaps(spec, calibration);
  const shifts: Record<string, number[]> = {};
  for (const block of blockTaps) {
    const probe = `${block}.dequantized`;
    const integer = await createSession(
      withReductions(buildDenseNetInt8(spec, weights, inputSize, { ...calibration, shifts }, { probes: true }), [
        { tensor: probe, op: 'ReduceMean', suffix: 'channel_mean', axes: PER_CHANNEL },
      ]),
      options,
    );
    const stored = new ChannelMean();
    try {
      for (const batch of kept) {
        const { feeds: x, n } = feeds(batch);
        stored.add((await integer.run(x, [`${probe}.channel_mean`]))[`${probe}.channel_mean`]!.data as Float32Array, n);
      }
    } finally {
      await integer.release();
    }
    // Stored means back in float units (x = (x' − β)/α), less the float32 graph's.
    const { alpha, beta } = maps.get(block)!;
    const reference = floatMeans.get(block)!.value();
    shifts[block] = stored.value().map((m, c) => (m - beta[c]!) / alpha[c]! - reference[c]!);
  }
  return { calibration: { ...calibration, shifts }, images };
}

function createSession(graph: Uint8Array, options: CalibrationOptions): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(graph, cpuSessionOptions(options.threads));
}

/** A per-channel mean accumulated over batches of different sizes. */
class ChannelMean {
  private sum: number[] = [];
  private count = 0;
  add(batchMean: Float32Array, n: number): void {
    for (let c = 0; c < batchMean.length; c++) this.sum[c] = (this.sum[c] ?? 0) + batchMean[c]! * n;
    this.count += n;
  }
  value(): number[] {
    return this.sum.map((s) => s / this.count);
  }
}
