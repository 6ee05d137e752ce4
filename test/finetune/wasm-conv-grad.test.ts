import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../../app/node/domain/model/tfjs/backend.ts';
import { registerWasmConvFilterGradient } from '../../app/node/domain/finetune/train/wasm-conv-filter-grad.ts';

/** DenseRay's wasm Conv2DBackpropFilter must give the cpu backend's filter gradients (the reference kernel). */
describe('wasm conv filter gradient', () => {
  it.each([
    ['1×1, stride 1, valid', [2, 5, 5, 6], [1, 1, 6, 4], 1, 'valid'],
    ['3×3, stride 1, pad 1', [2, 6, 7, 3], [3, 3, 3, 5], 1, 1],
    ['7×7, stride 2, pad 3 (stem)', [1, 16, 16, 3], [7, 7, 3, 4], 2, 3],
  ] as const)('%s', async (_, xShape, fShape, stride, pad) => {
    const gradient = async (backend: 'cpu' | 'wasm'): Promise<Float32Array> => {
      await initTfjsBackend(backend);
      return tf.tidy(() => {
        // Half the inputs zero, like post-ReLU activations, to exercise the skip.
        const x = tf.relu(tf.randomNormal([...xShape], 0, 1, 'float32', 7)) as tf.Tensor4D;
        const f = tf.randomNormal([...fShape], 0, 1, 'float32', 8) as tf.Tensor4D;
        const g = tf.grad((filter: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, filter as tf.Tensor4D, stride, pad))))(f);
        return g.dataSync() as Float32Array;
      });
    };
    registerWasmConvFilterGradient();
    const onCpu = await gradient('cpu');
    const onWasm = await gradient('wasm');
    const scale = Math.max(...Array.from(onCpu, Math.abs));
    const gap = Math.max(...Array.from(onWasm, (v, i) => Math.abs(v - onCpu[i]!)));
    expect(gap / scale).toBeLessThan(1e-5);
  });
});
