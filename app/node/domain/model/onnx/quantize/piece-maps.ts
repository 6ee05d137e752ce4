import { DenseRayError } from '../../../../shared/errors.ts';
import { type DenseNetSpec, stemOf, usesBottleneck } from '../../spec.ts';
import type { ChannelRanges, Int8Calibration } from './int8-calibration.ts';

/** Each piece channel's calibrated range is widened by this fraction of its width on each side. */
export const PIECE_MARGIN = 0.1;

/** How a conv's output channels are stored: x' = α·x + β, then uint8 at `scale` (zero point 0). */
export interface PieceMap {
  alpha: number[];
  beta: number[];
  scale: number;
}

/** The tensors dense block `b` (0-based) concatenates, by tap name: its first piece, then each layer's. */
export function blockPieceNames(spec: DenseNetSpec, b: number): string[] {
  const first = b > 0 ? `features.transition${b}.conv` : stemOf(spec) === 'cifar' ? 'features.conv0' : 'features.pool0';
  const layer = usesBottleneck(spec) ? 'conv2' : 'conv1';
  return [first, ...Array.from({ length: spec.blockConfig[b]! }, (_, l) => `features.denseblock${b + 1}.denselayer${l + 1}.${layer}`)];
}

/**
 * How piece `name` is stored. The ImageNet stem's pooled output (after ReLU) is only scaled: no
 * shift, so that 0 stays the ReLU's floor; scaling by α > 0 commutes with ReLU and max pooling.
 */
export function pieceMapOf(calibration: Int8Calibration, name: string): PieceMap {
  const range = calibration.pieces[name];
  if (!range) throw new DenseRayError('MODEL_INVALID', `no calibration range for "${name}"; quantise the model again`);
  return pieceMap(range, name === 'features.pool0');
}

/** Per dense block, how each channel of its output is stored (x' = α·x + β, before any shift). */
export function blockChannelMaps(spec: DenseNetSpec, calibration: Int8Calibration): Map<string, { alpha: number[]; beta: number[] }> {
  const maps = new Map<string, { alpha: number[]; beta: number[] }>();
  spec.blockConfig.forEach((_, b) => {
    const pieces = blockPieceNames(spec, b).map((name) => pieceMapOf(calibration, name));
    maps.set(`features.denseblock${b + 1}`, { alpha: pieces.flatMap((m) => m.alpha), beta: pieces.flatMap((m) => m.beta) });
  });
  return maps;
}

/** A concatenated piece: each channel's widened calibrated range onto [0, 255] at scale 1. */
function pieceMap(range: ChannelRanges, floorAtZero: boolean): PieceMap {
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let c = 0; c < range.min.length; c++) {
    let lo = floorAtZero ? 0 : range.min[c]!;
    let hi = range.max[c]!;
    const width = hi - lo;
    if (!(width > 1e-12)) {
      // A constant channel: store it at mid-range.
      alpha.push(1);
      beta.push(127 - lo);
      continue;
    }
    hi += PIECE_MARGIN * width;
    if (!floorAtZero) lo -= PIECE_MARGIN * width;
    const a = 255 / (hi - lo);
    alpha.push(a);
    beta.push(-lo * a);
  }
  return { alpha, beta, scale: 1 };
}

/** A ReLU output: the identity map at the calibrated scale (the uint8 clamp at 0 is the ReLU). */
export function reluMap(channels: number, scale: number): PieceMap {
  return { alpha: new Array<number>(channels).fill(1), beta: new Array<number>(channels).fill(0), scale };
}
