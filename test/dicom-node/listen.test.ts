import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { projectRoot, shared } from '../helpers/shared.ts';
import { type ListenEvent, ListenProcess } from './listen-process.ts';
import { eventually, Orthanc, dicomNodeSkip } from './orthanc.ts';
import { dciodvfy, echoscu, type GeneratedStudy, makeStudies, PRIVATE_SCHEME_WARNING, storescu, tool } from './tools.ts';

/**
 * `denseray listen` between dcmtk (the modality) and a real Orthanc (the PACS): studies pushed with
 * storescu are triaged and their SR and heatmap Secondary Captures arrive in Orthanc, checked by
 * dciodvfy, dsrdump and pydicom — never by DenseRay's own reader.
 */
const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
/** Codes PS3.16 uses that pydicom's concept tables do not list (SNOMED CT's procedure; TID 1500's UMLS container). */
const OUTSIDE_PYDICOM_TABLES = new Set(['SCT 399208008', 'UMLS C0034375']);

const missing = dicomNodeSkip('test/dicom-node/listen');

interface SrSummary {
  sopClassUid: string;
  studyInstanceUid: string;
  patientId: string;
  template: string[];
  verificationFlag: string;
  privateSchemes: string[];
  library: { valueType: string; value: string }[];
  evidence: string[];
  groups: { valueType: string; name?: string; value?: unknown; floating?: number | null }[][];
  evaluations: { valueType: string; name?: string; value?: unknown }[];
  coded: { scheme: string; value: string; meaning: string; standardMeaning: string | null }[];
}

