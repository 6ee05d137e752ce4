import type { ReportData } from './report-data.ts';

/**
 * One row per study in worklist order (scored, then check input, errors, pending): rank, group,
 * outcome, each finding's probability (model label order), identifiers, model, error. Then one row
 * per other file of the job, without a rank: status `copy` (the image of study_id, held by another
 * file too; with this copy's error if it failed) or `skipped` (the reason in error_message), so
 * every input file is in the CSV. RFC 4180 quoting; text that a spreadsheet would run as a
 * formula (= + - @ at the start) is prefixed with ' so a hostile patient ID cannot execute.
 */
export function renderCsv(data: ReportData): string {
  const labels = data.model.labels;
  const header = [
    'rank',
    'worklist_group',
    'study_id',
    'status',
    'triage_score',
    'rank_score',
    'flagged',
    ...labels.map((l) => `p_${l}`),
    'input_suspect',
    'file',
    'copies',
    'format',
    'patient_id',
    'study_instance_uid',
    'series_instance_uid',
    'sop_instance_uid',
    'study_date',
    'modality',
    'view_position',
    'model_id',
    'model_version',
    'weights_sha256',
    'error_code',
    'error_message',
  ];
  const lines = [header.join(',')];
  for (const r of data.rows) {
    lines.push(
      [
        String(r.rank),
        r.group,
        String(r.studyId),
        r.status,
        num(r.triageScore),
        num(r.rankScore),
        text(r.flagged.join(';')),
        ...labels.map((l) => num(r.probabilities?.[l] ?? null)),
        r.status === 'ok' ? String(r.inputSuspect) : '',
        text(r.file),
        String(r.copies),
        r.format,
        text(r.patientId),
        text(r.studyInstanceUid),
        text(r.seriesInstanceUid),
        text(r.sopInstanceUid),
        text(r.studyDate),
        text(r.modality),
        text(r.viewPosition),
        text(data.model.id),
        text(data.model.version),
        data.model.sha256,
        r.error?.code ?? '',
        text(r.error?.message ?? null),
      ].join(','),
    );
  }
  for (const f of data.otherFiles) {
    const cells = new Map<string, string>([
      ['status', f.disposition],
      ['study_id', f.studyId === null ? '' : String(f.studyId)],
      ['file', text(f.path)],
      ['model_id', text(data.model.id)],
      ['model_version', text(data.model.version)],
      ['weights_sha256', data.model.sha256],
      ['error_code', f.error?.code ?? ''],
      ['error_message', text(f.error?.message ?? f.note)],
    ]);
    lines.push(header.map((name) => cells.get(name) ?? '').join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function num(value: number | null): string {
  return value === null ? '' : value.toFixed(6);
}

function text(value: string | null): string {
  if (value === null || value === '') return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
