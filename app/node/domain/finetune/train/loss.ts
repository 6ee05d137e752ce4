import * as tf from '@tensorflow/tfjs';

/**
 * Mean binary cross-entropy on logits with a per-class positive weight, exactly
 * `torch.nn.BCEWithLogitsLoss(pos_weight=w)`:
 *   ℓ = (1 − y)·z + (1 + (w − 1)·y)·(log(1 + e^{−|z|}) + max(−z, 0)),
 * the log-sum-exp form that never overflows for large |z|.
 */
export function weightedBceWithLogits(logits: tf.Tensor2D, targets: tf.Tensor2D, positiveWeight: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const softplusNeg = tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(logits)))), tf.relu(tf.neg(logits)));
    const weight = tf.add(1, tf.mul(tf.sub(positiveWeight, 1), targets));
    return tf.mean(tf.add(tf.mul(tf.sub(1, targets), logits), tf.mul(weight, softplusNeg)));
  });
}

/** neg/pos per class on the training split (1 where a class has no positives, so it does not explode). */
export function positiveWeights(targets: Float32Array, classes: number): Float32Array {
  const rows = targets.length / classes;
  return Float32Array.from({ length: classes }, (_, k) => {
    let pos = 0;
    for (let i = 0; i < rows; i++) pos += targets[i * classes + k]!;
    return pos === 0 || pos === rows ? 1 : (rows - pos) / pos;
  });
}
