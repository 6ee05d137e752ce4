import { planarToInterleaved } from '../pixels/stored-values.ts';
import type { CodecOutput } from './codec-output.ts';
import { decodeWithWasm } from './wasm-decode.ts';

/** JPEG-LS lossless and near-lossless (.80/.81) via CharLS. */
export async function decodeJpegLs(encoded: Uint8Array, signed: boolean): Promise<CodecOutput> {
  const output = await decodeWithWasm('charls', encoded, { signed });
  // Interleave mode 0 (ILV none) decodes plane by plane; DICOM wants samples interleaved.
  if (output.components > 1 && output.interleaveMode === 0) {
    return { ...output, samples: planarToInterleaved(output.samples, output.components) };
  }
  return output;
}
