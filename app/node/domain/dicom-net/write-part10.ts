import dcmjs from 'dcmjs';
import { PRODUCT_VERSION } from '../../../common/product.ts';
import { derivedUid } from './uid.ts';

/** DenseRay's Implementation Class UID (PS3.7 D.3.3.2), the same in every file and association it writes. */
export const IMPLEMENTATION_CLASS_UID = derivedUid('DenseRay', 'implementation class');
/** SH, at most 16 characters. */
export const IMPLEMENTATION_VERSION_NAME = `DENSERAY_${PRODUCT_VERSION}`.slice(0, 16);

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/**
 * A naturalised dataset (dcmjs's JSON form) as DICOM Part 10 bytes in Explicit VR Little Endian,
 * with DenseRay's File Meta Information. dcmjs writes strings as UTF-8, so the dataset says so.
 */
export function writePart10(dataset: Record<string, unknown>): Uint8Array {
  const { SOPClassUID, SOPInstanceUID } = dataset;
  if (typeof SOPClassUID !== 'string' || typeof SOPInstanceUID !== 'string')
    throw new Error('writePart10: SOP Class and Instance UIDs are required');
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SOPClassUID,
    MediaStorageSOPInstanceUID: SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({ SpecificCharacterSet: 'ISO_IR 192', ...dataset });
  return new Uint8Array(dict.write());
}
