import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDenseNetTrunkOnnx, ONNX_TRUNK_OUTPUT } from '../../app/node/domain/finetune/features/trunk-onnx.ts';
import { openFrozenBackbone } from '../../app/node/domain/finetune/features/backbone.ts';
import { initTfjsBackend } from '../../app/node/domain/model/tfjs/backend.ts';
import { DenseNetTf } from '../../app/node/domain/model/tfjs/densenet.ts';
import { loadReferenceCase, loadReferenceModel } from '../helpers/reference-fixtures.ts';

/** The cached activations for `last-block` must be what the tfjs tail expects: tfjs trunk(x, 4), NHWC. */
describe('ONNX trunk cut at the last transition', () => {
  const { spec, weights } = loadReferenceModel('tiny');
  beforeAll(async () => {
    await initTfjsBackend('wasm');
  });

  it('equals the tfjs trunk and feeds the tfjs tail to the full network logits', async () => {
    const ref = loadReferenceCase('tiny', 'random1');
    const [n] = ref.input.shape as [number, number, number, number];
    const backbone = await openFrozenBackbone('block-input', spec, weights, 64);
    const cached = await backbone.run(ref.input.data, n);
    await backbone.dispose();
    expect(backbone.sampleShape).toEqual([2, 2, 8]);
    const net = DenseNetTf.fromWeights(spec, weights);
    try {
      const [trunk, logits] = tf.tidy(() => {
        const x = tf.transpose(tf.tensor4d(ref.input.data, ref.input.shape as [number, number, number, number]), [0, 2, 3, 1]);
        const h = tf.tensor4d(cached, [n, 2, 2, 8]);
        return [net.trunk(x, 4).dataSync(), net.forward(h, { fromBlock: 4 }).logits.dataSync()];
      });
      const gap = Math.max(...Array.from(cached, (v, i) => Math.abs(v - trunk[i]!)));
      expect(gap).toBeLessThan(1e-4);
      const logitGap = Math.max(...Array.from(logits, (v, i) => Math.abs(v - ref.logits.data[i]!)));
      expect(logitGap).toBeLessThan(1e-4);
    } finally {
      net.dispose();
    }
  });

  it('declares its output shape', async () => {
    const session = await ort.InferenceSession.create(buildDenseNetTrunkOnnx(spec, weights, 64, 4));
    expect(session.outputNames).toEqual([ONNX_TRUNK_OUTPUT]);
    await session.release();
  });
});
