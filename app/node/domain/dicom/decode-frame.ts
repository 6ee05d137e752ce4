import { DenseRayError } from '../../shared/errors.ts';
import type { CodecOutput } from './codecs/codec-output.ts';
import { decodeJpeg2000 } from './codecs/jpeg-2000.ts';
import { decodeJpegBaseline } from './codecs/jpeg-baseline.ts';
import { decodeJpegLossless } from './codecs/jpeg-lossless.ts';
import { decodeJpegLs } from './codecs/jpeg-ls.ts';
import { decodeRle } from './codecs/rle.ts';
import { describeThrown, dicomError, PIXEL_DATA_TAG } from './dicom-error.ts';
import { encapsulatedFrame } from './frames.ts';
import { readLookupTableSequence } from './lookup-tables.ts';
import { nativeFrameBytes, readNativeFrame } from './native-pixels.ts';
import { readPalette } from './palette.ts';
import { autoWindow, windowSpanning } from './pixels/auto-window.ts';
import { rgbToLuma, rgbToLuma8, paletteToLuma, ybrToLuma } from './pixels/luma.ts';
import { applyModalityLut } from './pixels/modality-lut.ts';
import { toStoredValues } from './pixels/stored-values.ts';
import { parsedOf, type ParsedDicom } from './read-dicom.ts';
import type { DecodedFrame, DicomFile, DicomMetadata, LookupTable, StoredArray, VoiTransform } from './types.ts';

const GRAYSCALE = new Set(['MONOCHROME1', 'MONOCHROME2']);
const COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_PARTIAL_422', 'YBR_PARTIAL_420', 'YBR_ICT', 'YBR_RCT', 'PALETTE COLOR']);

function checkImageAttributes(file: DicomFile, parsed: ParsedDicom): void {
  const { meta, source } = file;
  const syntax = parsed.syntax;
  const fail = (code: 'DICOM_DECODE_FAILED' | 'DICOM_UNSUPPORTED_SYNTAX', problem: string, tag: string) => {
    throw dicomError(code, source, problem, { tag, syntax });
  };
  if (!(meta.rows > 0)) fail('DICOM_DECODE_FAILED', `Rows is ${meta.rows}: the image is empty`, '(0028,0010) Rows');
  if (!(meta.columns > 0)) fail('DICOM_DECODE_FAILED', `Columns is ${meta.columns}: the image is empty`, '(0028,0011) Columns');
  if (![8, 16, 32].includes(meta.bitsAllocated))
    fail('DICOM_UNSUPPORTED_SYNTAX', `BitsAllocated ${meta.bitsAllocated} is not supported (8, 16 or 32)`, '(0028,0100) BitsAllocated');
  if (meta.bitsStored < 1 || meta.bitsStored > meta.bitsAllocated)
    fail('DICOM_DECODE_FAILED', `BitsStored ${meta.bitsStored} does not fit BitsAllocated ${meta.bitsAllocated}`, '(0028,0101) BitsStored');
  if (meta.samplesPerPixel !== 1 && meta.samplesPerPixel !== 3)
    fail('DICOM_UNSUPPORTED_SYNTAX', `SamplesPerPixel ${meta.samplesPerPixel} is not 1 or 3`, '(0028,0002) SamplesPerPixel');
  const photometric = meta.photometricInterpretation;
  if (!GRAYSCALE.has(photometric) && !COLOUR.has(photometric))
    fail('DICOM_UNSUPPORTED_SYNTAX', `PhotometricInterpretation ${photometric} is not supported`, '(0028,0004) PhotometricInterpretation');
  const expectedSamples = GRAYSCALE.has(photometric) || photometric === 'PALETTE COLOR' ? 1 : 3;
  if (meta.samplesPerPixel !== expectedSamples)
    fail(
      'DICOM_DECODE_FAILED',
      `${photometric} needs SamplesPerPixel ${expectedSamples}, header says ${meta.samplesPerPixel}`,
      '(0028,0002) SamplesPerPixel',
    );
}

