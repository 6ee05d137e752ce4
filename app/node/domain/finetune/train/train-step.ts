import * as tf from '@tensorflow/tfjs';
import type { Adam } from './adam.ts';
import { weightedBceWithLogits } from './loss.ts';
import type { TrainableNet } from './trainable-net.ts';

/** One optimiser step on one batch: forward, weighted BCE, backward, Adam. Returns the batch loss; leaks nothing. */
export function trainStep(
  net: TrainableNet,
  adam: Adam,
  x: tf.Tensor,
  y: tf.Tensor2D,
  positiveWeight: tf.Tensor1D,
  learningRate: number,
  weightDecay: number,
): number {
  const variables = [...net.variables.values()];
  const names = [...net.variables.keys()];
  const { value, grads } = tf.variableGrads(() => weightedBceWithLogits(net.logits(x), y, positiveWeight), variables);
  // variableGrads keys gradients by tfjs's own variable names; map them back to torchvision names.
  const byName: Record<string, tf.Tensor> = {};
  variables.forEach((v, i) => {
    const g = grads[v.name];
    if (g) byName[names[i]!] = g;
  });
  adam.apply(byName, learningRate, weightDecay);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}
