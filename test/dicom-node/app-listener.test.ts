import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../app/common/contract/api.ts';
import { api } from '../../app/common/contract/api.ts';
import { DICOM_NODE_ARRIVAL_CHANNEL, DICOM_NODE_STATUS_CHANNEL, NodeArrivalEvent } from '../../app/common/contract/dicom-node.ts';
import { type Backend, createBackend } from '../../app/node/services/backend.ts';
import { runCli } from '../helpers/run-cli.ts';
import { eventually, dicomNodeSkip } from './orthanc.ts';
import { echoscu, type GeneratedStudy, makeStudies, storescu } from './tools.ts';

/**
 * The app's door to the DICOM node: the API handler table the desktop app and browser mode serve
 * (engine and reader processes as in the app). The panel starts the listener; a film pushed with
 * storescu appears as an arrival the worklist opens with its result, the same result `denseray
 * classify` gives for that file.
 */
const missing = dicomNodeSkip('test/dicom-node/app-listener');

describe.skipIf(missing !== undefined)('the app runs the listener from its settings', () => {
  let backend: Backend;
  let work: string;
  let dataDir: string;
  let films: GeneratedStudy[];
  const events: ApiEvent[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'denseray-app-node-'));
    dataDir = join(work, 'data');
    films = await makeStudies(join(work, 'in'), 1, { prefix: 'APP', offset: 20 });
    backend = createBackend({ dataDir, emit: (event) => events.push(event) });
  }, 120_000);

  afterAll(async () => {
    await backend?.close();
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('starts and stops from the panel; a pushed film arrives in the worklist with the result classify gives', async () => {
    const h = backend.handlers;
    expect(api['dicomNode.settings'].response.parse(await h['dicomNode.settings']({}))).toMatchObject({
      aeTitle: 'DENSERAY',
      port: 11112,
      sendTo: null,
    });
    const started = api['dicomNode.start'].response.parse(
      await h['dicomNode.start']({ aeTitle: 'DENSERAY', port: 0, host: '127.0.0.1', allow: ['MODALITY'] }),
    );
    expect(started.state).toBe('listening');
    const port = started.port!;
    expect((await echoscu(port)).code).toBe(0);
    // The settings are kept for the next start.
    expect(await h['dicomNode.settings']({})).toMatchObject({ allow: ['MODALITY'], host: '127.0.0.1' });

    const push = await storescu(port, [films[0]!.path]);
    expect(push.code, push.stderr).toBe(0);
    const announced = await eventually(() => events.find((e) => e.channel === DICOM_NODE_ARRIVAL_CHANNEL), 'the arrival event', 180_000);
    const arrivalEvent = NodeArrivalEvent.parse(announced.payload);
    expect(arrivalEvent.sopInstanceUid).toBe(films[0]!.sop);
    const arrival = api['dicomNode.arrival'].response.parse(await h['dicomNode.arrival']({ id: arrivalEvent.id }));
    expect(arrival.study.patientId).toBe(films[0]!.patientId);
    expect(arrival.result.ok).toBe(true);
    if (!arrival.result.ok) return;

    // The same file through the CLI door: the same probabilities.
    const cli = await runCli(['classify', films[0]!.path, '--json', '--data-dir', dataDir]);
    const reference = (JSON.parse(cli.stdout) as { results: { probabilities: Record<string, number> }[] }).results[0]!.probabilities;
    for (const [label, p] of Object.entries(reference)) expect(arrival.result.prediction.probabilities[label]).toBeCloseTo(p, 6);
    // The viewer can export its heatmaps as for any classified study.
    for (const label of arrival.result.prediction.flagged.slice(0, 1)) {
      const png = await h['studies.heatmapPng']({ id: arrivalEvent.id, label });
      expect(png.png.length).toBeGreaterThan(100);
    }

    await eventually(
      () =>
        events.find((e) => e.channel === DICOM_NODE_STATUS_CHANNEL && (e.payload as { counts: { triaged: number } }).counts.triaged === 1),
      'a status event counting the triage',
    );
    const stopped = api['dicomNode.stop'].response.parse(await h['dicomNode.stop']({}));
    expect(stopped.state).toBe('stopped');
    expect(stopped.counts).toMatchObject({ received: 1, triaged: 1, sent: 0, pending: 0 });
    expect((await echoscu(port)).code).not.toBe(0);
    const log = api['dicomNode.transfers'].response.parse(await h['dicomNode.transfers']({}));
    expect(log.transfers.some((t) => t.direction === 'receive' && t.sopInstanceUid === films[0]!.sop && t.outcome === 'ok')).toBe(true);
  });
});
