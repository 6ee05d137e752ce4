import { NOT_A_MEDICAL_DEVICE } from '../../../common/product.ts';
import { CODES, findingCode, PRIVATE_SCHEME, PRIVATE_SCHEME_NAME } from './codes.ts';
import { dicomDateTime, equipment, patientAndStudy, type Producer } from './derived-common.ts';
import { code, container, type ContentItem, image, num, text, uidRef } from './sr-content.ts';
import type { SourceImage } from './source-header.ts';
import { derivedUid } from './uid.ts';
import { writePart10 } from './write-part10.ts';

export const COMPREHENSIVE_SR_STORAGE = '1.2.840.10008.5.1.4.1.1.88.33';

/** One image's triage result, as the SR states it. */
export interface TriageFindings {
  labels: readonly string[];
  probabilities: Readonly<Record<string, number>>;
  thresholds: Readonly<Record<string, number>>;
  flagged: readonly string[];
  triageScore: number;
  guard: { score: number; suspect: boolean; reason: string | null };
}

export interface DerivedObject {
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  bytes: Uint8Array;
}

/** The SR series of one study and model: every report DenseRay makes there with these weights goes in it. */
export function srSeriesUid(source: SourceImage, producer: Producer): string {
  return derivedUid('sr-series', source.studyInstanceUid, producer.model.id, producer.model.sha256);
}

/**
 * The triage result of one image as a Comprehensive SR following TID 1500 (Measurement Report):
 * the source image in the Image Library; per finding a TID 1501 measurement group with the finding
 * code, the model output probability, the threshold, whether it is at or above it (Yes/No) and TID 4019
 * algorithm identification (name, version, weights sha256); a summary group with the triage score
 * and how the model ran (backend, precision); and the report-level qualitative evaluations: the input check's verdict and the
 * not-a-medical-device statement. Verification Flag UNVERIFIED: no person has checked it.
 */
export function buildTriageSr(source: SourceImage, producer: Producer, findings: TriageFindings): DerivedObject {
  const groups = findings.labels.map((label) => findingGroup(source, producer, findings, label));
  groups.push(summaryGroup(source, producer, findings));
  const evaluations = [
    code('CONTAINS', CODES.inputCheck, findings.guard.suspect ? CODES.no : CODES.yes),
    text(
      'CONTAINS',
      CODES.inputCheckReason,
      findings.guard.suspect
        ? `${findings.guard.reason ?? 'the input does not look like a frontal chest radiograph'}; treat these scores with doubt`
        : `looks like a frontal chest radiograph (distance ${findings.guard.score.toFixed(2)} from the reference)`,
    ),
    text('CONTAINS', CODES.comment, NOT_A_MEDICAL_DEVICE),
  ];
  return buildReport(source, producer, 'triage', [
    container('CONTAINS', CODES.imagingMeasurements, groups),
    container('CONTAINS', CODES.qualitativeEvaluations, evaluations),
  ]);
}

/**
 * An image DenseRay stored but did not assess (not an X-ray, not a chest film), when the node is
 * configured to report refusals: the same document shape with no measurements, and why.
 */
export function buildRefusalSr(source: SourceImage, producer: Producer, refusal: { code: string; reason: string }): DerivedObject {
  return buildReport(source, producer, 'refusal', [
    container('CONTAINS', CODES.qualitativeEvaluations, [
      code('CONTAINS', CODES.notAssessed, CODES.yes),
      text('CONTAINS', CODES.notAssessedReason, `${refusal.code}: ${refusal.reason}`),
      text('CONTAINS', CODES.comment, NOT_A_MEDICAL_DEVICE),
    ]),
  ]);
}

function buildReport(source: SourceImage, producer: Producer, kind: string, body: ContentItem[]): DerivedObject {
  const sopInstanceUid = derivedUid('sr', kind, source.sopInstanceUid, producer.model.id, producer.model.sha256);
  const seriesInstanceUid = srSeriesUid(source, producer);
  const { date, time } = dicomDateTime(producer.createdAt);
  const dataset: Record<string, unknown> = {
    SOPClassUID: COMPREHENSIVE_SR_STORAGE,
    SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ...patientAndStudy(source),
    Modality: 'SR',
    SeriesInstanceUID: seriesInstanceUid,
    SeriesNumber: '9901',
    SeriesDescription: `DenseRay AI triage (research, not a medical device)`,
    SeriesDate: date,
    SeriesTime: time,
    ReferencedPerformedProcedureStepSequence: [],
    ...equipment(producer),
    InstanceNumber: '1',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: date,
    ContentTime: time,
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [
      {
        StudyInstanceUID: source.studyInstanceUid,
        ReferencedSeriesSequence: [
          {
            SeriesInstanceUID: source.seriesInstanceUid,
            ReferencedSOPSequence: [{ ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.sopInstanceUid }],
          },
        ],
      },
    ],
    CodingSchemeIdentificationSequence: [{ CodingSchemeDesignator: PRIVATE_SCHEME, CodingSchemeName: PRIVATE_SCHEME_NAME }],
    ...rootContainer(source, producer, body),
  };
  return {
    sopClassUid: COMPREHENSIVE_SR_STORAGE,
    sopInstanceUid,
    seriesInstanceUid,
    studyInstanceUid: source.studyInstanceUid,
    bytes: writePart10(dataset),
  };
}

