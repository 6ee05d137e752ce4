import { describe, expect, it } from 'vitest';
import { DicomNodeRecords, type OutboxEntry } from '../../app/node/domain/store/dicom-node-records.ts';
import { StudyStore } from '../../app/node/domain/store/study-store.ts';

/**
 * The DICOM node's store rules, on a real SQLite store in memory: one record per SOP Instance UID,
 * a result committed with what carries it, the report claimed before its heatmaps, and the
 * recovery of heatmaps a crashed process never drew.
 */
function fixture() {
  const store = StudyStore.open(':memory:');
  const records = new DicomNodeRecords(store.db);
  const instance = (sop: string) => ({
    sopInstanceUid: sop,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
    studyInstanceUid: '1.2.3',
    seriesInstanceUid: '1.2.3.4',
    modality: 'DX',
    path: `/data/${sop}.dcm`,
    size: 10,
    sha256: 'ab'.repeat(32),
    origin: 'MOD@127.0.0.1',
  });
  const entry = (kind: 'sr' | 'sc', sop: string, source: string, state: 'pending' | 'preparing' = 'pending'): OutboxEntry => ({
    state,
    destination: 'dimse:PACS@127.0.0.1:104',
    kind,
    sopInstanceUid: sop,
    sopClassUid: kind === 'sr' ? '1.2.840.10008.5.1.4.1.1.88.33' : '1.2.840.10008.5.1.4.1.1.7',
    studyInstanceUid: '1.2.3',
    sourceSopInstanceUid: source,
    priority: kind === 'sr' ? 0 : 1,
    path: `/out/${sop}.dcm`,
  });
  const triaged = {
    state: 'triaged' as const,
    modelId: 'm',
    weightsSha256: 'cd'.repeat(32),
    probabilities: { Mass: 0.7 },
    flagged: ['Mass'],
    triageScore: 0.4,
    guard: { suspect: false, reason: null },
  };
  return { store, records, instance, entry, triaged };
}

describe('DICOM node records', () => {
  it('keeps one record per SOP Instance UID; the second copy is a logged duplicate', () => {
    const { records, instance } = fixture();
    const first = records.receive(instance('2.25.1'), { direction: 'receive', peer: 'MOD@1' });
    const second = records.receive({ ...instance('2.25.1'), path: '/elsewhere.dcm' }, { direction: 'receive', peer: 'MOD@2' });
    expect(first.kind).toBe('new');
    expect(second.kind).toBe('duplicate');
    expect(second.kind === 'duplicate' && second.first.path).toBe('/data/2.25.1.dcm');
    expect(records.counts()).toMatchObject({ received: 1, waiting: 1, duplicates: 1 });
    expect(records.transfers({ limit: 10 }).map((t) => t.outcome)).toEqual(['duplicate', 'ok']);
  });

  it('claims the report before its heatmaps, holds a lease, and sends nothing still preparing', () => {
    const { records, instance, entry, triaged } = fixture();
    const received = records.receive(instance('2.25.1'), { direction: 'receive', peer: 'MOD@1' });
    if (received.kind !== 'new') throw new Error('expected new');
    records.finishTriage(received.instance.id, triaged, [
      entry('sc', '2.25.11', '2.25.1'),
      entry('sc', '2.25.12', '2.25.1', 'preparing'),
      entry('sr', '2.25.10', '2.25.1'),
    ]);
    const claimed = records.claimDue(1, 10, 60_000);
    expect(claimed.map((e) => e.sop_instance_uid)).toEqual(['2.25.10', '2.25.11']);
    expect(records.claimDue(2, 10, 60_000)).toEqual([]); // leased to sender 1
    records.prepared(['2.25.12']);
    expect(records.claimDue(2, 10, 60_000).map((e) => e.sop_instance_uid)).toEqual(['2.25.12']);
    expect(records.counts()).toMatchObject({ triaged: 1, pending: 3, sent: 0 });
  });

  it('after a crash, heatmaps a dead process never drew are dropped and their image triaged again; a sent report stays sent', () => {
    const { store, records, instance, entry, triaged } = fixture();
    const received = records.receive(instance('2.25.1'), { direction: 'receive', peer: 'MOD@1' });
    if (received.kind !== 'new') throw new Error('expected new');
    records.finishTriage(received.instance.id, triaged, [entry('sr', '2.25.10', '2.25.1'), entry('sc', '2.25.11', '2.25.1', 'preparing')]);
    const [report] = records.claimDue(1, 1, 60_000);
    records.markSent(report!, 'PACS@127.0.0.1:104');
    // This process is alive: its own heatmaps are not taken from it.
    expect(records.recoverUnprepared()).toBe(0);
    // A process that died (no such pid) left them.
    store.db.prepare("UPDATE dicom_outbox SET lease_owner = 2147483646 WHERE state = 'preparing'").run();
    expect(records.recoverUnprepared()).toBe(1);
    expect(records.waitingForTriage().map((i) => i.sop_instance_uid)).toEqual(['2.25.1']);
    expect(records.outboxFor(['2.25.1']).map((e) => [e.kind, e.state])).toEqual([['sr', 'sent']]);
    // Triaged again: the report's entry is not duplicated (same UID), the heatmap comes back.
    records.finishTriage(received.instance.id, triaged, [entry('sr', '2.25.10', '2.25.1'), entry('sc', '2.25.11', '2.25.1', 'preparing')]);
    expect(records.outboxFor(['2.25.1']).map((e) => [e.kind, e.state])).toEqual([
      ['sr', 'sent'],
      ['sc', 'preparing'],
    ]);
  });
});
