/** What DenseRay says about itself wherever a result is shown (app, CLI, reports, DICOM SR). */
export const PRODUCT_NAME = 'DenseRay';
export const PRODUCT_VERSION = '0.1.0';
export const NOT_A_MEDICAL_DEVICE =
  'DenseRay is research software, not a medical device. It does not diagnose; every result needs review by a qualified reader.';
