import { DenseRayError } from '../../../shared/errors.ts';
import { buildDenseNetTrunkOnnx as buildTrunk } from '../../model/onnx/densenet-onnx.ts';
import { featureSide, type DenseNetSpec } from '../../model/spec.ts';
import type { WeightMap } from '../../model/tensor.ts';

export { ONNX_TRUNK_OUTPUT } from '../../model/onnx/densenet-onnx.ts';

/**
 * The frozen front of a DenseNet as an ONNX graph that stops where dense block `untilBlock` begins
 * (for `last-block` mode: after the last transition), built by the inference graph's own emitter,
 * so the cached activations equal the tfjs `trunk(x, untilBlock)` up to float rounding.
 * Output: N×C×h×w, NCHW.
 */
export function buildDenseNetTrunkOnnx(spec: DenseNetSpec, weights: WeightMap, inputSize: number, untilBlock: number): Uint8Array {
  if (!Number.isInteger(untilBlock) || untilBlock < 2 || untilBlock > spec.blockConfig.length) {
    throw new DenseRayError('INVALID_ARGUMENT', `a trunk must end before dense block 2..${spec.blockConfig.length}, not ${untilBlock}`);
  }
  return buildTrunk(spec, weights, inputSize, untilBlock);
}

/** Spatial side after the stem and `transitions` transitions (floor at every halving). */
export function trunkSide(spec: DenseNetSpec, inputSize: number, transitions: number): number {
  return featureSide(spec, inputSize, transitions);
}
