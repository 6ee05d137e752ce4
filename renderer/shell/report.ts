import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { WorklistEntry } from '../worklist/worklist-model.ts';

const cell = (v: string | number | undefined): string => {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** The worklist as CSV: one row per study, with the model that produced each number and the disclaimer. */
export function worklistReport(entries: WorklistEntry[], model: ModelInfo | undefined, notice: string): string {
  const labels = model?.labels ?? [];
  const header = [
    'file',
    'patient',
    'patient_id',
    'study_date',
    'modality',
    'view',
    'triage_score',
    'flagged',
    'input_suspect',
    'error',
    ...labels,
  ];
  const rows = entries.map((e) => {
    const s = e.summary;
    const r = e.result;
    const p = r?.ok ? r.prediction : undefined;
    return [
      s.name,
      s.patientName,
      s.patientId,
      s.studyDate,
      s.modality,
      s.viewPosition,
      p?.triageScore.toFixed(4),
      p?.flagged.join(' '),
      p ? String(p.guard.suspect) : '',
      r && !r.ok ? r.error.code : '',
      ...labels.map((l) => p?.probabilities[l]?.toFixed(4)),
    ];
  });
  const meta = [
    `# DenseRay report ${new Date().toISOString()}`,
    `# model ${model?.id ?? '?'} v${model?.version ?? '?'} weights ${model?.sha256 ?? '?'}${model?.demo ? ' (UNTRAINED DEMO: numbers mean nothing)' : ''}`,
    `# ${notice}`,
  ];
  return `${[...meta, header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n')}\n`;
}

/** Saves text through the browser's download (the desktop app shows its save dialog for it). */
export function download(name: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
