import { PRODUCT_NAME, PRODUCT_VERSION } from '../../../common/product.ts';
import type { SourceImage } from './source-header.ts';

/** What produced a derived object: DenseRay on this node, running one model's exact weights. */
export interface Producer {
  /** The model as every result names it. */
  model: { id: string; name: string; version: string; sha256: string; demo: boolean; backendDetail: string; precision: string };
  /** This node's Device Observer UID and name (its AE title). */
  device: { uid: string; name: string };
  createdAt: Date;
}

/** DA and TM (PS3.5 6.2) in the node's local time, as modalities write them. */
export function dicomDateTime(at: Date): { date: string; time: string } {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return {
    date: `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}`,
    time: `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`,
  };
}

/** Patient and General Study modules from the source (type 2 attributes present, empty when unknown). */
export function patientAndStudy(source: SourceImage): Record<string, unknown> {
  return {
    PatientName: '',
    PatientID: '',
    PatientBirthDate: '',
    PatientSex: '',
    StudyDate: '',
    StudyTime: '',
    ReferringPhysicianName: '',
    StudyID: '',
    AccessionNumber: '',
    ...source.patientStudy,
    StudyInstanceUID: source.studyInstanceUid,
  };
}

/** General Equipment: who made this object. Serial number = the weights, so a PACS can tell models apart. */
export function equipment(producer: Producer): Record<string, unknown> {
  return {
    Manufacturer: `${PRODUCT_NAME} (research software)`,
    ManufacturerModelName: producer.model.name.slice(0, 64),
    SoftwareVersions: [`${PRODUCT_NAME} ${PRODUCT_VERSION}`, `${producer.model.id} ${producer.model.version}`.slice(0, 64)],
    DeviceSerialNumber: producer.model.sha256.slice(0, 64),
  };
}
