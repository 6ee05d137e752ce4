import { PNG } from 'pngjs';
import { NOT_A_MEDICAL_DEVICE } from '../../../common/product.ts';
import { findingCode } from './codes.ts';
import { howItRan } from './how-it-ran.ts';
import { dicomDateTime, equipment, patientAndStudy, type Producer } from './derived-common.ts';
import { decimalString } from './sr-content.ts';
import type { DerivedObject } from './sr-builder.ts';
import type { SourceImage } from './source-header.ts';
import { derivedUid } from './uid.ts';
import { writePart10 } from './write-part10.ts';

export const SECONDARY_CAPTURE_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';

export interface HeatmapImage {
  label: string;
  /** Index of the label in the model's output order (instance numbers follow it). */
  labelIndex: number;
  probability: number;
  threshold: number;
  /** The overlay PNG every door writes (services/analysis/heatmaps.ts heatmapPng). */
  png: Uint8Array;
}

/** The heatmap of one finding of one image by one model's weights: the same UID whenever it is remade. */
export function scInstanceUid(source: SourceImage, producer: Producer, label: string): string {
  return derivedUid('sc', source.sopInstanceUid, label, producer.model.id, producer.model.sha256);
}

export function scSeriesUid(source: SourceImage, producer: Producer): string {
  return derivedUid('sc-series', source.studyInstanceUid, producer.model.id, producer.model.sha256);
}

/**
 * One finding's heatmap as a Secondary Capture image in a new series of the source's study: the
 * overlay PNG's pixels as 8-bit RGB, Image Type DERIVED\SECONDARY, the source in the Source Image
 * Sequence, and Burned In Annotation YES, so de-identification tools inspect it before release.
 */
export function buildHeatmapSc(source: SourceImage, producer: Producer, heatmap: HeatmapImage): DerivedObject {
  const png = PNG.sync.read(Buffer.from(heatmap.png));
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = png.data[j]!;
    rgb[i + 1] = png.data[j + 1]!;
    rgb[i + 2] = png.data[j + 2]!;
  }
  const sopInstanceUid = scInstanceUid(source, producer, heatmap.label);
  const seriesInstanceUid = scSeriesUid(source, producer);
  const { date, time } = dicomDateTime(producer.createdAt);
  const finding = findingCode(heatmap.label);
  const m = producer.model;
  const description =
    `${finding.meaning}: probability ${decimalString(heatmap.probability)} (threshold ${decimalString(heatmap.threshold)}); ` +
    `class activation map, min-max normalised, viridis, drawn where at least half of its peak; ` +
    `${m.name} ${m.version}, weights sha256 ${m.sha256}, ${howItRan(m)}${m.demo ? ', UNTRAINED DEMO' : ''}. ${NOT_A_MEDICAL_DEVICE}`;
  const dataset: Record<string, unknown> = {
    SOPClassUID: SECONDARY_CAPTURE_IMAGE_STORAGE,
    SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ...patientAndStudy(source),
    Modality: 'OT',
    SeriesInstanceUID: seriesInstanceUid,
    SeriesNumber: '9902',
    SeriesDescription: 'DenseRay heatmaps (research, not a medical device)',
    SeriesDate: date,
    SeriesTime: time,
    ...equipment(producer),
    // The chest is not a paired body part, so Laterality (type 2C) stays absent.
    BodyPartExamined: 'CHEST',
    ConversionType: 'WSD',
    InstanceNumber: String(heatmap.labelIndex + 1),
    PatientOrientation: '',
    ContentDate: date,
    ContentTime: time,
    ImageType: ['DERIVED', 'SECONDARY'],
    DerivationDescription: 'DenseRay class activation map overlaid on the cropped, resized image the network saw',
    SourceImageSequence: [{ ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.sopInstanceUid }],
    ImageComments: description.slice(0, 10240),
    BurnedInAnnotation: 'YES',
    RecognizableVisualFeatures: 'NO',
    LossyImageCompression: '00',
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    Rows: png.height,
    Columns: png.width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: [rgb.buffer],
    _vrMap: { PixelData: 'OB' },
  };
  return {
    sopClassUid: SECONDARY_CAPTURE_IMAGE_STORAGE,
    sopInstanceUid,
    seriesInstanceUid,
    studyInstanceUid: source.studyInstanceUid,
    bytes: writePart10(dataset),
  };
}
