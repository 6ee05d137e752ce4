import { ErrorCode, type ErrorInfo } from '../../../../common/errors.ts';
import type { OtherFileRow } from '../../store/rows.ts';
import type { StudyStore } from '../../store/study-store.ts';

/**
 * A file of the job that no study row shows: a copy of an image another file holds (counted as a
 * duplicate; with its own error when this copy was read and failed) or a file that is no study at
 * all (skipped, with the reason). Reports list these after the worklist, so every input file is
 * somewhere a reader can find it.
 */
export interface OtherFile {
  path: string;
  disposition: 'copy' | 'skipped';
  /** For a copy: the study whose image it holds, and the file that study's row shows. */
  studyId: number | null;
  copyOf: string | null;
  /** A copy that was read and failed, or the code a skipped file was given. */
  error: Pick<ErrorInfo, 'code' | 'message'> | null;
  /** What a reader is told in one line. */
  note: string;
}

export function otherFiles(store: StudyStore, jobId: number, modelKey: number): OtherFile[] {
  return store.reports.otherFiles(jobId, modelKey).map(toOtherFile);
}

function toOtherFile(row: OtherFileRow): OtherFile {
  if (row.study_id === null) {
    const code = ErrorCode.safeParse(row.skip_code);
    const reason = row.skip_reason ?? 'skipped';
    return {
      path: row.path,
      disposition: 'skipped',
      studyId: null,
      copyOf: null,
      error: code.success ? { code: code.data, message: reason } : null,
      note: `skipped: ${reason}`,
    };
  }
  const code = ErrorCode.safeParse(row.attempt_code);
  const failed = row.attempt_code !== null;
  const of = row.shown_path ?? `study ${row.study_id}`;
  return {
    path: row.path,
    disposition: 'copy',
    studyId: row.study_id,
    copyOf: row.shown_path,
    error: failed ? { code: code.success ? code.data : 'INTERNAL', message: row.attempt_message ?? '' } : null,
    note: failed
      ? `copy of the image in ${of}; this copy failed (${row.attempt_code}: ${row.attempt_message ?? ''}), the study's row shows the outcome`
      : `copy of the image in ${of} (same SOP Instance UID or identical bytes); not classified twice`,
  };
}

/** Lines shown per kind by `jobs show`: the reports carry the full list. */
const SHOWN = 20;

/** A few readable lines: copies that failed, other copies, skipped files (each kind bounded). */
export function describeOtherFiles(files: OtherFile[]): string {
  const kinds: [string, OtherFile[]][] = [
    [
      'copies that failed to read (the study used another copy, or shows the last failure)',
      files.filter((f) => f.disposition === 'copy' && f.error),
    ],
    ['copies of an image another file holds (not classified twice)', files.filter((f) => f.disposition === 'copy' && !f.error)],
    ['skipped files', files.filter((f) => f.disposition === 'skipped')],
  ];
  const lines: string[] = [];
  for (const [title, list] of kinds) {
    if (list.length === 0) continue;
    lines.push(`  ${list.length} ${title}:`);
    for (const f of list.slice(0, SHOWN))
      lines.push(`    ${f.path}: ${f.disposition === 'copy' && f.error ? `${f.error.code}: ${f.error.message}` : f.note}`);
    if (list.length > SHOWN) lines.push(`    … ${list.length - SHOWN} more (all are in the CSV/JSON/HTML report)`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
