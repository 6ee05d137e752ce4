import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { implicitLabelledExplicit, metaOnly } from '../hostile/dicom-cases.ts';
import { ListenProcess } from './listen-process.ts';
import { eventually, Orthanc, dicomNodeSkip } from './orthanc.ts';
import { rawStore } from './raw-scu.ts';
import { echoscu, type GeneratedStudy, makeStudies, storescu } from './tools.ts';

/**
 * The listener under the faults a hospital network produces: a sender that drops the association
 * mid-dataset, a dataset encoded other than it claims, four modalities pushing at once, and the
 * PACS going down and coming back. Orthanc is the PACS, dcmtk and a bare PS3.8 client the senders.
 */
const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';
const DX = '1.2.840.10008.5.1.4.1.1.1.1';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

const missing = dicomNodeSkip('test/dicom-node/faults');

interface Transfer {
  direction: string;
  what: string;
  sopInstanceUid: string | null;
  outcome: string;
  code: string | null;
  message: string | null;
}

async function transfers(dataDir: string): Promise<{ transfers: Transfer[]; counts: Record<string, number> }> {
  const log = await runCli(['jobs', 'transfers', '--json', '--limit', '1000', '--data-dir', dataDir]);
  expect(log.code, log.stderr).toBe(0);
  return JSON.parse(log.stdout);
}

/** The dataset of a Part 10 file, as it travels on the wire (no File Meta group). */
function datasetOf(part10: Uint8Array): Uint8Array {
  const groupLength = Buffer.from(part10).readUInt32LE(140);
  return part10.subarray(144 + groupLength);
}

