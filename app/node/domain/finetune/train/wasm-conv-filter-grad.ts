import * as tf from '@tensorflow/tfjs';

interface WasmLikeBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array): tf.TensorInfo;
}

/**
 * tfjs-backend-wasm has every kernel conv-layer training needs except Conv2DBackpropFilter (the
 * filter gradient), which is why conv training used to fall back to the pure-JS `cpu` backend —
 * ~1000× slower than PyTorch for the last DenseNet-121 block (bench/finetune). This registers that
 * one kernel for wasm, in plain JS: dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s−pad+kh, ow·s−pad+kw, ci] ·
 * dy[n,oh,ow,co], looping so the innermost run is contiguous over output channels and skipping zero
 * inputs (most conv inputs in a DenseNet come straight out of a ReLU). Sums in float64.
 * Idempotent; a later real wasm kernel would have to be registered instead of this one.
 */
export function registerWasmConvFilterGradient(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as {
        strides: [number, number] | number;
        pad: 'valid' | 'same' | number;
        dataFormat: 'NHWC' | 'NCHW';
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        filterShape: [number, number, number, number];
      };
      if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (DenseRay wasm kernel): only NHWC is supported');
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        a.filterShape,
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
        false,
        'channelsLast',
      );
      const b = backend as unknown as WasmLikeBackend;
      const xs = b.readSync(x.dataId);
      const dys = b.readSync(dy.dataId);
      return b.makeOutput([...a.filterShape], 'float32', undefined, filterGradient(xs, dys, info));
    },
  });
}

/** The NHWC filter gradient (HWIO), exported for the kernel's test. */
export function filterGradient(x: ArrayLike<number>, dy: ArrayLike<number>, c: tf.backend_util.Conv2DInfo): Float32Array {
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: ci,
    outHeight: oh,
    outWidth: ow,
    outChannels: co,
    filterHeight: fh,
    filterWidth: fw,
    strideHeight: sh,
    strideWidth: sw,
  } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  const acc = new Float64Array(fh * fw * ci * co);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const dyBase = ((b * oh + y) * ow + xo) * co;
        for (let kh = 0; kh < fh; kh++) {
          const iy = y * sh - top + kh;
          if (iy < 0 || iy >= h) continue;
          for (let kw = 0; kw < fw; kw++) {
            const ix = xo * sw - left + kw;
            if (ix < 0 || ix >= w) continue;
            const xBase = ((b * h + iy) * w + ix) * ci;
            const wBase = (kh * fw + kw) * ci;
            for (let i = 0; i < ci; i++) {
              const v = x[xBase + i]!;
              if (v === 0) continue;
              const out = (wBase + i) * co;
              for (let o = 0; o < co; o++) acc[out + o] = acc[out + o]! + v * dy[dyBase + o]!;
            }
          }
        }
      }
    }
  }
  return Float32Array.from(acc);
}
