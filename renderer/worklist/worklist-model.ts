import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { StudyResult, StudySummary } from '../../app/common/contract/studies.ts';
import { studyMoment } from '../../app/common/study-date.ts';
import { orderByWorklist, type WorklistGroup, type WorklistStanding, worklistGroup } from '../../app/common/worklist-order.ts';

export interface WorklistEntry {
  summary: StudySummary;
  /** undefined while the study waits for its score. */
  result?: StudyResult | undefined;
  /** The model that produced `result` (label order and thresholds come from it). */
  model?: ModelInfo | undefined;
  read: boolean;
  /** A prior opened for comparison (from the store) rather than by the reader: kept off the worklist. */
  priorOnly?: boolean;
}

/** Columns a reader sorts by; `triage` is the shared worklist rule, the default. */
export type SortKey = 'triage' | 'patient' | 'age' | 'date' | 'accession' | 'modality' | 'read';
export interface WorklistSort {
  key: SortKey;
  descending: boolean;
}
export const DEFAULT_SORT: WorklistSort = { key: 'triage', descending: true };

export interface WorklistQuery {
  filter: string;
  flaggedOnly: boolean;
  unreadOnly: boolean;
  sort: WorklistSort;
}

/** Where an entry stands in the worklist rule every door shares (app/common/worklist-order.ts). */
export function standing(entry: WorklistEntry): WorklistStanding {
  if (!entry.result) return { status: 'pending', suspect: false, score: null };
  if (!entry.result.ok) return { status: 'error', suspect: false, score: null };
  const p = entry.result.prediction;
  return { status: 'ok', suspect: p.guard.suspect, score: p.triageScore };
}

export const groupOf = (entry: WorklistEntry): WorklistGroup => worklistGroup(standing(entry));

export const flaggedOf = (entry: WorklistEntry): string[] =>
  entry.result?.ok && !entry.result.prediction.guard.suspect ? entry.result.prediction.flagged : [];

/** DICOM Age String (e.g. 054Y, 006M, 012W, 003D) in years, for sorting; undefined when absent or malformed. */
export function ageInYears(age: string | undefined): number | undefined {
  const m = /^(\d{3})([DWMY])$/.exec(age?.trim() ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return { D: n / 365.25, W: n / 52.18, M: n / 12, Y: n }[m[2] as 'D' | 'W' | 'M' | 'Y'];
}

/** '054Y' → '54 y', '006M' → '6 mo' (as a reader writes it). */
export function formatAge(age: string | undefined): string | undefined {
  const m = /^(\d{3})([DWMY])$/.exec(age?.trim() ?? '');
  if (!m) return age?.trim() || undefined;
  return `${Number(m[1])} ${{ D: 'd', W: 'wk', M: 'mo', Y: 'y' }[m[2] as 'D' | 'W' | 'M' | 'Y']}`;
}

export function formatDate(dicomDate: string | undefined): string | undefined {
  if (!dicomDate || !/^\d{8}$/.test(dicomDate)) return dicomDate;
  return `${dicomDate.slice(0, 4)}-${dicomDate.slice(4, 6)}-${dicomDate.slice(6, 8)}`;
}

function matches(entry: WorklistEntry, query: WorklistQuery): boolean {
  if (entry.priorOnly) return false;
  if (query.unreadOnly && entry.read) return false;
  const flagged = flaggedOf(entry);
  if (query.flaggedOnly && flagged.length === 0) return false;
  const q = query.filter.trim().toLowerCase();
  if (!q) return true;
  const s = entry.summary;
  return [
    s.name,
    s.patientName,
    s.patientId,
    s.accessionNumber,
    s.studyDescription,
    s.modality,
    s.viewPosition,
    s.studyDate,
    ...flagged,
  ].some((v) => v?.toLowerCase().replaceAll('_', ' ').includes(q));
}

type Comparable = string | number | undefined;
const sortValue: Record<Exclude<SortKey, 'triage'>, (e: WorklistEntry) => Comparable> = {
  patient: (e) => (e.summary.patientName ?? e.summary.name).toLowerCase(),
  age: (e) => ageInYears(e.summary.patientAge),
  date: (e) => studyMoment(e.summary),
  accession: (e) => e.summary.accessionNumber,
  modality: (e) => [e.summary.modality, e.summary.viewPosition].filter(Boolean).join(' ') || undefined,
  read: (e) => (e.read ? 1 : 0),
};

/** Missing values sort last in either direction, so a column's blanks never hide its data. */
function compare(a: Comparable, b: Comparable, descending: boolean): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return descending ? -c : c;
}

/**
 * The visible worklist: filtered, then in the shared triage rule (scored by score, then "check
 * input", errors, pending) or by the column the reader chose; ties keep the order studies arrived.
 */
export function orderWorklist(entries: readonly WorklistEntry[], query: WorklistQuery): WorklistEntry[] {
  const shown = entries.filter((e) => matches(e, query));
  const { key, descending } = query.sort;
  if (key === 'triage') {
    const ordered = orderByWorklist(shown, standing);
    return descending ? ordered : reverseWithinGroups(ordered);
  }
  const value = sortValue[key];
  return shown
    .map((e, i) => ({ e, i }))
    .sort((a, b) => compare(value(a.e), value(b.e), descending) || a.i - b.i)
    .map(({ e }) => e);
}

/** Ascending triage: least suspicious first, but the groups keep their order (a suspect input never rises). */
function reverseWithinGroups(ordered: WorklistEntry[]): WorklistEntry[] {
  const out: WorklistEntry[] = [];
  let run: WorklistEntry[] = [];
  let group: WorklistGroup | undefined;
  for (const e of ordered) {
    const g = groupOf(e);
    if (g !== group && run.length) {
      out.push(...(group === 'scored' ? run.reverse() : run));
      run = [];
    }
    group = g;
    run.push(e);
  }
  out.push(...(group === 'scored' ? run.reverse() : run));
  return out;
}
