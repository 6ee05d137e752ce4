import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { OpenFailure, StudyResult, StudySummary } from '../../app/common/contract/studies.ts';
import { orderByWorklist, type WorklistStanding } from '../../app/common/worklist-order.ts';

export interface WorklistEntry {
  summary: StudySummary;
  /** undefined while the study waits for its score. */
  result?: StudyResult | undefined;
  /** The model that produced `result` (label order and thresholds come from it). */
  model?: ModelInfo | undefined;
  read: boolean;
}

export interface Worklist {
  entries: WorklistEntry[];
  failures: OpenFailure[];
}

/** Where an entry stands in the worklist rule every door shares (app/common/worklist-order.ts). */
export function standing(entry: WorklistEntry): WorklistStanding {
  if (!entry.result) return { status: 'pending', suspect: false, score: null };
  if (!entry.result.ok) return { status: 'error', suspect: false, score: null };
  const p = entry.result.prediction;
  return { status: 'ok', suspect: p.guard.suspect, score: p.triageScore };
}

export function orderWorklist(entries: WorklistEntry[], filter: string, flaggedOnly: boolean): WorklistEntry[] {
  const q = filter.trim().toLowerCase();
  const matching = entries
    .filter((e) => {
      const flagged = e.result?.ok ? e.result.prediction.flagged : [];
      if (flaggedOnly && flagged.length === 0) return false;
      if (!q) return true;
      const s = e.summary;
      return [s.name, s.patientName, s.patientId, s.studyDescription, s.modality, s.viewPosition, ...flagged].some((v) =>
        v?.toLowerCase().replaceAll('_', ' ').includes(q),
      );
    })
    .sort((a, b) => a.summary.name.localeCompare(b.summary.name));
  return orderByWorklist(matching, standing);
}
