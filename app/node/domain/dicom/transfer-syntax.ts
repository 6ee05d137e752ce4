/** How the pixel data of a transfer syntax is laid out, which picks the pixel handler. */
export type PixelEncoding =
  | 'native'
  | 'deflate'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg-2000'
  | 'htj2k'
  | 'unsupported';

export interface TransferSyntax {
  uid: string;
  name: string;
  encoding: PixelEncoding;
  littleEndian: boolean;
  explicitVr: boolean;
  lossy: boolean;
}

function ts(uid: string, name: string, encoding: PixelEncoding, lossy = false, explicitVr = true, littleEndian = true): TransferSyntax {
  return { uid, name, encoding, lossy, explicitVr, littleEndian };
}

/**
 * Every syntax whose dataset encoding we know. Syntaxes listed as 'unsupported' still have readable
 * headers (metadata, tag browser); only their pixels are refused.
 */
const KNOWN: readonly TransferSyntax[] = [
  ts('1.2.840.10008.1.2', 'Implicit VR Little Endian', 'native', false, false),
  ts('1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'native'),
  ts('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'deflate'),
  ts('1.2.840.10008.1.2.2', 'Explicit VR Big Endian (retired)', 'native', false, true, false),
  ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline', true),
  ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-baseline', true),
  ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless'),
  ts('1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [SV1])', 'jpeg-lossless'),
  ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls'),
  ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless)', 'jpeg-ls', true),
  ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 (Lossless Only)', 'jpeg-2000'),
  ts('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg-2000', true),
  ts('1.2.840.10008.1.2.4.201', 'HTJ2K (Lossless Only)', 'htj2k'),
  ts('1.2.840.10008.1.2.4.202', 'HTJ2K with RPCL Options (Lossless Only)', 'htj2k'),
  ts('1.2.840.10008.1.2.4.203', 'HTJ2K', 'htj2k', true),
  ts('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle'),
  // Known encodings without a decoder here: headers read, pixels refused with DICOM_UNSUPPORTED_SYNTAX.
  ts('1.2.840.10008.1.2.4.52', 'JPEG Extended (Process 3 & 5) (retired)', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.53', 'JPEG Spectral Selection, Non-Hierarchical (retired)', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.55', 'JPEG Full Progression, Non-Hierarchical (retired)', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component (Lossless Only)', 'unsupported'),
  ts('1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.94', 'JPIP Referenced', 'unsupported'),
  ts('1.2.840.10008.1.2.4.95', 'JPIP Referenced Deflate', 'unsupported'),
  ts('1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.110', 'JPEG XL Lossless', 'unsupported'),
  ts('1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression', 'unsupported'),
  ts('1.2.840.10008.1.2.4.112', 'JPEG XL', 'unsupported', true),
];

const BY_UID = new Map(KNOWN.map((syntax) => [syntax.uid, syntax]));

/** The syntax for a UID, or undefined when we do not even know how its dataset is encoded. */
export function transferSyntaxOf(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid.replace(/\0/g, '').trim());
}
