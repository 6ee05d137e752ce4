import * as tf from '@tensorflow/tfjs';

/**
 * The handful of layers a torchvision DenseNet uses, with PyTorch's semantics, on NHWC tensors.
 * tfjs's 'same' padding is not PyTorch's: for even inputs it pads only bottom/right, which shifts
 * every window by one pixel. So padding is always symmetric and explicit here.
 */

/** A BatchNorm in eval mode reduced to one per-channel affine map: y = x·scale + shift. */
export interface ChannelAffine {
  scale: tf.Tensor1D;
  shift: tf.Tensor1D;
}

/** `nn.Conv2d(bias=False, padding=pad)` with an HWIO filter; a numeric pad is tfjs's symmetric zero padding. */
export function conv(x: tf.Tensor4D, filterHwio: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  return tf.conv2d(x, filterHwio, stride, pad === 0 ? 'valid' : pad);
}

/** BatchNorm (eval) followed by ReLU, the pre-activation every DenseNet conv sits behind. */
export function normRelu(x: tf.Tensor4D, norm: ChannelAffine): tf.Tensor4D {
  return tf.relu(affine(x, norm));
}

export function affine(x: tf.Tensor4D, norm: ChannelAffine): tf.Tensor4D {
  // The 1-D tensors broadcast along the last (channel) axis of NHWC.
  return tf.add(tf.mul(x, norm.scale), norm.shift);
}

/**
 * `nn.MaxPool2d(size, stride, padding=pad)`: PyTorch pads with −∞ so padding never wins a window.
 * Padding by hand and pooling 'valid' keeps the window placement identical to PyTorch's.
 */
export function maxPool(x: tf.Tensor4D, size: number, stride: number, pad: number): tf.Tensor4D {
  const padded =
    pad === 0
      ? x
      : tf.pad(
          x,
          [
            [0, 0],
            [pad, pad],
            [pad, pad],
            [0, 0],
          ],
          -Infinity,
        );
  return tf.maxPool(padded, size, stride, 'valid');
}

/** `nn.AvgPool2d(size, stride)` without padding (floor mode, as the transitions use it). */
export function avgPool(x: tf.Tensor4D, size: number, stride: number): tf.Tensor4D {
  return tf.avgPool(x, size, stride, 'valid');
}

/** `adaptive_avg_pool2d(x, 1)` then flatten: N×H×W×C → N×C. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]);
}

/** `nn.Linear`: weight kept in PyTorch's K×C layout and multiplied transposed. */
export function linear(x: tf.Tensor2D, weightKc: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.add(tf.matMul(x, weightKc, false, true), bias);
}

/** PyTorch NCHW ↔ tfjs NHWC. */
export function nchwToNhwc(x: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(x, [0, 2, 3, 1]);
}

export function nhwcToNchw(x: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(x, [0, 3, 1, 2]);
}