describe.skipIf(missing !== undefined)('denseray listen: C-STORE in, SR and heatmaps back to Orthanc', () => {
  let orthanc: Orthanc;
  let listen: ListenProcess;
  let work: string;
  let films: GeneratedStudy[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'denseray-listen-'));
    orthanc = await Orthanc.start();
    films = await makeStudies(join(work, 'in'), 2, { prefix: 'LISTEN', offset: 3 });
    listen = await ListenProcess.start(['--allow', 'MODALITY', '--send-to', orthanc.peer], join(work, 'data'));
  }, 300_000);

  afterAll(async () => {
    const code = await listen?.stop();
    await orthanc?.remove();
    rmSync(work, { recursive: true, force: true });
    expect(code).toBe(0); // Ctrl-C is a clean stop
  }, 120_000);

  it('answers C-ECHO from an allowed calling AE title and rejects any other, and a wrong called AE title', async () => {
    expect((await echoscu(listen.port)).code).toBe(0);
    const intruder = await echoscu(listen.port, { aet: 'INTRUDER' });
    expect(intruder.code).not.toBe(0);
    expect(intruder.stderr).toMatch(/Calling AE Title Not Recognized/i);
    const misdirected = await echoscu(listen.port, { called: 'SOMEONEELSE' });
    expect(misdirected.code).not.toBe(0);
    expect(misdirected.stderr).toMatch(/Called AE Title Not Recognized/i);
  });

  it('triages pushed films: the SR (TID 1500) and one heatmap per flagged finding arrive in the same study, valid and referencing the source', async () => {
    const corpusDx = shared('dicom', 'cxr_dx_mono2_12in16_rescale_voi_explicit_le.dcm');
    const push = await storescu(listen.port, [...films.map((f) => f.path), corpusDx]);
    expect(push.code, push.stderr).toBe(0);

    const corpusSop = (await tool('dcmdump', ['+P', '0008,0018', corpusDx])).stdout.match(/\[([0-9.]+)\]/)![1]!;
    const sources = [...films.map((f) => ({ sop: f.sop, path: f.path })), { sop: corpusSop, path: corpusDx }];
    for (const source of sources) {
      const triaged = await listen.waitFor((e) => e.event === 'triaged' && e.sopInstanceUid === source.sop, `triage of ${source.sop}`);
      expect(triaged.state).toBe('triaged');
      const probabilities = triaged.probabilities as Record<string, number>;
      const flagged = triaged.flagged as string[];
      const study = (await tool('dcmdump', ['+P', '0020,000d', source.path])).stdout.match(/\[([0-9.]+)\]/)![1]!;

      // The SR arrives in Orthanc, in the source's study.
      const [srId] = await eventually(async () => {
        const ids = await orthanc.find({ StudyInstanceUID: study, SOPClassUID: COMPREHENSIVE_SR });
        return ids.length > 0 ? ids : undefined;
      }, `the SR of ${source.sop} in Orthanc`);
      const srFile = join(work, `${source.sop}.sr.dcm`);
      await orthanc.download(srId!, srFile);

      const verdict = await dciodvfy(srFile);
      expect(verdict.errors, verdict.output).toEqual([]);
      expect(
        verdict.warnings.filter((w) => !PRIVATE_SCHEME_WARNING.test(w)),
        verdict.output,
      ).toEqual([]);

      const dump = await tool('dsrdump', ['+Pl', srFile]);
      expect(dump.code, dump.stderr).toBe(0);
      expect(dump.stdout).toMatch(/Imaging Measurement Report/);
      expect(dump.stdout).toMatch(/Model output probability/);
      expect(dump.stdout).toMatch(/not a medical device/);

      const sr = JSON.parse(
        (await tool('/usr/bin/python3', [join(projectRoot, 'test', 'dicom-node', 'inspect_sr.py'), srFile])).stdout,
      ) as SrSummary;
      expect(sr.sopClassUid).toBe(COMPREHENSIVE_SR);
      expect(sr.studyInstanceUid).toBe(study);
      expect(sr.template).toEqual(['1500']);
      expect(sr.verificationFlag).toBe('UNVERIFIED');
      expect(sr.privateSchemes).toEqual(['99DENSERAY']);
      expect(sr.library.map((i) => i.value)).toEqual([source.sop]);
      expect(sr.evidence).toEqual([source.sop]);
      // Every standard code means what PS3.16 says it means.
      for (const c of sr.coded) {
        if (c.scheme === '99DENSERAY' || c.scheme === 'RFC5646' || OUTSIDE_PYDICOM_TABLES.has(`${c.scheme} ${c.value}`)) continue;
        expect(c.standardMeaning, `${c.scheme} ${c.value} "${c.meaning}"`).toBe(c.meaning);
      }
      // One measurement group per finding: its probability (exact as FloatingPointValue), threshold and flag.
      const findingGroups = sr.groups.filter((g) => g.some((i) => i.name === 'Finding'));
      expect(findingGroups).toHaveLength(Object.keys(probabilities).length);
      for (const group of findingGroups) {
        const tracking = group.find((i) => i.name === 'Tracking Identifier')!.value as string;
        const label = tracking.replace(/^DenseRay /, '');
        const probability = group.find((i) => i.name === 'Model output probability')!;
        expect(probability.floating).toBe(probabilities[label]);
        expect(Math.abs((probability.value as number) - probabilities[label]!)).toBeLessThan(1e-9);
        const threshold = group.find((i) => i.name === 'Threshold Value')!.value as number;
        const flag = (group.find((i) => i.name === 'At or above operating threshold')!.value as { meaning: string }).meaning;
        expect(flag).toBe(flagged.includes(label) ? 'Yes' : 'No');
        expect(probabilities[label]! >= threshold).toBe(flagged.includes(label));
        expect(group.find((i) => i.name === 'Source of Measurement')!.value).toBe(source.sop);
        const parameters = group.filter((i) => i.name === 'Algorithm Parameters').map((i) => i.value as string);
        expect(parameters.some((p) => /^weights sha256 [0-9a-f]{64}$/.test(p))).toBe(true);
      }
      // How the model ran, once, in the summary group.
      const summary = sr.groups.find((g) => g.some((i) => i.name === 'Triage score'))!;
      const how = summary.filter((i) => i.name === 'Algorithm Parameters').map((i) => i.value as string);
      // …as the listener said it loaded the model (an int8 variant must say int8, not a fixed fp32).
      const loaded = (await listen.waitFor((e) => e.event === 'model', 'the model event')).model as {
        precision: string;
        backendDetail: string;
      };
      expect(how).toContain(`precision ${loaded.precision}`);
      expect(how).toContain(`backend ${loaded.backendDetail}`);
      const verdictItem = sr.evaluations.find((i) => i.name === 'Input resembles a frontal chest radiograph');
      expect(verdictItem?.value).toMatchObject({ meaning: 'Yes' });

      // One Secondary Capture per flagged finding, in a new series of the same study.
      const scIds = await eventually(async () => {
        const ids = await orthanc.find({ StudyInstanceUID: study, SOPClassUID: SECONDARY_CAPTURE });
        return ids.length >= flagged.length ? ids : undefined;
      }, `the ${flagged.length} heatmaps of ${source.sop}`);
      expect(scIds).toHaveLength(flagged.length);
      if (scIds.length > 0) {
        const scFile = join(work, `${source.sop}.sc.dcm`);
        await orthanc.download(scIds[0]!, scFile);
        const sc = await dciodvfy(scFile);
        expect(sc.errors, sc.output).toEqual([]);
        expect(sc.warnings, sc.output).toEqual([]);
        const tags = await orthanc.get<Record<string, unknown>>(`/instances/${scIds[0]}/tags?simplify`);
        expect(tags.ImageType).toBe('DERIVED\\SECONDARY');
        expect(tags.BurnedInAnnotation).toBe('YES');
        expect(tags.SeriesInstanceUID).not.toBe(
          (await tool('dcmdump', ['+P', '0020,000e', source.path])).stdout.match(/\[([0-9.]+)\]/)![1],
        );
        expect((tags.SourceImageSequence as { ReferencedSOPInstanceUID: string }[])[0]!.ReferencedSOPInstanceUID).toBe(source.sop);
      }
    }
  });

  it('stores a CT without scoring it or sending anything, and a film sent twice is processed once', async () => {
    const ct = shared('dicom', 'ct_small_mono2_16s_explicit_le.dcm');
    const ctSop = (await tool('dcmdump', ['+P', '0008,0018', ct])).stdout.match(/\[([0-9.]+)\]/)![1]!;
    const before = listen.events.length;
    const push = await storescu(listen.port, [ct, films[0]!.path]);
    expect(push.code, push.stderr).toBe(0);
    const refused = await listen.waitFor((e) => e.event === 'triaged' && e.sopInstanceUid === ctSop, 'the CT', 120_000, before);
    expect([refused.state, refused.code]).toEqual(['refused', 'MODALITY_NOT_SUPPORTED']);
    const again = await listen.waitFor((e) => e.event === 'received' && e.sopInstanceUid === films[0]!.sop, 'the repeat', 120_000, before);
    expect(again.outcome).toBe('duplicate');

    const ctStudy = (await tool('dcmdump', ['+P', '0020,000d', ct])).stdout.match(/\[([0-9.]+)\]/)![1]!;
    expect(await orthanc.find({ StudyInstanceUID: ctStudy, SOPClassUID: COMPREHENSIVE_SR })).toEqual([]);
    expect(await orthanc.find({ StudyInstanceUID: films[0]!.study, SOPClassUID: COMPREHENSIVE_SR })).toHaveLength(1);
    expect(listen.events.filter((e: ListenEvent) => e.event === 'triaged' && e.sopInstanceUid === films[0]!.sop)).toHaveLength(1);

    // The log, as `denseray jobs transfers` shows it: who, what, when, outcome.
    const log = await runCli(['jobs', 'transfers', '--json', '--data-dir', join(work, 'data')]);
    expect(log.code, log.stderr).toBe(0);
    const { transfers, counts } = JSON.parse(log.stdout) as {
      transfers: { direction: string; peer: string; what: string; sopInstanceUid: string | null; outcome: string; code: string | null }[];
      counts: Record<string, number>;
    };
    expect(transfers.some((t) => t.direction === 'association' && t.outcome === 'refused' && t.peer.startsWith('INTRUDER@'))).toBe(true);
    expect(
      transfers
        .filter((t) => t.direction === 'receive' && t.sopInstanceUid === films[0]!.sop)
        .map((t) => t.outcome)
        .sort(),
    ).toEqual(['duplicate', 'ok']);
    const sent = transfers.filter((t) => t.direction === 'send' && t.outcome === 'ok');
    expect(new Set(sent.map((t) => t.sopInstanceUid)).size).toBe(sent.length); // nothing sent twice
    expect(counts.refused).toBe(1);
    expect(counts.duplicates).toBe(1);
    expect(counts.pending).toBe(0);
  });
});
