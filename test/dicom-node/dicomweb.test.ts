import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../app/common/contract/api.ts';
import { type Backend, createBackend } from '../../app/node/services/backend.ts';
import { runCli } from '../helpers/run-cli.ts';
import { shared } from '../helpers/shared.ts';
import { eventually, Orthanc, dicomNodeSkip } from './orthanc.ts';
import { dciodvfy, type GeneratedStudy, makeStudies, PRIVATE_SCHEME_WARNING, storescu } from './tools.ts';

/**
 * The DICOMweb pull against Orthanc's DICOMweb, through both doors a user has (`denseray pacs` and
 * the app's pacs.* API): QIDO-RS finds what Orthanc's own REST API says it holds, WADO-RS retrieves
 * each image once, and only with send-back do the SR and heatmaps come back by STOW-RS — once,
 * however often it runs.
 */
const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';
const missing = dicomNodeSkip('test/dicom-node/dicomweb');

interface TriageJson {
  ok: boolean;
  studies: number;
  instances: { sopInstanceUid: string; state: string; triageScore: number | null }[];
  sent: number;
  pending: number;
}

describe.skipIf(missing !== undefined)('denseray pacs: QIDO-RS, WADO-RS and STOW-RS against Orthanc', () => {
  let orthanc: Orthanc;
  let work: string;
  let dataDir: string;
  let films: GeneratedStudy[];
  let backend: Backend;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'denseray-pacs-'));
    dataDir = join(work, 'data');
    orthanc = await Orthanc.start();
    films = await makeStudies(join(work, 'in'), 2, { prefix: 'WEB', offset: 10 });
    const push = await storescu(orthanc.dicomPort, [...films.map((f) => f.path), shared('dicom', 'ct_small_mono2_16s_explicit_le.dcm')], {
      called: 'ORTHANC',
    });
    expect(push.code, push.stderr).toBe(0);
    backend = createBackend({ dataDir, emit: () => undefined });
  }, 300_000);

  afterAll(async () => {
    await backend?.close();
    await orthanc?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('search finds the CR/DX studies Orthanc holds (not the CT), and one patient through the app’s pacs.search', async () => {
    const all = await runCli(['pacs', 'search', '--url', orthanc.dicomWebRoot, '--json', '--data-dir', dataDir]);
    expect(all.code, all.stderr).toBe(0);
    const found = (JSON.parse(all.stdout) as { studies: { studyInstanceUid: string; patientId?: string }[] }).studies;
    // Orthanc's own REST API is the reference: its DX studies.
    const reference = await orthanc.post<string[]>('/tools/find', { Level: 'Study', Query: { ModalitiesInStudy: 'DX' } });
    const referenceUids = await Promise.all(
      reference.map(
        async (id) => (await orthanc.get<{ MainDicomTags: { StudyInstanceUID: string } }>(`/studies/${id}`)).MainDicomTags.StudyInstanceUID,
      ),
    );
    expect(found.map((s) => s.studyInstanceUid).sort()).toEqual(referenceUids.sort());
    expect(found.map((s) => s.studyInstanceUid).sort()).toEqual(films.map((f) => f.study).sort());

    // The app's door: the same search for one patient.
    const one = api['pacs.search'].response.parse(
      await backend.handlers['pacs.search']({ url: orthanc.dicomWebRoot, patientId: films[1]!.patientId }),
    );
    expect(one.map((s) => s.patientId)).toEqual([films[1]!.patientId]);
  });

  it('triage without send-back sends nothing (app); with --send-back (CLI) the SR and heatmaps are STOWed once, and a second run (app) retrieves and sends nothing again', async () => {
    const quiet = api['pacs.triage'].response.parse(
      await backend.handlers['pacs.triage']({ url: orthanc.dicomWebRoot, patientId: films[0]!.patientId, sendBack: false }),
    );
    expect(quiet.instances.map((i) => i.sopInstanceUid)).toEqual([films[0]!.sop]);
    expect([quiet.sent, quiet.pending]).toEqual([0, 0]);
    expect(await orthanc.find({ StudyInstanceUID: films[0]!.study, SOPClassUID: COMPREHENSIVE_SR })).toEqual([]);

    const sending = await runCli(['pacs', 'triage', '--url', orthanc.dicomWebRoot, '--send-back', '--json', '--data-dir', dataDir], {
      timeoutMs: 300_000,
    });
    expect(sending.code, sending.stderr).toBe(0);
    const result = JSON.parse(sending.stdout) as TriageJson;
    expect(result.instances.map((i) => i.sopInstanceUid).sort()).toEqual(films.map((f) => f.sop).sort());
    expect(result.pending).toBe(0);
    for (const film of films) {
      const [srId] = await eventually(async () => {
        const ids = await orthanc.find({ StudyInstanceUID: film.study, SOPClassUID: COMPREHENSIVE_SR });
        return ids.length === 1 ? ids : undefined;
      }, `the STOWed SR of ${film.sop}`);
      const file = join(work, `${film.sop}.sr.dcm`);
      await orthanc.download(srId!, file);
      const verdict = await dciodvfy(file);
      expect(verdict.errors, verdict.output).toEqual([]);
      expect(verdict.warnings.filter((w) => !PRIVATE_SCHEME_WARNING.test(w))).toEqual([]);
      const tags = await orthanc.get<{
        CurrentRequestedProcedureEvidenceSequence: {
          ReferencedSeriesSequence: { ReferencedSOPSequence: { ReferencedSOPInstanceUID: string }[] }[];
        }[];
      }>(`/instances/${srId}/tags?simplify`);
      expect(
        tags.CurrentRequestedProcedureEvidenceSequence[0]!.ReferencedSeriesSequence[0]!.ReferencedSOPSequence[0]!.ReferencedSOPInstanceUID,
      ).toBe(film.sop);
    }
    const instancesAfterFirst = (await orthanc.get<{ CountInstances: number }>('/statistics')).CountInstances;

    const again = api['pacs.triage'].response.parse(await backend.handlers['pacs.triage']({ url: orthanc.dicomWebRoot, sendBack: true }));
    expect(again.instances.map((i) => i.state)).toEqual(['triaged', 'triaged']);
    expect((await orthanc.get<{ CountInstances: number }>('/statistics')).CountInstances).toBe(instancesAfterFirst);
    const log = JSON.parse((await runCli(['jobs', 'transfers', '--json', '--limit', '1000', '--data-dir', dataDir])).stdout) as {
      transfers: { direction: string; sopInstanceUid: string; outcome: string }[];
    };
    const retrieved = log.transfers.filter((t) => t.direction === 'retrieve' && t.outcome === 'ok');
    expect(retrieved.map((t) => t.sopInstanceUid).sort()).toEqual(films.map((f) => f.sop).sort());
    const sent = log.transfers.filter((t) => t.direction === 'send' && t.outcome === 'ok');
    expect(new Set(sent.map((t) => t.sopInstanceUid)).size).toBe(sent.length);
  });
});
