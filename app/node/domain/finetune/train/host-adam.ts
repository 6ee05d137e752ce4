import type { WeightMap } from '../../model/tensor.ts';

/**
 * Adam as `torch.optim.Adam` computes it (L2 `weight_decay` added to the gradient, bias-corrected
 * moments, ε added after the square root), on host Float32Arrays updated in place: the optimiser of
 * the onnxruntime training path, whose graphs take the parameters as inputs. Arithmetic in float64,
 * stored as float32. Moments save and restore by parameter name, as the tfjs Adam's do.
 */
export class HostAdam {
  private readonly first = new Map<string, Float32Array>();
  private readonly second = new Map<string, Float32Array>();
  step = 0;

  constructor(
    private readonly params: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    for (const [name, p] of params) {
      this.first.set(name, new Float32Array(p.data.length));
      this.second.set(name, new Float32Array(p.data.length));
    }
  }

  /** One update with gradients keyed by parameter name. */
  apply(grads: ReadonlyMap<string, Float32Array>, learningRate: number, weightDecay: number): void {
    this.step++;
    const { beta1, beta2, epsilon } = this;
    const stepSize = learningRate / (1 - beta1 ** this.step);
    const c2 = Math.sqrt(1 - beta2 ** this.step);
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (g === undefined) continue;
      const m = this.first.get(name)!;
      const v = this.second.get(name)!;
      const w = p.data;
      for (let i = 0; i < w.length; i++) {
        const grad = g[i]! + weightDecay * w[i]!;
        const mi = beta1 * m[i]! + (1 - beta1) * grad;
        const vi = beta2 * v[i]! + (1 - beta2) * grad * grad;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i]! - (stepSize * mi) / (Math.sqrt(vi) / c2 + epsilon);
      }
    }
  }

  /** Moments (copies), for a checkpoint. */
  state(): { step: number; first: WeightMap; second: WeightMap } {
    const host = (moments: Map<string, Float32Array>): WeightMap =>
      new Map([...moments].map(([k, v]) => [k, { shape: [...this.params.get(k)!.shape], data: v.slice() }]));
    return { step: this.step, first: host(this.first), second: host(this.second) };
  }

  restore(step: number, first: ReadonlyMap<string, Float32Array>, second: ReadonlyMap<string, Float32Array>): void {
    this.step = step;
    for (const [name, m] of this.first) {
      const saved = first.get(name);
      if (saved && saved.length === m.length) m.set(saved);
    }
    for (const [name, v] of this.second) {
      const saved = second.get(name);
      if (saved && saved.length === v.length) v.set(saved);
    }
  }
}
