import { z } from 'zod';

/**
 * The closed set of error codes that may cross any boundary (CLI JSON, IPC, HTTP).
 * Adding a code is a contract change: the UI maps each one to a readable message.
 */
export const ErrorCode = z.enum([
  // input files
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'IMAGE_UNSUPPORTED_FORMAT',
  'IMAGE_DECODE_FAILED',
  // DICOM
  'NOT_DICOM',
  'DICOM_TRUNCATED',
  /** DICOM (its File Meta group reads) whose dataset is broken: nesting too deep, a wrong transfer syntax UID, garbage. */
  'DICOM_MALFORMED',
  'DICOM_NO_PIXEL_DATA',
  'DICOM_UNSUPPORTED_SYNTAX',
  'DICOM_PIXEL_DATA_SHORT',
  'DICOM_DECODE_FAILED',
  'DICOM_FRAME_OUT_OF_RANGE',
  'MODALITY_NOT_SUPPORTED',
  // model and weights
  'WEIGHTS_MISMATCH',
  'WEIGHTS_UNSAFE',
  'WEIGHTS_FORMAT',
  'MODEL_NOT_FOUND',
  'MODEL_INVALID',
  'BACKEND_UNAVAILABLE',
  'INFERENCE_FAILED',
  'INPUT_SUSPECT',
  /** An int8 variant missed the fidelity bar against its float32 parent (nothing was installed or activated). */
  'QUANTIZATION_GATE_FAILED',
  // model downloads (denseray models fetch)
  'NETWORK_OFFLINE',
  'DOWNLOAD_NOT_FOUND',
  'DOWNLOAD_FAILED',
  'CHECKSUM_MISMATCH',
  // storage (the data folder)
  'DISK_FULL',
  /** The study store (SQLite) is damaged; `denseray store check|rebuild`. */
  'STORE_CORRUPT',
  // DICOM network peers (the DICOM node: C-STORE, DICOMweb)
  /** The peer could not be reached, rejected the association or did not answer; the result waits and is retried. */
  'PEER_UNREACHABLE',
  /** The peer answered with an error status for this object; sending it again will not help. */
  'PEER_REFUSED',
  // generic
  'INVALID_ARGUMENT',
  /** Browser mode: a request without this launch's token. */
  'UNAUTHORIZED',
  'CANCELLED',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** An error as data, the only shape in which errors leave a process. */
export const ErrorInfo = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
