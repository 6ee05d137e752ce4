import type { StudyRow } from '../../common/contract/batch.ts';
import { fitText } from '../format.ts';

const GROUP_MARK: Readonly<Record<StudyRow['group'], string>> = {
  scored: '',
  'check-input': 'CHECK INPUT',
  error: 'ERROR',
  pending: 'pending',
};

/** One worklist row for the terminal: rank, score, file, and what was found or why it is not scored. */
export function worklistLine(r: StudyRow): string {
  const what =
    r.group === 'scored'
      ? r.flagged.join(', ') || '—'
      : r.group === 'check-input'
        ? `${GROUP_MARK[r.group]}: ${r.inputSuspectReason ?? 'unlike a frontal chest film'}`
        : r.group === 'error'
          ? `${GROUP_MARK[r.group]} ${r.error?.code}: ${r.error?.message}`
          : GROUP_MARK[r.group];
  const score = r.group === 'scored' && r.rankScore !== null ? r.rankScore.toFixed(3) : '—';
  return `${String(r.rank).padStart(5)}  ${score.padStart(6)}  ${fitText(r.file, 48)}  ${what}`;
}
