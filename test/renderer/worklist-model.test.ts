// The worklist's columns and order: the shared triage rule by default, any column on request,
// blanks last, and a suspect input never rising above a trusted one.
import { describe, expect, it } from 'vitest';
import type { StudyResult, StudySummary } from '../../app/common/contract/studies.ts';
import { initialReadingState, readingReducer } from '../../renderer/reading/reading-state.ts';
import {
  ageInYears,
  DEFAULT_SORT,
  formatAge,
  orderWorklist,
  type WorklistEntry,
  type WorklistQuery,
} from '../../renderer/worklist/worklist-model.ts';

const summary = (id: string, extra: Partial<StudySummary> = {}): StudySummary => ({
  id,
  name: `${id}.dcm`,
  format: 'dicom',
  rows: 8,
  columns: 8,
  frames: 1,
  warnings: [],
  thumbnail: { width: 1, height: 1, data: new Uint8Array(1) },
  ...extra,
});
const scored = (id: string, score: number, suspect = false): StudyResult => ({
  id,
  ok: true,
  prediction: {
    probabilities: {},
    logits: [],
    flagged: score > 0 ? ['Effusion'] : [],
    triageScore: score,
    guard: { score: 0, suspect, reason: suspect ? 'lateral' : null },
    geometry: { width: 8, height: 8, region: { x: 0, y: 0, width: 8, height: 8 } },
    timingsMs: { decode: 0, preprocess: 0, infer: 0, cam: 0 },
  },
});
const query = (q: Partial<WorklistQuery> = {}): WorklistQuery => ({
  filter: '',
  flaggedOnly: false,
  unreadOnly: false,
  sort: DEFAULT_SORT,
  ...q,
});
const ids = (entries: WorklistEntry[]): string[] => entries.map((e) => e.summary.id);

const entries: WorklistEntry[] = [
  {
    summary: summary('sa', { studyDate: '20240101', patientName: 'Beta', patientAge: '045Y', accessionNumber: 'A2' }),
    result: scored('sa', 0.1),
    read: false,
  },
  {
    summary: summary('sb', { studyDate: '20230101', patientName: 'alpha', patientAge: '006M' }),
    result: scored('sb', 0.9, true),
    read: true,
  },
  { summary: summary('sc', { patientName: 'Gamma', patientAge: '070Y', accessionNumber: 'A1' }), result: scored('sc', -0.2), read: false },
  { summary: summary('sd', { studyDate: '20250101' }), read: false },
  {
    summary: summary('se', { studyDate: '20220101' }),
    result: { id: 'se', ok: false, error: { code: 'DICOM_TRUNCATED', message: 'x' } },
    read: false,
  },
];

describe('worklist model', () => {
  it('reads DICOM ages', () => {
    expect(ageInYears('045Y')).toBe(45);
    expect(ageInYears('006M')).toBe(0.5);
    expect(ageInYears('45')).toBeUndefined();
    expect(formatAge('006M')).toBe('6 mo');
    expect(formatAge('070Y')).toBe('70 y');
  });

  it('orders by the triage rule: scored by score, then check input (even at 0.9), errors, pending', () => {
    expect(ids(orderWorklist(entries, query()))).toEqual(['sa', 'sc', 'sb', 'se', 'sd']);
    // Ascending keeps the groups: the least suspicious trusted study first, the suspect one still after them.
    expect(ids(orderWorklist(entries, query({ sort: { key: 'triage', descending: false } })))).toEqual(['sc', 'sa', 'sb', 'se', 'sd']);
  });

  it('sorts by a column, with blanks last either way', () => {
    expect(ids(orderWorklist(entries, query({ sort: { key: 'date', descending: true } })))).toEqual(['sd', 'sa', 'sb', 'se', 'sc']);
    expect(ids(orderWorklist(entries, query({ sort: { key: 'date', descending: false } })))).toEqual(['se', 'sb', 'sa', 'sd', 'sc']);
    expect(ids(orderWorklist(entries, query({ sort: { key: 'age', descending: false } }))).slice(0, 3)).toEqual(['sb', 'sa', 'sc']);
    expect(ids(orderWorklist(entries, query({ sort: { key: 'accession', descending: false } }))).slice(0, 2)).toEqual(['sc', 'sa']);
  });

  it('filters by accession, unread and flagged, and keeps comparison-only priors off the list', () => {
    expect(ids(orderWorklist(entries, query({ filter: 'a1' })))).toEqual(['sc']);
    expect(ids(orderWorklist(entries, query({ unreadOnly: true })))).not.toContain('sb');
    expect(ids(orderWorklist(entries, query({ flaggedOnly: true })))).toEqual(['sa']); // a suspect study flags nothing
    expect(ids(orderWorklist([...entries, { summary: summary('sf'), read: false, priorOnly: true }], query()))).not.toContain('sf');
  });

  it('keeps a study’s place when it is opened again, and a prior joins the list once the reader opens it', () => {
    let s = readingReducer(initialReadingState, { type: 'opened', studies: [summary('sa'), summary('sb')], failures: [] });
    s = readingReducer(s, { type: 'opened', studies: [summary('sp')], failures: [], priorOnly: true });
    s = readingReducer(s, { type: 'opened', studies: [summary('sb'), summary('sp')], failures: [] });
    expect(s.entries.map((e) => [e.summary.id, e.priorOnly ?? false])).toEqual([
      ['sa', false],
      ['sb', false],
      ['sp', false],
    ]);
    s = readingReducer(s, { type: 'sort', key: 'date' });
    expect(s.query.sort).toEqual({ key: 'date', descending: true });
    s = readingReducer(s, { type: 'sort', key: 'date' });
    expect(s.query.sort).toEqual({ key: 'date', descending: false });
  });
});
