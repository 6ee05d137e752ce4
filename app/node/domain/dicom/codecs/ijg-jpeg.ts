import { createRequire } from 'node:module';
import { alignedCopy } from '../../../../common/bytes.ts';
import { describeThrown } from '../dicom-error.ts';
import type { CodecOutput } from './codec-output.ts';
import type { JpegFrameHeader } from '../../imaging/jpeg-markers.ts';

type DcmjsCodecs = typeof import('dcmjs-codecs');

// dcmjs-codecs is CommonJS with a wasm file beside it; load both once, on first use.
let loading: Promise<DcmjsCodecs> | undefined;

function loadDcmjsCodecs(): Promise<DcmjsCodecs> {
  loading ??= (async () => {
    const codecs = createRequire(import.meta.url)('dcmjs-codecs') as DcmjsCodecs;
    if (!codecs.NativeCodecs.isInitialized()) await codecs.NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false });
    return codecs;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * dcmtk's IJG libraries (8-, 12- and 16-bit builds, as in dcmdjpeg) compiled to wasm by
 * dcmjs-codecs. Used for what libjpeg-turbo's 8-bit build cannot read: 12-bit Extended (process 4)
 * and Lossless (process 14, any predictor), where it is also several times faster than the
 * pure-JavaScript lossless decoder. The library picks its 8/12/16-bit build from the SOF precision.
 */
export async function decodeWithIjg(encoded: Uint8Array, header: JpegFrameHeader): Promise<CodecOutput> {
  const { Context, NativeCodecs } = await loadDcmjsCodecs();
  const bytesPerSample = header.precision <= 8 ? 1 : 2;
  const context = new Context({
    width: header.width,
    height: header.height,
    bitsAllocated: bytesPerSample * 8,
    bitsStored: header.precision,
    samplesPerPixel: header.components,
    pixelRepresentation: 0,
    planarConfiguration: 0,
    photometricInterpretation: header.components === 3 ? 'YBR_FULL' : 'MONOCHROME2',
    encodedBuffer: encoded,
  });
  const lossless = header.process === 0xc3;
  let decoded: Uint8Array | undefined;
  try {
    // Lossless colour streams are not YCbCr-coded; only lossy three-component streams get converted.
    decoded = NativeCodecs.decodeJpeg(context, { convertColorspaceToRgb: !lossless }).getDecodedBuffer();
  } catch (thrown) {
    throw new Error(`IJG ${header.precision}-bit JPEG decoder: ${describeThrown(thrown)}`);
  }
  const expected = header.width * header.height * header.components * bytesPerSample;
  if (!decoded || decoded.length !== expected) {
    throw new Error(
      `IJG JPEG decoder returned ${decoded?.length ?? 0} bytes for a ${header.width}x${header.height}x${header.components} frame (expected ${expected})`,
    );
  }
  const copy = alignedCopy(decoded); // out of wasm memory
  return {
    samples: bytesPerSample === 1 ? copy : new Uint16Array(copy.buffer),
    width: header.width,
    height: header.height,
    components: header.components,
    convertedToRgb: header.components === 3 && !lossless,
  };
}
