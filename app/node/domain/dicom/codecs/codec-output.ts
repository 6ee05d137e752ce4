import { alignedCopy } from '../../../../common/bytes.ts';

/** What every pixel handler returns: one frame's samples, interleaved, plus what the codestream said. */
export interface CodecOutput {
  samples: Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;
  width: number;
  height: number;
  components: number;
  /** The codec turned YCbCr into RGB (JPEG colour conversion, JPEG 2000 inverse RCT/ICT). */
  convertedToRgb: boolean;
}

/** Codec bytes (little-endian words from wasm memory) as an array of samples; copies out of wasm memory. */
export function samplesFromBytes(bytes: Uint8Array, bitsPerSample: number, signed: boolean): CodecOutput['samples'] {
  const copy = alignedCopy(bytes);
  if (bitsPerSample <= 8) return signed ? new Int8Array(copy.buffer) : copy;
  if (copy.length % 2 !== 0) throw new Error(`codec returned an odd number of bytes (${copy.length}) for ${bitsPerSample}-bit samples`);
  return signed ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
}
