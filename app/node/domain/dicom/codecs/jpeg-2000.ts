import type { CodecOutput } from './codec-output.ts';
import { decodeWithWasm } from './wasm-decode.ts';

/**
 * JPEG 2000 (.90/.91) via OpenJPEG and HTJ2K (.201/.202/.203) via OpenJPH. Both apply the
 * codestream's inverse component transform, so YBR_RCT / YBR_ICT come out as RGB.
 */
export async function decodeJpeg2000(encoded: Uint8Array, photometric: string, highThroughput: boolean): Promise<CodecOutput> {
  const output = await decodeWithWasm(highThroughput ? 'openjph' : 'openjpeg', encoded, {
    convertsColour: (components) => components === 3 && (photometric === 'YBR_RCT' || photometric === 'YBR_ICT'),
  });
  return output;
}