async function decodePixels(file: DicomFile, parsed: ParsedDicom, frameIndex: number): Promise<CodecOutput> {
  const { dataSet, syntax } = parsed;
  const { meta, source } = file;
  const element = dataSet.elements.x7fe00010!;
  const context = { tag: PIXEL_DATA_TAG, syntax };

  if (syntax.encoding === 'native' || syntax.encoding === 'deflate') {
    if (element.encapsulatedPixelData)
      throw dicomError('DICOM_DECODE_FAILED', source, 'pixel data is encapsulated under a native transfer syntax', context);
    const needed = nativeFrameBytes(meta) * meta.numberOfFrames;
    if (element.length < needed) {
      throw dicomError(
        'DICOM_PIXEL_DATA_SHORT',
        source,
        `pixel data is ${element.length} bytes; Rows ${meta.rows} x Columns ${meta.columns} x Samples ${meta.samplesPerPixel} x ${meta.bitsAllocated / 8} byte(s) x ${meta.numberOfFrames} frame(s) needs ${needed}`,
        context,
      );
    }
    return readNativeFrame(dataSet, element, meta, frameIndex, syntax.littleEndian);
  }

  if (!element.encapsulatedPixelData)
    throw dicomError('DICOM_DECODE_FAILED', source, 'pixel data is not encapsulated under a compressed transfer syntax', context);
  const encoded = encapsulatedFrame(dataSet, element, frameIndex, meta.numberOfFrames);
  const signed = meta.pixelRepresentation === 1;
  switch (syntax.encoding) {
    case 'rle':
      return decodeRle(encoded, meta);
    case 'jpeg-baseline':
      return decodeJpegBaseline(encoded);
    case 'jpeg-lossless':
      return decodeJpegLossless(encoded);
    case 'jpeg-ls':
      return decodeJpegLs(encoded, signed);
    case 'jpeg-2000':
      return decodeJpeg2000(encoded, meta.photometricInterpretation, false);
    case 'htj2k':
      return decodeJpeg2000(encoded, meta.photometricInterpretation, true);
    case 'unsupported':
      throw dicomError('DICOM_UNSUPPORTED_SYNTAX', source, 'no decoder for this transfer syntax', context);
  }
}

/** Grayscale values after the Modality LUT; colour images become luma, palette images their palette's luma. */
function modalityValues(
  stored: StoredArray,
  photometric: string,
  meta: DicomMetadata,
  parsed: ParsedDicom,
  modalityLut: LookupTable | undefined,
  source: string,
): Float32Array {
  if (GRAYSCALE.has(photometric))
    return applyModalityLut(stored, {
      slope: meta.rescaleSlope,
      intercept: meta.rescaleIntercept,
      ...(modalityLut ? { lut: modalityLut } : {}),
    });
  if (photometric === 'PALETTE COLOR') {
    const palette = readPalette(parsed.dataSet);
    if (!palette)
      throw dicomError('DICOM_DECODE_FAILED', source, 'PALETTE COLOR image without a readable palette', {
        tag: '(0028,1201) RedPaletteColorLookupTableData',
        syntax: parsed.syntax,
      });
    return paletteToLuma(stored, palette);
  }
  if (photometric === 'RGB') return meta.bitsAllocated === 8 ? rgbToLuma8(stored) : rgbToLuma(stored);
  return ybrToLuma(stored);
}

function storedRange(meta: DicomMetadata): [number, number] {
  return meta.pixelRepresentation === 1 ? [-(2 ** (meta.bitsStored - 1)), 2 ** (meta.bitsStored - 1) - 1] : [0, 2 ** meta.bitsStored - 1];
}

/**
 * The default VOI: the first header window, else the VOI LUT Sequence, else (8-bit data) the full
 * stored range as it is (that is how an 8-bit PNG looks), else a robust percentile window.
 * Colour images keep their full range.
 */
