// Issue 14: the worklist reads what a batch job already stored for the same image and model instead
// of scoring it again, and says so (job, model id, weights sha256); a patient's earlier studies are
// found among opened studies and in the store. Through the API handler table the app and browser
// mode use, after a `denseray batch` run as a user would start it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PriorsResponse, StudyResult, StudySummary } from '../../app/common/contract/studies.ts';
import { type Backend, createBackend } from '../../app/node/services/backend.ts';
import { writeChestDicom } from '../helpers/chest-dicom.ts';
import { runCli } from '../helpers/run-cli.ts';
import { shared } from '../helpers/shared.ts';

const work = mkdtempSync(join(tmpdir(), 'denseray-stored-'));
const dataDir = join(work, 'data');
const batchFolder = join(work, 'batch');
const laterFolder = join(work, 'later');
const png = (name: string): string => shared('cxr', 'images256', name);

interface BatchStudy {
  file: string;
  probabilities: Record<string, number> | null;
  triageScore: number | null;
}

let backend: Backend;
let report: { job: { id: number }; model: { id: string; sha256: string }; studies: BatchStudy[] };

beforeAll(async () => {
  mkdirSync(batchFolder, { recursive: true });
  mkdirSync(laterFolder, { recursive: true });
  copyFileSync(png('00000075_000.png'), join(batchFolder, 'a.png'));
  copyFileSync(png('00000100_000.png'), join(batchFolder, 'b.png'));
  // One patient over three visits: two in the batch folder, the newest opened later on its own.
  const patient = { patientId: 'PRIOR-1', patientName: 'TEST^PRIOR' };
  writeChestDicom(join(batchFolder, 'visit-2019.dcm'), {
    ...patient,
    png: png('00000282_000.png'),
    studyDate: '20190301',
    sopInstanceUid: '2.25.1901',
  });
  writeChestDicom(join(batchFolder, 'visit-2021.dcm'), {
    ...patient,
    png: png('00000284_000.png'),
    studyDate: '20210615',
    sopInstanceUid: '2.25.2106',
  });
  writeChestDicom(join(laterFolder, 'visit-2024.dcm'), {
    ...patient,
    png: png('00000574_000.png'),
    studyDate: '20240110',
    sopInstanceUid: '2.25.2401',
  });
  writeChestDicom(join(laterFolder, 'visit-2025.dcm'), {
    ...patient,
    png: png('00000801_000.png'),
    studyDate: '20250110',
    sopInstanceUid: '2.25.2501',
  });
  writeChestDicom(join(laterFolder, 'other-patient.dcm'), {
    patientId: 'OTHER-2',
    patientName: 'TEST^OTHER',
    png: png('00000075_000.png'),
    studyDate: '20180101',
    sopInstanceUid: '2.25.1801',
  });
  const out = join(work, 'report.json');
  const run = await runCli(['batch', batchFolder, '--out', out, '--data-dir', dataDir], { timeoutMs: 280_000 });
  expect(run.code, run.stderr).toBe(0);
  report = JSON.parse(readFileSync(out, 'utf8')) as typeof report;
  backend = createBackend({ dataDir, emit: () => undefined });
}, 300_000);

afterAll(async () => {
  await backend?.close();
  rmSync(work, { recursive: true, force: true });
});

const okResult = (r: StudyResult | undefined): Extract<StudyResult, { ok: true }> => {
  if (!r?.ok) throw new Error(`expected a result, got ${JSON.stringify(r)}`);
  return r;
};

describe('the worklist and stored batch results', () => {
  it('reads a batch job’s results for the same images and model, with their provenance', async () => {
    const { handlers } = backend;
    const opened = await handlers['studies.open']({ paths: [batchFolder] });
    expect(opened.failures).toEqual([]);
    const ids = opened.studies.map((s) => s.id);
    const stored = await handlers['studies.classify']({ ids });
    expect(stored.model.id).toBe(report.model.id);
    for (const [i, summary] of opened.studies.entries()) {
      const result = okResult(stored.results[i]);
      const row = report.studies.find((s) => s.file.endsWith(summary.name))!;
      // The batch report is the reference: the same numbers, from the store, with who made them.
      expect(result.stored).toMatchObject({ jobId: report.job.id, modelId: report.model.id, weightsSha256: report.model.sha256 });
      expect(result.prediction.probabilities).toEqual(row.probabilities);
      expect(result.prediction.triageScore).toBe(row.triageScore);
      expect(result.heatmaps?.minmax.length).toBeGreaterThan(0);
    }

    // Scoring again on request gives the same answer (the store holds CAMs as float16).
    const fresh = await handlers['studies.classify']({ ids, useStored: false });
    for (const [i, r] of fresh.results.entries()) {
      const live = okResult(r);
      const kept = okResult(stored.results[i]);
      expect(live.stored).toBeUndefined();
      for (const [label, p] of Object.entries(live.prediction.probabilities))
        expect(kept.prediction.probabilities[label]).toBeCloseTo(p, 5);
      const a = live.heatmaps!.minmax;
      const b = kept.heatmaps!.minmax;
      let worst = 0;
      for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
      expect(worst).toBeLessThan(2e-2); // float16 CAMs, normalised to [0,1]
      expect(kept.prediction.geometry).toEqual(live.prediction.geometry);
    }
    // The exported heatmap of a stored result is drawn from the store (no need to score again).
    const flagged = okResult(stored.results[0]).prediction.flagged[0];
    if (flagged) expect((await handlers['studies.heatmapPng']({ id: ids[0]!, label: flagged })).png.length).toBeGreaterThan(1000);
  });

  it('finds a patient’s earlier studies, opened or only in the store, most recent first', async () => {
    const { handlers } = backend;
    const later = await handlers['studies.open']({ paths: [laterFolder] });
    const byName = (name: string): StudySummary => later.studies.find((s) => s.name === name)!;
    const current = byName('visit-2025.dcm');
    const priors: PriorsResponse = await handlers['studies.priors']({ id: current.id });
    expect(priors.priors.map((p) => [p.summary.name, p.summary.studyDate])).toEqual([
      ['visit-2024.dcm', '20240110'],
      ['visit-2021.dcm', '20210615'],
      ['visit-2019.dcm', '20190301'],
    ]);
    // The batch folder was opened in the first test, so its studies are "opened"; the 2024 visit too.
    expect(priors.priors.every((p) => p.summary.patientId === 'PRIOR-1')).toBe(true);
    const earliest = await handlers['studies.priors']({ id: priors.priors.at(-1)!.summary.id });
    expect(earliest.priors).toEqual([]);
  });

  it('opens priors from the store that nobody opened', async () => {
    const fresh = createBackend({ dataDir, emit: () => undefined });
    try {
      const opened = await fresh.handlers['studies.open']({ paths: [join(laterFolder, 'visit-2024.dcm')] });
      const priors = await fresh.handlers['studies.priors']({ id: opened.studies[0]!.id });
      expect(priors.priors.map((p) => [p.summary.name, p.source])).toEqual([
        ['visit-2021.dcm', 'store'],
        ['visit-2019.dcm', 'store'],
      ]);
      // An opened prior is a study like any other: pixels and its stored result are there.
      const prior = priors.priors[0]!.summary;
      expect((await fresh.handlers['studies.pixels']({ id: prior.id, frame: 0 })).width).toBe(prior.columns);
      const result = okResult((await fresh.handlers['studies.classify']({ ids: [prior.id] })).results[0]);
      expect(result.stored?.jobId).toBe(report.job.id);
    } finally {
      await fresh.close();
    }
  });
});
