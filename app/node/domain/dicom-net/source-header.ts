import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
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
  /** Whether the header was read as far as Rows (0028,0010), past every attribute copied. */
  rowsRead: boolean;
}

/** Headers end long before this in every radiograph; a file whose header does not is read whole. */
const HEADER_PREFIX_BYTES = 512 * 1024;

/** The source's identifying header, read from the file up to (not into) Pixel Data. */
export function readSourceHeaderFile(path: string, source: string): SourceImage {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const prefix = Buffer.alloc(Math.min(size, HEADER_PREFIX_BYTES));
    readSync(fd, prefix, 0, prefix.length, 0);
    if (prefix.length < size) {
      try {
        // Rows (0028,0010) sits after every Patient and Study attribute: if it was read, nothing before it was cut.
        const header = readSourceHeader(prefix, source);
        if (header.rowsRead) return header;
      } catch {
        // the prefix cut an element: read it all
      }
    }
  } finally {
    closeSync(fd);
  }
  return readSourceHeader(readFileSync(path), source);
}

/** The source's identifying header, read up to (not into) Pixel Data. */
export function readSourceHeader(bytes: Uint8Array, source: string): SourceImage {
  let natural: Record<string, unknown>;
  try {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const buffer = (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;
    const dict = dcmjs.data.DicomMessage.readFile(buffer, { untilTag: '7FE00010', includeUntilTagValue: false, noCopy: true });
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
    rowsRead: natural.Rows !== undefined,
  };
}