export function defaultVoi(
  meta: DicomMetadata,
  modality: Float32Array,
  grayscale: boolean,
  voiLut: LookupTable | undefined,
  modalityLut: LookupTable | undefined,
): VoiTransform {
  if (!grayscale) {
    const span = windowSpanning(0, 2 ** Math.min(meta.bitsStored, 16) - 1);
    return { kind: 'window', ...span, fn: 'LINEAR', source: 'full-range' };
  }
  const first = meta.windows[0];
  if (first) return { kind: 'window', center: first.center, width: first.width, fn: meta.voiLutFunction, source: 'header' };
  if (voiLut) return { kind: 'lut', lut: voiLut };
  if (meta.bitsStored <= 8) {
    const ends = applyModalityLut(storedRange(meta), {
      slope: meta.rescaleSlope,
      intercept: meta.rescaleIntercept,
      ...(modalityLut ? { lut: modalityLut } : {}),
    });
    return { kind: 'window', ...windowSpanning(ends[0]!, ends[1]!), fn: 'LINEAR', source: 'full-range' };
  }
  return { kind: 'window', ...autoWindow(modality), fn: 'LINEAR', source: 'auto' };
}

/**
 * Decodes one frame: stored values (masked, sign-extended, interleaved), modality values and the
 * default VOI. Throws DenseRayError DICOM_NO_PIXEL_DATA, DICOM_FRAME_OUT_OF_RANGE,
 * DICOM_PIXEL_DATA_SHORT, DICOM_UNSUPPORTED_SYNTAX or DICOM_DECODE_FAILED.
 */
export async function decodeFrame(file: DicomFile, frameIndex = 0): Promise<DecodedFrame> {
  const parsed = parsedOf(file);
  const { meta, source } = file;
  const { syntax } = parsed;
  if (!parsed.dataSet.elements.x7fe00010) {
    throw dicomError('DICOM_NO_PIXEL_DATA', source, 'the dataset has no Pixel Data', { tag: PIXEL_DATA_TAG, syntax });
  }
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= meta.numberOfFrames) {
    throw dicomError(
      'DICOM_FRAME_OUT_OF_RANGE',
      source,
      `frame ${frameIndex} requested, the file has ${meta.numberOfFrames} frame(s) (0-based)`,
      { tag: '(0028,0008) NumberOfFrames', syntax },
    );
  }
  if (syntax.encoding === 'unsupported') {
    throw dicomError('DICOM_UNSUPPORTED_SYNTAX', source, 'no decoder for this transfer syntax', { tag: PIXEL_DATA_TAG, syntax });
  }
  checkImageAttributes(file, parsed);

  let output: CodecOutput;
  try {
    output = await decodePixels(file, parsed, frameIndex);
  } catch (thrown) {
    if (thrown instanceof DenseRayError) throw thrown;
    throw dicomError('DICOM_DECODE_FAILED', source, `cannot decode frame ${frameIndex}: ${describeThrown(thrown)}`, {
      tag: PIXEL_DATA_TAG,
      syntax,
      cause: thrown,
    });
  }
  if (output.width !== meta.columns || output.height !== meta.rows || output.components !== meta.samplesPerPixel) {
    throw dicomError(
      'DICOM_DECODE_FAILED',
      source,
      `decoded frame ${frameIndex} is ${output.width}x${output.height}x${output.components}, the header says ${meta.columns}x${meta.rows}x${meta.samplesPerPixel}`,
      { tag: PIXEL_DATA_TAG, syntax },
    );
  }
  const stored = toStoredValues(output.samples, meta);
  const photometric = output.convertedToRgb ? 'RGB' : meta.photometricInterpretation;
  const grayscale = GRAYSCALE.has(photometric);
  const signed = meta.pixelRepresentation === 1;
  const modalityLut = grayscale ? readLookupTableSequence(parsed.dataSet, 'x00283000', signed) : undefined;
  const voiLut = grayscale ? readLookupTableSequence(parsed.dataSet, 'x00283010', signed) : undefined;
  const modality = modalityValues(stored, photometric, meta, parsed, modalityLut, source);
  return {
    frameIndex,
    rows: meta.rows,
    columns: meta.columns,
    samplesPerPixel: meta.samplesPerPixel,
    photometricInterpretation: photometric,
    stored,
    modality,
    voi: defaultVoi(meta, modality, grayscale, voiLut, modalityLut),
    invert: photometric === 'MONOCHROME1',
  };
}
