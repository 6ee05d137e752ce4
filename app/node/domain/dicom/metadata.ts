import type { DataSet } from 'dicom-parser';
import { firstItem, valueReader, type ValueReader } from './dataset-values.ts';
import type { TransferSyntax } from './transfer-syntax.ts';
import type { DicomMetadata, VoiLutFunction, WindowSetting } from './types.ts';

function voiLutFunctionOf(value: string | undefined): VoiLutFunction {
  const upper = value?.toUpperCase();
  return upper === 'LINEAR_EXACT' || upper === 'SIGMOID' ? upper : 'LINEAR';
}

function windowsOf(values: ValueReader): WindowSetting[] {
  const centers = values.numbers('x00281050');
  const widths = values.numbers('x00281051');
  const explanations = values.texts('x00281055');
  const windows: WindowSetting[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    const center = centers[i]!;
    const width = widths[i]!;
    if (!(width > 0)) continue; // a zero or negative width is not a window (PS3.3 C.11.2.1.2)
    const explanation = explanations[i];
    windows.push(explanation ? { center, width, explanation } : { center, width });
  }
  return windows;
}

/**
 * Enhanced (multi-frame) objects keep rescale and window in functional groups; the shared group
 * (or the first frame's) stands in when the top-level attributes are absent.
 */
function functionalGroup(dataSet: DataSet, sequenceTag: string): DataSet | undefined {
  for (const groupsTag of ['x52009229', 'x52009230']) {
    const groups = firstItem(dataSet, groupsTag);
    const group = groups && firstItem(groups, sequenceTag);
    if (group) return group;
  }
  return undefined;
}

/** A row/column spacing pair, or undefined when absent or not two positive numbers. */
function positivePair(values: number[]): [number, number] | undefined {
  const [row, column] = values;
  return row !== undefined && column !== undefined && row > 0 && column > 0 ? [row, column] : undefined;
}

function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

export function readMetadata(dataSet: DataSet, syntax: TransferSyntax, isUtf8: boolean): DicomMetadata {
  const v = valueReader(dataSet, isUtf8);
  const rescaleGroup = functionalGroup(dataSet, 'x00289145');
  const voiGroup = functionalGroup(dataSet, 'x00289132');
  const rescaleValues = v.number('x00281053') !== undefined || !rescaleGroup ? v : valueReader(rescaleGroup, isUtf8);
  const windowValues = v.numbers('x00281050').length > 0 || !voiGroup ? v : valueReader(voiGroup, isUtf8);

  const bitsAllocated = v.uint16('x00280100') ?? 0;
  const bitsStored = v.uint16('x00280101') ?? bitsAllocated;
  // PS3.3 10.7.1.3: Pixel Spacing, where present, is calibrated to the patient; Imager Pixel Spacing
  // is measured at the detector, so a distance from it is magnified by the beam's divergence.
  const calibrated = positivePair(v.numbers('x00280030'));
  const atDetector = positivePair(v.numbers('x00181164'));
  const spacing = calibrated ?? atDetector;
  const slope = rescaleValues.number('x00281053');

  return {
    patientId: v.text('x00100020'),
    patientName: v.text('x00100010'),
    patientSex: v.text('x00100040'),
    patientAge: v.text('x00101010'),
    studyInstanceUid: v.text('x0020000d'),
    seriesInstanceUid: v.text('x0020000e'),
    sopInstanceUid: v.text('x00080018'),
    sopClassUid: v.text('x00080016'),
    studyDate: v.text('x00080020'),
    studyTime: v.text('x00080030'),
    accessionNumber: v.text('x00080050'),
    studyDescription: v.text('x00081030'),
    seriesDescription: v.text('x0008103e'),
    seriesNumber: v.number('x00200011'),
    instanceNumber: v.number('x00200013'),
    modality: v.text('x00080060')?.toUpperCase(),
    viewPosition: v.text('x00185101')?.toUpperCase(),
    bodyPartExamined: v.text('x00180015'),
    laterality: v.text('x00200060') ?? v.text('x00200062'),
    manufacturer: v.text('x00080070'),
    pixelSpacing: spacing,
    pixelSpacingSource: calibrated ? 'PixelSpacing' : atDetector ? 'ImagerPixelSpacing' : undefined,
    rows: v.uint16('x00280010') ?? 0,
    columns: v.uint16('x00280011') ?? 0,
    numberOfFrames: positiveInt(v.number('x00280008'), 1),
    bitsAllocated,
    bitsStored,
    highBit: v.uint16('x00280102') ?? bitsStored - 1,
    pixelRepresentation: v.uint16('x00280103') === 1 ? 1 : 0,
    samplesPerPixel: v.uint16('x00280002') ?? 1,
    photometricInterpretation: v.text('x00280004')?.toUpperCase() ?? 'MONOCHROME2',
    planarConfiguration: v.uint16('x00280006') === 1 ? 1 : 0,
    transferSyntaxUid: syntax.uid,
    transferSyntaxName: syntax.name,
    rescaleSlope: slope !== undefined && slope !== 0 ? slope : 1,
    rescaleIntercept: rescaleValues.number('x00281052') ?? 0,
    windows: windowsOf(windowValues),
    voiLutFunction: voiLutFunctionOf(windowValues.text('x00281056')),
  };
}
