import dcmjs from 'dcmjs';
import { DenseRayError } from '../../shared/errors.ts';

/** The Patient and General Study module values a derived object copies unchanged from its source. */
export const COPIED_PATIENT_STUDY_ATTRIBUTES = [
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'PatientBirthDate',
  'PatientSex',
  'StudyInstanceUID',
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'StudyID',
  'AccessionNumber',
  'StudyDescription',
] as const;

/** A received image as its SR and Secondary Capture need it. */
export interface SourceImage {
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string | undefined;
  /** Naturalised dcmjs values, copied as read (dcmjs decodes to Unicode; the derived objects are UTF-8). */
  patientStudy: Record<string, unknown>;
}

/** The source's identifying header, read up to (not into) Pixel Data. */
export function readSourceHeader(bytes: Uint8Array, source: string): SourceImage {
  let natural: Record<string, unknown>;
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const dict = dcmjs.data.DicomMessage.readFile(buffer, { untilTag: '7FE00010', includeUntilTagValue: false });
    natural = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  } catch (cause) {
    throw new DenseRayError('DICOM_MALFORMED', `${source}: cannot read the patient and study attributes (${String(cause)})`, { cause });
  }
  const text = (key: string): string | undefined => {
    const value = natural[key];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const required = (key: string): string => {
    const value = text(key);
    if (!value) throw new DenseRayError('DICOM_MALFORMED', `${source}: ${key} is missing; a derived object cannot refer to it`);
    return value;
  };
  const patientStudy: Record<string, unknown> = {};
  for (const key of COPIED_PATIENT_STUDY_ATTRIBUTES) if (natural[key] !== undefined) patientStudy[key] = natural[key];
  return {
    sopClassUid: required('SOPClassUID'),
    sopInstanceUid: required('SOPInstanceUID'),
    studyInstanceUid: required('StudyInstanceUID'),
    seriesInstanceUid: required('SeriesInstanceUID'),
    modality: text('Modality'),
    patientStudy,
  };
}
