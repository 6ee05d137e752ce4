/**
 * When a study was made, from its DICOM Study Date (DA, YYYYMMDD; the retired YYYY.MM.DD form is
 * accepted) and Study Time (TM, HH[MM[SS[.F…]]]), as one sortable key. A study without a valid date
 * has no moment: it is never called earlier or later than another.
 */
export function studyMoment(study: { studyDate?: string | undefined; studyTime?: string | undefined }): string | undefined {
  const date = study.studyDate?.trim().replaceAll('.', '');
  if (!date || !/^\d{8}$/.test(date)) return undefined;
  const time = study.studyTime?.trim() ?? '';
  const [whole = '', fraction = ''] = time.split('.');
  const hhmmss = /^\d{2,6}$/.test(whole) ? whole.padEnd(6, '0') : '000000';
  return `${date}${hhmmss}.${/^\d{1,6}$/.test(fraction) ? fraction.padEnd(6, '0') : '000000'}`;
}

/** Whether study `a` was made strictly before study `b` (both dated). */
export function isEarlierStudy(
  a: { studyDate?: string | undefined; studyTime?: string | undefined },
  b: { studyDate?: string | undefined; studyTime?: string | undefined },
): boolean {
  const ma = studyMoment(a);
  const mb = studyMoment(b);
  return ma !== undefined && mb !== undefined && ma < mb;
}