/** TID 1500's root: language, observer context (this node as a device), procedure, image library, then the body. */
function rootContainer(source: SourceImage, producer: Producer, body: ContentItem[]): ContentItem {
  const root = container(
    undefined,
    CODES.imagingMeasurementReport,
    [
      code('HAS CONCEPT MOD', CODES.language, CODES.englishUs),
      code('HAS OBS CONTEXT', CODES.observerType, CODES.device),
      uidRef('HAS OBS CONTEXT', CODES.deviceObserverUid, producer.device.uid),
      text('HAS OBS CONTEXT', CODES.deviceObserverName, producer.device.name),
      text('HAS OBS CONTEXT', CODES.deviceObserverManufacturer, 'DenseRay (research software)'),
      text('HAS OBS CONTEXT', CODES.deviceObserverModelName, producer.model.name),
      code('HAS CONCEPT MOD', CODES.procedureReported, CODES.plainChestXray),
      container('CONTAINS', CODES.imageLibrary, [
        container('CONTAINS', CODES.imageLibraryGroup, [image('CONTAINS', undefined, source.sopClassUid, source.sopInstanceUid)]),
      ]),
      ...body,
    ],
    '1500',
  );
  // The root item's relationship is implicit; its attributes sit at the top level of the dataset.
  return root;
}

/**
 * TID 4019: which model made the numbers — in every group its name, version and exact weights;
 * the summary group adds how it ran (backend, precision), which is the same for every finding.
 */
function algorithmIdentification(producer: Producer, detail: 'weights' | 'full'): ContentItem[] {
  const m = producer.model;
  return [
    text('HAS CONCEPT MOD', CODES.algorithmName, m.demo ? `${m.name} (UNTRAINED DEMO: scores mean nothing)` : m.name),
    text('HAS CONCEPT MOD', CODES.algorithmVersion, `${m.id} ${m.version}`),
    text('HAS CONCEPT MOD', CODES.algorithmParameters, `weights sha256 ${m.sha256}`),
    ...(detail === 'full'
      ? [
          text('HAS CONCEPT MOD', CODES.algorithmParameters, `backend ${m.backendDetail}`),
          text('HAS CONCEPT MOD', CODES.algorithmParameters, `precision ${m.precision}`),
        ]
      : []),
  ];
}

function trackingFor(source: SourceImage, producer: Producer, what: string): ContentItem[] {
  return [
    text('HAS OBS CONTEXT', CODES.trackingIdentifier, `DenseRay ${what}`),
    uidRef('HAS OBS CONTEXT', CODES.trackingUid, derivedUid('tracking', what, source.sopInstanceUid, producer.model.sha256)),
  ];
}

function findingGroup(source: SourceImage, producer: Producer, findings: TriageFindings, label: string): ContentItem {
  const probability = findings.probabilities[label];
  const threshold = findings.thresholds[label];
  if (probability === undefined || threshold === undefined) throw new Error(`no probability or threshold for ${label}`);
  return measurementGroup([
    ...trackingFor(source, producer, label),
    code('CONTAINS', CODES.finding, findingCode(label)),
    ...algorithmIdentification(producer, 'weights'),
    num('CONTAINS', CODES.probability, probability, CODES.noUnits),
    num('CONTAINS', CODES.thresholdValue, threshold, CODES.noUnits),
    code('CONTAINS', CODES.flagged, findings.flagged.includes(label) ? CODES.yes : CODES.no),
    image('CONTAINS', CODES.sourceOfMeasurement, source.sopClassUid, source.sopInstanceUid),
  ]);
}

function summaryGroup(source: SourceImage, producer: Producer, findings: TriageFindings): ContentItem {
  return measurementGroup([
    ...trackingFor(source, producer, 'triage summary'),
    ...algorithmIdentification(producer, 'full'),
    num('CONTAINS', CODES.triageScore, findings.triageScore, CODES.noUnits),
    num('CONTAINS', CODES.inputCheckDistance, findings.guard.score, CODES.noUnits),
    code('CONTAINS', CODES.anyFlagged, findings.flagged.length > 0 ? CODES.yes : CODES.no),
    code('CONTAINS', CODES.inputCheck, findings.guard.suspect ? CODES.no : CODES.yes),
    image('CONTAINS', CODES.sourceOfMeasurement, source.sopClassUid, source.sopInstanceUid),
  ]);
}

function measurementGroup(children: ContentItem[]): ContentItem {
  return container('CONTAINS', CODES.measurementGroup, children, '1501');
}
