/**
 * Deterministic test inputs both sides compute bit for bit without sharing a file: value i of stream
 * `seed` is h = fmix32((i + seed·0x9e3779b9) mod 2³²) (MurmurHash3's finaliser), then
 * (h/2³² − 0.5)·`amplitude` rounded to float32. test/fixtures/training/make_training.py computes the
 * same with numpy.
 */
export function hashNoise(length: number, seed: number, amplitude = 4): Float32Array {
  const out = new Float32Array(length);
  const offset = Math.imul(seed, 0x9e3779b9 | 0);
  for (let i = 0; i < length; i++) out[i] = (fmix32((i + offset) >>> 0) / 4294967296 - 0.5) * amplitude;
  return out;
}

/** 0/1 targets: 1 where the stream's uniform value is below `rate`. */
export function hashTargets(length: number, seed: number, rate = 0.3): Float32Array {
  return hashNoise(length, seed, 1).map((v) => (v + 0.5 < rate ? 1 : 0));
}

function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
