// Issue 12's triage honesty: a study whose input guard says "suspect" never outranks one it trusts,
// in the app's worklist order and in every batch report (CSV, JSON, HTML). The mixed set: an
// extremity CR (the guard reads BodyPartExamined), a 64-px PNG (too small to be a chest film),
// chest films the demo model flags, and clean ones.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { StudyRow } from '../../app/common/contract/batch.ts';
import type { ClassifyStudiesResponse, OpenStudiesResponse } from '../../app/common/contract/studies.ts';
import { type Backend, createBackend } from '../../app/node/services/backend.ts';
import { DEFAULT_SORT, orderWorklist, type WorklistEntry } from '../../renderer/worklist/worklist-model.ts';
import { parseCsv } from '../helpers/dicom-manifest.ts';
import { runCli } from '../helpers/run-cli.ts';
import { shared } from '../helpers/shared.ts';

const EXTREMITY = 'cr_mono1_10_j2k_lossless_rg3.dcm';
const TINY = 'tiny-64px.png';

function mixedFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'denseray-triage-'));
  mkdirSync(join(root, 'in'));
  symlinkSync(shared('dicom', EXTREMITY), join(root, 'in', EXTREMITY));
  for (const name of ['cxr_dx_mono2_12in16_implicit_le.dcm', 'cxr_dx_mono2_8bit_explicit_le.dcm'])
    symlinkSync(shared('dicom', name), join(root, 'in', name));
  for (const name of ['00000284_000.png', '00000574_000.png', '00000353_000.png', '00000404_000.png'])
    symlinkSync(shared('cxr', 'images256', name), join(root, 'in', name));
  const png = new PNG({ width: 64, height: 64, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.from(Array.from({ length: 64 * 64 }, (_, i) => (i * 37) % 256));
  writeFileSync(join(root, 'in', TINY), PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false }));
  return root;
}

/** Names in order, and the rule: every trusted score first (highest first), then the suspect inputs. */
function expectHonestOrder(order: { name: string; suspect: boolean; score: number }[], where: string): void {
  const firstSuspect = order.findIndex((s) => s.suspect);
  expect(firstSuspect, `${where}: no suspect study at all`).toBeGreaterThan(0);
  expect(
    order.slice(firstSuspect).every((s) => s.suspect),
    `${where}: a trusted study after a suspect one`,
  ).toBe(true);
  const scored = order.slice(0, firstSuspect).map((s) => s.score);
  expect(scored, `${where}: scored studies by score`).toEqual([...scored].sort((a, b) => b - a));
  expect(
    order
      .map((s) => s.name)
      .filter((n) => n === EXTREMITY || n === TINY)
      .sort(),
    where,
  ).toEqual([EXTREMITY, TINY].sort());
  expect(order.find((s) => s.name === EXTREMITY)!.suspect, `${where}: the extremity film`).toBe(true);
  expect(order.find((s) => s.name === TINY)!.suspect, `${where}: the 64-px image`).toBe(true);
}

const base = (path: string): string => path.split('/').pop()!;
let backend: Backend | undefined;
afterAll(() => backend?.close());

describe('suspect inputs never outrank trusted ones', () => {
  const root = mixedFolder();
  const dataDir = join(root, 'data');

  it('in the batch CSV, JSON and HTML reports', async () => {
    const out = ['report.csv', 'report.json', 'report.html'].map((f) => join(root, f));
    const run = await runCli(['batch', join(root, 'in'), '--json', ...out.flatMap((o) => ['--out', o])], { dataDir });
    expect(run.code, run.stderr).toBe(0);

    const json = JSON.parse(readFileSync(out[1]!, 'utf8')) as { studies: StudyRow[] };
    const rows = json.studies.map((s) => ({
      name: base(s.file),
      suspect: s.group === 'check-input',
      score: s.triageScore!,
      group: s.group,
    }));
    // The test means something only if a suspect study scored above a trusted one.
    const extremity = rows.find((r) => r.name === EXTREMITY)!;
    expect(
      rows.some((r) => !r.suspect && r.score < extremity.score),
      'the extremity film outscores a trusted study',
    ).toBe(true);
    expectHonestOrder(rows, 'JSON');

    const [header, ...lines] = parseCsv(readFileSync(out[0]!, 'utf8'));
    const col = (name: string): number => header!.indexOf(name);
    expectHonestOrder(
      lines
        .filter((l) => l[col('rank')] !== '')
        .map((l) => ({
          name: base(l[col('file')]!),
          suspect: l[col('worklist_group')] === 'check-input',
          score: Number(l[col('triage_score')]),
        })),
      'CSV',
    );

    const html = readFileSync(out[2]!, 'utf8');
    const htmlRows = [...html.matchAll(/<tr data-rank="(\d+)" data-study-id="\d+" data-status="\w+" data-group="([\w-]+)">/g)];
    expect(htmlRows.map((m) => Number(m[1]))).toEqual(rows.map((_, i) => i + 1));
    expect(htmlRows.map((m) => m[2])).toEqual(rows.map((r) => r.group));
    expect(html).toMatch(/<tr class="group" data-group="check-input">/);
  });

  it('in the app worklist', async () => {
    backend = createBackend({ dataDir, emit: () => undefined });
    const opened = (await backend.handlers['studies.open']({ paths: [join(root, 'in')] })) as OpenStudiesResponse;
    const classified = (await backend.handlers['studies.classify']({ ids: opened.studies.map((s) => s.id) })) as ClassifyStudiesResponse;
    const entries: WorklistEntry[] = opened.studies.map((summary) => ({
      summary,
      result: classified.results.find((r) => r.id === summary.id),
      model: classified.model,
      read: false,
    }));
    const order = orderWorklist(entries, { filter: '', flaggedOnly: false, unreadOnly: false, sort: DEFAULT_SORT }).map((e) => ({
      name: e.summary.name,
      suspect: e.result!.ok && e.result!.prediction.guard.suspect,
      score: e.result!.ok ? e.result!.prediction.triageScore : Number.NaN,
    }));
    expectHonestOrder(order, 'app worklist');
  });
});
