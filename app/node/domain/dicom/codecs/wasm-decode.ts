import { samplesFromBytes, type CodecOutput } from './codec-output.ts';
import { loadWasmCodec, type WasmCodecName } from './wasm-codecs.ts';

/**
 * One frame through a cornerstone wasm decoder. A fresh decoder per frame: after a native
 * exception a reused one may hold broken state. Garbage must end as an Error, never as an image,
 * so the frame info is checked before the pixels are trusted.
 */
export async function decodeWithWasm(
  name: WasmCodecName,
  encoded: Uint8Array,
  options: { signed?: boolean; convertsColour?: (components: number) => boolean } = {},
): Promise<CodecOutput & { interleaveMode?: number; bitsPerSample: number }> {
  const codec = await loadWasmCodec(name);
  codec.takeLog();
  const decoder = codec.createDecoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    try {
      decoder.decode();
    } catch (thrown) {
      throw new Error(withLog(`${name}: ${codec.explain(thrown)}`, codec.takeLog()));
    }
    const info = decoder.getFrameInfo();
    const decoded = decoder.getDecodedBuffer();
    if (!(info.width > 0 && info.height > 0 && info.componentCount > 0 && info.bitsPerSample > 0) || decoded.length === 0) {
      throw new Error(withLog(`${name} produced no image`, codec.takeLog()));
    }
    const bytesPerSample = info.bitsPerSample > 8 ? 2 : 1;
    const expected = info.width * info.height * info.componentCount * bytesPerSample;
    if (decoded.length !== expected) {
      throw new Error(
        `${name} returned ${decoded.length} bytes for a ${info.width}x${info.height}x${info.componentCount} image of ${info.bitsPerSample}-bit samples (expected ${expected})`,
      );
    }
    const signed = info.isSigned ?? options.signed ?? false;
    const interleaveMode = decoder.getInterleaveMode?.();
    return {
      samples: samplesFromBytes(decoded, info.bitsPerSample, signed),
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      convertedToRgb: options.convertsColour?.(info.componentCount) ?? false,
      ...(interleaveMode === undefined ? {} : { interleaveMode }),
    };
  } finally {
    decoder.delete();
  }
}

function withLog(message: string, log: string[]): string {
  const last = log.filter((line) => /error|fail|invalid|corrupt/i.test(line)).slice(-2);
  return last.length ? `${message} (${last.join(' / ')})` : message;
}
