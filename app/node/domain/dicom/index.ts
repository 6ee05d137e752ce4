// The DICOM reader's public surface: parse, decode, render for the model and the viewer, triage checks.
export { isDicom } from './sniff.ts';
export { readDicom } from './read-dicom.ts';
export { decodeFrame } from './decode-frame.ts';
export { renderForModel, renderToPng, displayPixels, type ModelImage, type WindowOverride } from './render.ts';
export { storedStats, type StoredStats } from './stored-stats.ts';
export { classifiability, isLateralView, isXrayModality, type Classifiability } from './classifiability.ts';
export { groupStudies, type InstanceRef, type SeriesGroup, type StudyGroup } from './group-studies.ts';
export type { TransferSyntax, PixelEncoding } from './transfer-syntax.ts';
export type {
  DecodedFrame,
  DicomFile,
  DicomMetadata,
  DicomTag,
  LookupTable,
  StoredArray,
  VoiLutFunction,
  VoiTransform,
  WindowSetting,
} from './types.ts';
