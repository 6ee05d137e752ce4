import { describe, expect, it } from 'vitest';
import { isEarlierStudy, studyMoment } from './study-date.ts';

describe('study moments (DICOM DA + TM)', () => {
  it('orders by date, then time, with partial times padded as PS3.5 allows', () => {
    expect(studyMoment({ studyDate: '20240102', studyTime: '0930' })).toBe('20240102093000.000000');
    expect(studyMoment({ studyDate: '2024.01.02', studyTime: '093015.5' })).toBe('20240102093015.500000');
    expect(isEarlierStudy({ studyDate: '20231231' }, { studyDate: '20240101' })).toBe(true);
    expect(isEarlierStudy({ studyDate: '20240101', studyTime: '08' }, { studyDate: '20240101', studyTime: '0801' })).toBe(true);
    expect(isEarlierStudy({ studyDate: '20240101' }, { studyDate: '20240101' })).toBe(false);
  });

  it('never calls an undated or badly dated study earlier or later', () => {
    expect(studyMoment({ studyDate: '2024-01-02' })).toBeUndefined();
    expect(isEarlierStudy({}, { studyDate: '20240101' })).toBe(false);
    expect(isEarlierStudy({ studyDate: '20240101' }, { studyDate: 'yesterday' })).toBe(false);
  });
});
