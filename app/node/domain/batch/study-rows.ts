import { z } from 'zod';
import type { RankRule, StudyRow } from '../../../common/contract/batch.ts';
import { ErrorCode } from '../../../common/errors.ts';
import { parseJsonColumn, type ReportRow } from '../store/rows.ts';
import type { StudyStore } from '../store/study-store.ts';
import { rankRows } from './ranking.ts';

const Probabilities = z.record(z.string(), z.number());
const Flagged = z.array(z.string());

/** A report row plus the stored result it came from (for thumbnails and CAMs). */
export type RankedStudy = StudyRow & { resultId: number | null };

/** The job's studies in worklist order, read from the store (no model needed). */
export function rankedStudies(store: StudyStore, jobId: number, rule: RankRule = 'triage'): RankedStudy[] {
  const job = store.jobs.get(jobId);
  return rankRows(store.reports.rows(jobId, job.model_key).map(toStudy), rule);
}

function toStudy(row: ReportRow): Omit<RankedStudy, 'rank' | 'rankScore' | 'group'> {
  const status = row.ok === null ? 'pending' : row.ok === 1 ? 'ok' : 'error';
  const code = ErrorCode.safeParse(row.error_code);
  return {
    studyId: row.study_id,
    resultId: row.result_id,
    file: row.result_path ?? row.first_path ?? '',
    copies: row.copies,
    format: row.format,
    patientId: row.patient_id,
    studyInstanceUid: row.study_instance_uid,
    seriesInstanceUid: row.series_instance_uid,
    sopInstanceUid: row.sop_instance_uid,
    studyDate: row.study_date,
    modality: row.modality,
    viewPosition: row.view_position,
    status,
    triageScore: row.triage_score,
    probabilities: row.probabilities_json === null ? null : parseJsonColumn(Probabilities, row.probabilities_json, 'probabilities'),
    flagged: row.flagged_json === null ? [] : parseJsonColumn(Flagged, row.flagged_json, 'flagged findings'),
    inputSuspect: row.guard_suspect === 1,
    inputSuspectReason: row.guard_reason,
    error: status === 'error' ? { code: code.success ? code.data : 'INTERNAL', message: row.error_message ?? '' } : null,
  };
}
