import type { NodeCounts, Transfer } from '../../../common/contract/dicom-node.ts';
import { DicomNodeRecords, type TransferRow } from '../../domain/store/dicom-node-records.ts';
import { StudyStore } from '../../domain/store/study-store.ts';

export function transferOf(row: TransferRow): Transfer {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    direction: row.direction,
    peer: row.peer,
    what: row.what,
    sopInstanceUid: row.sop_instance_uid,
    studyInstanceUid: row.study_instance_uid,
    outcome: row.outcome,
    code: row.code,
    message: row.message,
  };
}

/** The DICOM node's log of every send and receive (who, what, when, outcome), read from the study store. */
export function readTransfers(
  dataDir: string,
  options: { limit: number; offset?: number; verify?: boolean },
): { transfers: Transfer[]; counts: NodeCounts } {
  const store = StudyStore.open(dataDir, { verify: options.verify === true });
  try {
    const records = new DicomNodeRecords(store.db);
    return {
      transfers: records.transfers({ limit: options.limit, offset: options.offset ?? 0 }).map(transferOf),
      counts: records.counts(),
    };
  } finally {
    store.close();
  }
}

/** The log as a table, oldest of the page first. */
export function renderTransfers(transfers: Transfer[], counts: NodeCounts): string {
  const c = counts;
  const head =
    `DICOM node: ${c.received} instances stored (${c.triaged} triaged, ${c.refused} not assessed, ${c.failed} unreadable, ${c.waiting} waiting), ` +
    `${c.duplicates} duplicates, ${c.rejectedAssociations} associations rejected; results: ${c.sent} sent, ${c.pending} pending, ${c.sendFailed} refused by the peer\n`;
  if (transfers.length === 0) return `${head}no transfers yet (start one with denseray listen or denseray pacs triage)\n`;
  const lines = [...transfers].reverse().map((t) => {
    const what = t.sopInstanceUid ? `${t.what} ${t.sopInstanceUid}` : t.what;
    const why = [t.code, t.message].filter(Boolean).join(': ');
    return `${t.at.replace('T', ' ').slice(0, 19)}  ${t.direction.padEnd(11)}  ${t.outcome.padEnd(9)}  ${t.peer}  ${what}${why ? `  — ${why}` : ''}`;
  });
  return `${head}${lines.join('\n')}\n`;
}
