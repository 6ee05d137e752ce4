import type { SampleSource } from '../features/sample-source.ts';
import type { TrainingPath } from './training-path.ts';

/** Logits (row-major N×K) for the given images' plain views, in batches. */
export async function predictLogits(
  path: TrainingPath,
  source: SampleSource,
  indices: readonly number[],
  batchSize: number,
): Promise<Float32Array> {
  const chunks: Float32Array[] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = indices.slice(start, start + batchSize);
    chunks.push(await path.logits(source.batch(batch, null), batch.length));
    await yieldToEventLoop();
  }
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function sigmoid(logits: Float32Array): Float32Array {
  return logits.map((z) => 1 / (1 + Math.exp(-z)));
}

/** Mean weighted BCE on host arrays (validation loss), same formula as the training loss. */
export function hostWeightedBce(logits: Float32Array, targets: Float32Array, positiveWeight: Float32Array): number {
  const k = positiveWeight.length;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i]!;
    const y = targets[i]!;
    const w = 1 + (positiveWeight[i % k]! - 1) * y;
    sum += (1 - y) * z + w * (Math.log1p(Math.exp(-Math.abs(z))) + Math.max(-z, 0));
  }
  return logits.length === 0 ? Number.NaN : sum / logits.length;
}

/** Lets cancel requests and progress events through between synchronous tfjs steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
