import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { OpenFailure, StudyResult, StudySummary } from '../../app/common/contract/studies.ts';

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

/** Scored studies first, most suspicious first; then those still waiting; then those that could not be scored. */
function rank(entry: WorklistEntry): [number, number] {
  if (!entry.result) return [1, 0];
  if (!entry.result.ok) return [2, 0];
  return [0, -entry.result.prediction.triageScore];
}

export function orderWorklist(entries: WorklistEntry[], filter: string, flaggedOnly: boolean): WorklistEntry[] {
  const q = filter.trim().toLowerCase();
  return entries
    .filter((e) => {
      const flagged = e.result?.ok ? e.result.prediction.flagged : [];
      if (flaggedOnly && flagged.length === 0) return false;
      if (!q) return true;
      const s = e.summary;
      return [s.name, s.patientName, s.patientId, s.studyDescription, s.modality, s.viewPosition, ...flagged].some((v) =>
        v?.toLowerCase().replaceAll('_', ' ').includes(q),
      );
    })
    .sort((a, b) => {
      const [ga, ka] = rank(a);
      const [gb, kb] = rank(b);
      return ga - gb || ka - kb || a.summary.name.localeCompare(b.summary.name);
    });
}
