import type { ErrorCode, ErrorInfo } from '../../app/common/errors.ts';

/** Every contract code as a sentence a reader understands; a new code fails the typecheck until it is worded here. */
const MESSAGES: Record<ErrorCode, string> = {
  FILE_NOT_FOUND: 'The file was not found.',
  FILE_UNREADABLE: 'The file could not be read (permissions or a disk problem).',
  IMAGE_UNSUPPORTED_FORMAT: 'Not a DICOM, PNG or JPEG image.',
  IMAGE_DECODE_FAILED: 'The image is damaged and could not be decoded.',
  NOT_DICOM: 'The file is not DICOM.',
  DICOM_TRUNCATED: 'The DICOM file is cut short (incomplete copy or transfer).',
  DICOM_MALFORMED: 'The DICOM file is damaged or wrongly encoded (its structure does not follow the standard).',
  DICOM_NO_PIXEL_DATA: 'The DICOM file holds no image.',
  DICOM_UNSUPPORTED_SYNTAX: 'The DICOM image is compressed in a way DenseRay cannot decode.',
  DICOM_PIXEL_DATA_SHORT: 'The DICOM image data is shorter than its header says.',
  DICOM_DECODE_FAILED: 'The DICOM image could not be decoded.',
  DICOM_FRAME_OUT_OF_RANGE: 'That frame does not exist in this file.',
  MODALITY_NOT_SUPPORTED: 'Not a chest radiograph (CR/DX): the model was not trained on this kind of image, so it is not scored.',
  WEIGHTS_MISMATCH: 'The weights do not fit the stated architecture.',
  WEIGHTS_UNSAFE: 'The weights file contains code or objects DenseRay refuses to load.',
  WEIGHTS_FORMAT: 'The weights file format is not recognised.',
  MODEL_NOT_FOUND: 'The model is not installed.',
  MODEL_INVALID: 'The installed model is damaged (manifest or weights do not check out).',
  BACKEND_UNAVAILABLE: 'No inference backend could start on this machine.',
  INFERENCE_FAILED: 'The model failed while scoring this image.',
  INPUT_SUSPECT: 'The image does not look like a frontal chest X-ray.',
  QUANTIZATION_GATE_FAILED: 'The int8 version strays too far from the full-precision model, so it was not activated.',
  NETWORK_OFFLINE: 'No network connection: the download could not start.',
  DOWNLOAD_NOT_FOUND: 'The file to download was not found at its address.',
  DOWNLOAD_FAILED: 'The download failed.',
  CHECKSUM_MISMATCH: 'The downloaded file does not match its published checksum, so it was not used.',
  DISK_FULL:
    'The disk is full: nothing already stored was lost. Free some space and run the same step again (a batch continues with --resume).',
  STORE_CORRUPT:
    'The study store file is damaged. Results can be recomputed from your images: run denseray store rebuild (the damaged file is kept aside), then the batch again.',
  PEER_UNREACHABLE: 'The PACS or DICOM peer could not be reached; the result is kept and sent again automatically.',
  PEER_REFUSED: 'The PACS or DICOM peer refused this object; it is kept here, see the reason the peer gave.',
  INVALID_ARGUMENT: 'The request was not valid.',
  UNAUTHORIZED: 'This page is not authorised; open the URL printed by denseray serve.',
  CANCELLED: 'Cancelled.',
  INTERNAL: 'Something went wrong inside DenseRay.',
};

export function readableError(error: Pick<ErrorInfo, 'code'>): string {
  return MESSAGES[error.code] ?? MESSAGES.INTERNAL;
}
