import type { TransferSyntax } from './transfer-syntax.ts';

export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** One Window Center/Width pair from the header (values are in modality units). */
export interface WindowSetting {
  center: number;
  width: number;
  explanation?: string;
}

/** A lookup table from a Modality LUT or VOI LUT Sequence item (PS3.3 C.11.1 / C.11.2). */
export interface LookupTable {
  /** First input value mapped (LUT Descriptor value 2). */
  firstMapped: number;
  /** Bits per output entry (LUT Descriptor value 3). */
  bitsPerEntry: number;
  data: Uint16Array | Int16Array;
  explanation?: string;
}

/** The typed header fields the app uses. Absent optional attributes are `undefined`. */
export interface DicomMetadata {
  patientId?: string;
  patientName?: string;
  patientSex?: string;
  patientAge?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  sopClassUid?: string;
  studyDate?: string;
  studyTime?: string;
  accessionNumber?: string;
  studyDescription?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  modality?: string;
  viewPosition?: string;
  bodyPartExamined?: string;
  laterality?: string;
  manufacturer?: string;
  /** Row spacing, column spacing in mm: PixelSpacing, else ImagerPixelSpacing. */
  pixelSpacing: [number, number] | undefined;
  /** Which attribute `pixelSpacing` came from: calibrated to the patient, or at the detector plane. */
  pixelSpacingSource: 'PixelSpacing' | 'ImagerPixelSpacing' | undefined;
  rows: number;
  columns: number;
  numberOfFrames: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: 0 | 1;
  samplesPerPixel: number;
  photometricInterpretation: string;
  planarConfiguration: 0 | 1;
  transferSyntaxUid: string;
  transferSyntaxName: string;
  rescaleSlope: number;
  rescaleIntercept: number;
  windows: WindowSetting[];
  voiLutFunction: VoiLutFunction;
}

export interface DicomTag {
  /** '(GGGG,EEEE)' */
  tag: string;
  vr: string;
  name?: string;
  /** Readable value, truncated; binary values are summarised, never dumped. */
  value: string;
  /** 0 for top-level elements, 1+ inside sequence items. */
  depth: number;
}

/** A parsed DICOM file. Pixel data is decoded on demand with `decodeFrame`. */
export interface DicomFile {
  /** Where the bytes came from (a path or a name), used in error messages. */
  readonly source: string;
  readonly meta: DicomMetadata;
  readonly transferSyntax: TransferSyntax;
  readonly hasPixelData: boolean;
  tags(): DicomTag[];
}

/** Stored values in their natural type (PS3.5 8.1.1): uint8/int8 for 8 bits, uint16/int16 for 16 bits. */
export type StoredArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** What the viewer needs to re-window without decoding again. */
export type VoiTransform =
  | { kind: 'window'; center: number; width: number; fn: VoiLutFunction; source: 'header' | 'auto' | 'full-range' }
  | { kind: 'lut'; lut: LookupTable };

export interface DecodedFrame {
  frameIndex: number;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /**
   * Photometric interpretation of `stored`: the header's, except where the codec converted colour
   * (JPEG YBR_FULL/YBR_FULL_422 -> RGB, JPEG 2000 YBR_RCT/YBR_ICT -> RGB).
   */
  photometricInterpretation: string;
  /** Masked and sign-extended stored values, interleaved (R,G,B,...) for colour. */
  stored: StoredArray;
  /** Grayscale values after the Modality LUT; for colour images the ITU-R 601 luma. rows*columns. */
  modality: Float32Array;
  /** The default VOI: first header window, the VOI LUT Sequence, or an automatic window. */
  voi: VoiTransform;
  /** Show inverted after VOI (MONOCHROME1). */
  invert: boolean;
}
