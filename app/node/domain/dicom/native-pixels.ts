import type { DataSet, Element } from 'dicom-parser';
import type { CodecOutput } from './codecs/codec-output.ts';
import { expandYbr422, planarToInterleaved, readWords } from './pixels/stored-values.ts';
import type { DicomMetadata } from './types.ts';

/** Bytes one native frame occupies (YBR_FULL_422 keeps two luma samples per chroma pair). */
export function nativeFrameBytes(meta: DicomMetadata): number {
  const pixels = meta.rows * meta.columns;
  if (meta.photometricInterpretation === 'YBR_FULL_422' && meta.bitsAllocated === 8) return pixels * 2;
  return (pixels * meta.samplesPerPixel * meta.bitsAllocated) / 8;
}

/** One frame of native (uncompressed, possibly big-endian or inflated) pixel data. */
export function readNativeFrame(
  dataSet: DataSet,
  element: Element,
  meta: DicomMetadata,
  frameIndex: number,
  littleEndian: boolean,
): CodecOutput {
  const frameBytes = nativeFrameBytes(meta);
  const start = element.dataOffset + frameIndex * frameBytes;
  const bytes = dataSet.byteArray.subarray(start, start + frameBytes);
  const pixels = meta.rows * meta.columns;
  let samples: CodecOutput['samples'];
  if (meta.photometricInterpretation === 'YBR_FULL_422' && meta.bitsAllocated === 8) {
    samples = expandYbr422(bytes, pixels);
  } else {
    samples = readWords(bytes, pixels * meta.samplesPerPixel, meta.bitsAllocated, littleEndian);
    if (meta.samplesPerPixel > 1 && meta.planarConfiguration === 1) samples = planarToInterleaved(samples, meta.samplesPerPixel);
  }
  return { samples, width: meta.columns, height: meta.rows, components: meta.samplesPerPixel, convertedToRgb: false };
}