describe.skipIf(missing !== undefined)('denseray listen keeps running through faults and delivers every result once', () => {
  let orthanc: Orthanc;
  let listen: ListenProcess;
  let work: string;
  let dataDir: string;
  let films: GeneratedStudy[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'denseray-faults-'));
    dataDir = join(work, 'data');
    orthanc = await Orthanc.start();
    films = await makeStudies(join(work, 'in'), 24, { prefix: 'FAULT' });
    listen = await ListenProcess.start(
      ['--allow', 'MOD1,MOD2,MOD3,MOD4,RAW', '--send-to', orthanc.peer, '--retry-delay', '1', '--retry-max', '2'],
      dataDir,
    );
  }, 300_000);

  afterAll(async () => {
    await listen?.stop();
    await orthanc?.remove();
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('a sender that drops the association mid-dataset leaves nothing stored, and the listener keeps answering', async () => {
    const film = films[0]!;
    const dataset = datasetOf(readFileSync(film.path));
    const result = await rawStore({
      port: listen.port,
      calling: 'RAW',
      called: 'DENSERAY',
      sopClassUid: DX,
      sopInstanceUid: film.sop,
      transferSyntaxUid: EXPLICIT_LE,
      dataset,
      dropAfter: Math.floor(dataset.length / 2),
    });
    expect(result).toBe('dropped');
    const dropped = await listen.waitFor((e) => e.event === 'association' && e.outcome === 'dropped', 'the dropped association');
    expect(String(dropped.message)).toMatch(/partial instance was discarded/);
    expect((await echoscu(listen.port, { aet: 'MOD1' })).code).toBe(0);
    const log = await transfers(dataDir);
    expect(log.transfers.filter((t) => t.sopInstanceUid === film.sop)).toEqual([]);
    expect(log.counts.received).toBe(0);
  });

  it('a dataset encoded other than its presentation context says is kept, answered 0xC000 with its code, never triaged', async () => {
    const bytes = implicitLabelledExplicit();
    const sop = '2.25.424242424242424242';
    const answer = await rawStore({
      port: listen.port,
      calling: 'RAW',
      called: 'DENSERAY',
      sopClassUid: DX,
      sopInstanceUid: sop,
      transferSyntaxUid: EXPLICIT_LE,
      dataset: bytes.subarray(metaOnly(EXPLICIT_LE).length),
    });
    expect(answer).toMatchObject({ status: 0xc000 });
    expect(typeof answer === 'object' && answer.comment).toMatch(/^DICOM_MALFORMED: /);
    const log = await transfers(dataDir);
    expect(log.transfers.find((t) => t.direction === 'receive' && t.sopInstanceUid === sop)).toMatchObject({
      outcome: 'failed',
      code: 'DICOM_MALFORMED',
    });
    expect(log.counts.failed).toBe(1);
    expect((await echoscu(listen.port, { aet: 'MOD2' })).code).toBe(0);
  });

  it('20 studies from 4 concurrent associations are each stored, triaged and reported exactly once', async () => {
    const batch = films.slice(1, 21);
    const pushes = await Promise.all(
      [0, 1, 2, 3].map((k) =>
        storescu(
          listen.port,
          batch.slice(k * 5, k * 5 + 5).map((f) => f.path),
          { aet: `MOD${k + 1}` },
        ),
      ),
    );
    for (const push of pushes) expect(push.code, push.stderr).toBe(0);
    const sops = new Set(batch.map((f) => f.sop));
    const triaged = await listen.waitForCount((e) => e.event === 'triaged' && sops.has(String(e.sopInstanceUid)), 20, 'all 20 triaged');
    expect(new Set(triaged.map((e) => e.sopInstanceUid)).size).toBe(20);
    const reported = triaged.filter((e) => e.state === 'triaged');
    // Every triaged film's SR reaches Orthanc, once.
    for (const event of reported) {
      const film = batch.find((f) => f.sop === event.sopInstanceUid)!;
      await eventually(async () => {
        const ids = await orthanc.find({ StudyInstanceUID: film.study, SOPClassUID: COMPREHENSIVE_SR });
        return ids.length === 1 ? ids : undefined;
      }, `the SR of ${film.sop}`);
    }
    const log = await transfers(dataDir);
    const received = log.transfers.filter((t) => t.direction === 'receive' && t.outcome === 'ok' && sops.has(String(t.sopInstanceUid)));
    expect(received).toHaveLength(20);
    const sent = log.transfers.filter((t) => t.direction === 'send' && t.outcome === 'ok');
    expect(new Set(sent.map((t) => t.sopInstanceUid)).size).toBe(sent.length);
  });

  it('results made while the PACS is down wait (pending, retried with back-off) and are all delivered once when it is back', async () => {
    const late = films.slice(21, 24);
    await orthanc.stop();
    const from = listen.events.length;
    const push = await storescu(
      listen.port,
      late.map((f) => f.path),
      { aet: 'MOD3' },
    );
    expect(push.code, push.stderr).toBe(0);
    await listen.waitForCount(
      (e) => e.event === 'delivery' && e.result === 'retry' && late.some((f) => f.sop === e.sourceSopInstanceUid),
      3,
      'retries while the PACS is down',
    );
    const down = await transfers(dataDir);
    expect(down.counts.pending).toBeGreaterThan(0);
    expect(down.transfers.some((t) => t.direction === 'send' && t.outcome === 'retrying' && t.code === 'PEER_UNREACHABLE')).toBe(true);

    await orthanc.restart();
    const triaged = listen.events.slice(from).filter((e) => e.event === 'triaged' && e.state === 'triaged');
    for (const event of triaged) {
      const film = late.find((f) => f.sop === event.sopInstanceUid)!;
      await eventually(async () => {
        const ids = await orthanc.find({ StudyInstanceUID: film.study, SOPClassUID: COMPREHENSIVE_SR });
        return ids.length === 1 ? ids : undefined;
      }, `the SR of ${film.sop} after the PACS came back`);
    }
    const up = await eventually(async () => {
      const log = await transfers(dataDir);
      return log.counts.pending === 0 ? log : undefined;
    }, 'the outbox to empty');
    const sent = up.transfers.filter((t) => t.direction === 'send' && t.outcome === 'ok');
    expect(new Set(sent.map((t) => t.sopInstanceUid)).size).toBe(sent.length);
    expect(up.counts.sendFailed).toBe(0);
  });
});
