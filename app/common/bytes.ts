/**
 * A fresh copy of `bytes[start, end)` in its own ArrayBuffer, starting at byte 0 — safe to view
 * as Uint16Array/Float32Array/…. `Buffer#slice` returns a *view* into a shared (often pooled)
 * ArrayBuffer, so `buffer.slice(a, b).buffer` can start anywhere in a file; never use that idiom.
 */
export function alignedCopy(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes.subarray(start, end));
}
