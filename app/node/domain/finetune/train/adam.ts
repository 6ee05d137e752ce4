import * as tf from '@tensorflow/tfjs';

/**
 * Adam as `torch.optim.Adam` computes it (L2 `weight_decay` added to the gradient, bias-corrected
 * moments, ε added after the square root). Written out rather than using tf.train.adam because its
 * state must be saved and restored by parameter name for resumable checkpoints (tfjs keys moments by
 * position and by process-unique variable names).
 */
export class Adam {
  private readonly first = new Map<string, tf.Variable>();
  private readonly second = new Map<string, tf.Variable>();
  step = 0;

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    for (const [name, p] of params) {
      this.first.set(name, tf.variable(tf.zerosLike(p), false));
      this.second.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** One update with gradients keyed by parameter name; disposes nothing it was given. */
  apply(grads: Readonly<Record<string, tf.Tensor>>, learningRate: number, weightDecay: number): void {
    this.step++;
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        let g = grads[name];
        if (g === undefined) continue;
        if (weightDecay > 0) g = tf.add(g, tf.mul(p, weightDecay));
        const m = this.first.get(name)!;
        const v = this.second.get(name)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const denominator = tf.add(tf.div(tf.sqrt(v), Math.sqrt(c2)), this.epsilon);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denominator), learningRate / c1)));
      }
    });
  }

  /** Moments as host arrays, for a checkpoint. */
  state(): {
    step: number;
    first: Map<string, { shape: number[]; data: Float32Array }>;
    second: Map<string, { shape: number[]; data: Float32Array }>;
  } {
    const host = (m: Map<string, tf.Variable>): Map<string, { shape: number[]; data: Float32Array }> =>
      new Map([...m].map(([k, v]) => [k, { shape: [...v.shape], data: v.dataSync() as Float32Array }]));
    return { step: this.step, first: host(this.first), second: host(this.second) };
  }

  restore(step: number, first: ReadonlyMap<string, Float32Array>, second: ReadonlyMap<string, Float32Array>): void {
    this.step = step;
    for (const [name, v] of this.first) {
      const saved = first.get(name);
      if (saved) tf.tidy(() => v.assign(tf.tensor(saved, v.shape)));
    }
    for (const [name, v] of this.second) {
      const saved = second.get(name);
      if (saved) tf.tidy(() => v.assign(tf.tensor(saved, v.shape)));
    }
  }

  dispose(): void {
    for (const v of [...this.first.values(), ...this.second.values()]) v.dispose();
    this.first.clear();
    this.second.clear();
  }
}
