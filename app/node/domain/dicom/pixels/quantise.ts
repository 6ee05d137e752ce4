/** VOI output in [0, 255] to 8-bit display values (round half up, clamp). */
export function quantiseTo8Bit(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.floor(values[i]! + 0.5);
    out[i] = v < 0 ? 0 : Math.min(v, 255);
  }
  return out;
}
