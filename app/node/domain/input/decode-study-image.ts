import { DenseRayError } from '../../shared/errors.ts';
import { decodeWithIjg } from '../dicom/codecs/ijg-jpeg.ts';
import { type JpegFrameHeader, readJpegFrameHeader } from '../imaging/jpeg-markers.ts';
import { decodeImageAsync } from '../imaging/decode.ts';
import { type FloatAllocator, freshFloats, type GrayImage } from '../imaging/gray-image.ts';
import type { StudyFile } from './study-file.ts';

/** JPEG processes jpeg-js cannot read: 12-bit extended sequential (SOF1) and lossless (SOF3), as DICOM exports write them. */
function needsIjg(header: JpegFrameHeader | undefined): header is JpegFrameHeader {
  return header !== undefined && (header.precision > 8 || header.process === 0xc3);
}

/**
 * A PNG or JPEG study file as a gray image in [0, 1]. A 12-bit or lossless grayscale JPEG goes to
 * dcmtk's IJG decoder (the one that reads the same stream inside DICOM) and is scaled by its full
 * sample range, 2^precision − 1, as a 16-bit PNG is; everything else to decodeImageAsync (natively where faster),
 * whose samples go where `alloc` says.
 */
export async function decodeStudyImage(study: StudyFile, source = study.path, alloc: FloatAllocator = freshFloats): Promise<GrayImage> {
  const header = study.format === 'jpeg' ? readJpegFrameHeader(study.bytes) : undefined;
  if (!needsIjg(header)) return decodeImageAsync(study.bytes, source, alloc);
  if (header.components !== 1) {
    throw new DenseRayError(
      'IMAGE_UNSUPPORTED_FORMAT',
      `${source}: a ${header.precision}-bit colour JPEG is not a radiograph DenseRay reads`,
    );
  }
  let samples: ArrayLike<number>;
  try {
    const output = await decodeWithIjg(study.bytes, header);
    if (output.width !== header.width || output.height !== header.height) throw new Error('decoded size differs from the frame header');
    samples = output.samples;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DenseRayError('IMAGE_DECODE_FAILED', `${source}: could not decode ${header.precision}-bit JPEG: ${reason}`, { cause });
  }
  const max = 2 ** header.precision - 1;
  const data = new Float32Array(header.width * header.height);
  for (let i = 0; i < data.length; i++) data[i] = samples[i]! / max;
  return { width: header.width, height: header.height, data };
}
