/**
 * Coded concepts in DenseRay's structured reports. Standard codes (DCM, SCT, UCUM) are used only
 * where the DICOM standard's own code tables list the concept with this meaning (checked against
 * pydicom's copy of PS3.16 in test/dicom-node/sr-codes.test.ts); anything without a standard code
 * is in DenseRay's private scheme 99DENSERAY, named by its meaning. The scheme is described
 * in each SR's Coding Scheme Identification Sequence.
 */
export interface Code {
  value: string;
  scheme: string;
  meaning: string;
}

const code = (value: string, scheme: string, meaning: string): Code => ({ value, scheme, meaning });

/** PS3.3 8.1: designators starting "99" are reserved for private coding schemes. */
export const PRIVATE_SCHEME = '99DENSERAY';
export const PRIVATE_SCHEME_NAME = 'DenseRay research codes (findings and outputs without a standard code)';

export const CODES = {
  imagingMeasurementReport: code('126000', 'DCM', 'Imaging Measurement Report'),
  language: code('121049', 'DCM', 'Language of Content Item and Descendants'),
  englishUs: code('en-US', 'RFC5646', 'English (United States)'),
  observerType: code('121005', 'DCM', 'Observer Type'),
  device: code('121007', 'DCM', 'Device'),
  deviceObserverUid: code('121012', 'DCM', 'Device Observer UID'),
  deviceObserverName: code('121013', 'DCM', 'Device Observer Name'),
  deviceObserverManufacturer: code('121014', 'DCM', 'Device Observer Manufacturer'),
  deviceObserverModelName: code('121015', 'DCM', 'Device Observer Model Name'),
  procedureReported: code('121058', 'DCM', 'Procedure reported'),
  /** Not in PS3.16's DICOM tables (SNOMED CT's own concept for the procedure). */
  plainChestXray: code('399208008', 'SCT', 'Plain chest X-ray'),
  imageLibrary: code('111028', 'DCM', 'Image Library'),
  imageLibraryGroup: code('126200', 'DCM', 'Image Library Group'),
  imagingMeasurements: code('126010', 'DCM', 'Imaging Measurements'),
  measurementGroup: code('125007', 'DCM', 'Measurement Group'),
  trackingIdentifier: code('112039', 'DCM', 'Tracking Identifier'),
  trackingUid: code('112040', 'DCM', 'Tracking Unique Identifier'),
  finding: code('121071', 'DCM', 'Finding'),
  algorithmName: code('111001', 'DCM', 'Algorithm Name'),
  algorithmVersion: code('111003', 'DCM', 'Algorithm Version'),
  algorithmParameters: code('111002', 'DCM', 'Algorithm Parameters'),
  sourceOfMeasurement: code('121112', 'DCM', 'Source of Measurement'),
  thresholdValue: code('122411', 'DCM', 'Threshold Value'),
  /** TID 1500's container for evaluations of the whole report (UMLS, as PS3.16 writes it). */
  qualitativeEvaluations: code('C0034375', 'UMLS', 'Qualitative Evaluations'),
  comment: code('121106', 'DCM', 'Comment'),
  yes: code('373066001', 'SCT', 'Yes'),
  no: code('373067005', 'SCT', 'No'),
  noUnits: code('1', 'UCUM', 'no units'),
  // No standard concept says "a classifier's output probability" without implying a calibrated
  // certainty (DCM 111012 Certainty of Finding is a CAD certainty in percent), so these are private.
  probability: code('PROB', PRIVATE_SCHEME, 'Model output probability'),
  flagged: code('FLAGGED', PRIVATE_SCHEME, 'At or above operating threshold'),
  triageScore: code('TRIAGE', PRIVATE_SCHEME, 'Triage score'),
  anyFlagged: code('ANYFLAG', PRIVATE_SCHEME, 'Any finding at or above its threshold'),
  inputCheck: code('INPUTOK', PRIVATE_SCHEME, 'Input resembles a frontal chest radiograph'),
  inputCheckDistance: code('GUARDDIST', PRIVATE_SCHEME, 'Input check distance from chest radiograph reference'),
  inputCheckReason: code('GUARDWHY', PRIVATE_SCHEME, 'Input check reason'),
  notAssessed: code('NOTASSESSED', PRIVATE_SCHEME, 'Image not assessed'),
  notAssessedReason: code('NOTASSESSEDWHY', PRIVATE_SCHEME, 'Reason image was not assessed'),
} as const;

/**
 * Findings by the label names models use (ChestX-ray14, TorchXRayVision). Only concepts whose
 * PS3.16 entries all mean the same finding: "Effusion" in chest X-ray datasets is a pleural
 * effusion, "Edema" pulmonary oedema, "Infiltration" the DCM Infiltrate, "Lung Opacity" the DCM
 * Opacity. Cardiomegaly stays private: PS3.16 lists SCT 287272002 both as "Cardiomegaly" (fetal
 * CIDs) and as "Enlarged septal foramen of heart", so that code does not say one thing. Atelectasis,
 * Consolidation, Emphysema, Fibrosis, Pneumonia, Pleural thickening, Hernia, Fracture, Lung Lesion
 * and Enlarged Cardiomediastinum have no entry in PS3.16's tables and stay private too.
 */
const STANDARD_FINDINGS: Readonly<Record<string, Code>> = {
  pneumothorax: code('36118008', 'SCT', 'Pneumothorax'),
  effusion: code('60046008', 'SCT', 'Pleural effusion'),
  pleuraleffusion: code('60046008', 'SCT', 'Pleural effusion'),
  edema: code('19242006', 'SCT', 'Pulmonary edema'),
  nodule: code('27925004', 'SCT', 'Nodule'),
  mass: code('4147007', 'SCT', 'Mass'),
  infiltration: code('112121', 'DCM', 'Infiltrate'),
  lungopacity: code('112001', 'DCM', 'Opacity'),
};

function normalise(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The coded concept for a model's label: a standard code where one means it, else DENSERAY. */
export function findingCode(label: string): Code {
  const standard = STANDARD_FINDINGS[normalise(label)];
  if (standard) return standard;
  // SH code values: at most 16 characters, upper case so the same label always maps to the same code.
  const value = normalise(label).toUpperCase().slice(0, 16) || 'FINDING';
  return code(value, PRIVATE_SCHEME, label.replaceAll('_', ' '));
}
