/** Mean and inverse covariance of a reference set, for Mahalanobis distances. */
export interface GaussianReference {
  mean: number[];
  /** Row-major inverse of the (shrunk) covariance matrix. */
  inverseCovariance: number[];
}

/**
 * Fits mean and covariance to rows of `samples`, shrinking the covariance toward its diagonal
 * (by `shrinkage`) so a few hundred samples give a stable, invertible matrix.
 */
export function fitGaussian(samples: ArrayLike<number>[], shrinkage = 0.05): GaussianReference {
  const d = samples[0]!.length;
  const n = samples.length;
  const mean = new Array<number>(d).fill(0);
  for (const s of samples) for (let i = 0; i < d; i++) mean[i]! += s[i]! / n;
  const cov = new Array<number>(d * d).fill(0);
  for (const s of samples) {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j]! += ((s[i]! - mean[i]!) * (s[j]! - mean[j]!)) / (n - 1);
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (i !== j) cov[i * d + j]! *= 1 - shrinkage;
  return { mean, inverseCovariance: invert(cov, d) };
}

export function mahalanobis(x: ArrayLike<number>, ref: GaussianReference): number {
  const d = ref.mean.length;
  let total = 0;
  for (let i = 0; i < d; i++) {
    let row = 0;
    for (let j = 0; j < d; j++) row += ref.inverseCovariance[i * d + j]! * (x[j]! - ref.mean[j]!);
    total += (x[i]! - ref.mean[i]!) * row;
  }
  return Math.sqrt(Math.max(0, total));
}

/** Gauss–Jordan inverse with partial pivoting; throws on a singular matrix. */
export function invert(matrix: number[], d: number): number[] {
  const a = matrix.slice();
  const inv = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(a[r * d + col]!) > Math.abs(a[pivot * d + col]!)) pivot = r;
    if (Math.abs(a[pivot * d + col]!) < 1e-12) throw new Error('matrix is singular');
    for (let k = 0; k < d; k++) {
      [a[col * d + k], a[pivot * d + k]] = [a[pivot * d + k]!, a[col * d + k]!];
      [inv[col * d + k], inv[pivot * d + k]] = [inv[pivot * d + k]!, inv[col * d + k]!];
    }
    const p = a[col * d + col]!;
    for (let k = 0; k < d; k++) {
      a[col * d + k]! /= p;
      inv[col * d + k]! /= p;
    }
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = a[r * d + col]!;
      if (f === 0) continue;
      for (let k = 0; k < d; k++) {
        a[r * d + k]! -= f * a[col * d + k]!;
        inv[r * d + k]! -= f * inv[col * d + k]!;
      }
    }
  }
  return inv;
}
