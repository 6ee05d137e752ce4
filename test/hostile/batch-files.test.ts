import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageElements, writeTestDicom } from '../helpers/write-dicom.ts';
import { projectRoot } from '../helpers/shared.ts';
import { runCliInProcess, runCliMeasured, type MeasuredRun } from './run-measured.ts';

const work = mkdtempSync(join(tmpdir(), 'denseray-hostile-batch-'));
const input = join(work, 'in');
const dataDir = join(work, 'data');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A 64×64 DX film with a SOP Instance UID; `damaged` holds half its pixels (the header, UID included, stays readable). */
function film(damaged: boolean): Uint8Array {
  const pixels = new Uint8Array(64 * (damaged ? 32 : 64)).map((_, i) => (i * 7) & 0xff);
  return writeTestDicom([
    { group: 0x0008, element: 0x0018, vr: 'UI', value: '2.25.1313131313' },
    ...imageElements({ rows: 64, columns: 64, bitsAllocated: 8, bitsStored: 8, signed: false, pixels }),
  ]);
}

// Walk order is by name, and the first file of a study is read first: the damaged copy fails, then the good one is used.
const FILES = {
  corrupt: 'a-corrupt-copy.dcm',
  good: 'b-good.dcm',
  duplicate: 'c-identical-copy.dcm',
  empty: 'd-empty.dcm',
  notes: 'e-notes.txt',
  png: 'f-film.png',
};
const paths = Object.fromEntries(Object.entries(FILES).map(([k, v]) => [k, join(input, v)])) as Record<keyof typeof FILES, string>;
let batch: MeasuredRun;

beforeAll(async () => {
  mkdirSync(input, { recursive: true });
  writeFileSync(paths.corrupt, film(true));
  writeFileSync(paths.good, film(false));
  writeFileSync(paths.duplicate, film(false));
  writeFileSync(paths.empty, '');
  writeFileSync(paths.notes, 'not an image\n');
  copyFileSync(join(projectRoot, 'test', 'fixtures', 'samples', '00004077_000.png'), paths.png);
  const out = ['--out', join(work, 'r.csv'), '--out', join(work, 'r.json'), '--out', join(work, 'r.html')];
  batch = await runCliMeasured(['batch', input, '--backend', 'onnx', '--json', ...out], { dataDir, timeoutMs: 180_000 });
}, 200_000);

/** How often each input path is given as a file's own place (not merely referred to). */
function countPlaces(places: string[]): Record<string, number> {
  return Object.fromEntries(Object.values(paths).map((p) => [p, places.filter((x) => x === p).length]));
}
const once = Object.fromEntries(Object.values(paths).map((p) => [p, 1]));

describe('every input file ends in exactly one place a user can see', () => {
  it('the batch ran: two studies classified, the damaged copy did not fail the study', () => {
    expect(batch.code, batch.stderr).toBe(0);
    const job = (JSON.parse(batch.stdout) as { job: { counts: Record<string, number> } }).job;
    expect(job.counts).toMatchObject({ filesSeen: 6, filesSkipped: 2, duplicates: 2, studies: 2, finished: 2, failed: 0 });
  });

  it('CSV: a worklist row, a copy row (with the damaged copy’s own error) or a skipped row (with the reason)', () => {
    const [header, ...rows] = readFileSync(join(work, 'r.csv'), 'utf8').trim().split('\r\n');
    const columns = header!.split(',');
    const cell = (row: string, name: string): string => row.split(',')[columns.indexOf(name)]!;
    expect(countPlaces(rows.map((r) => cell(r, 'file')))).toEqual(once);
    const byFile = new Map(rows.map((r) => [cell(r, 'file'), r]));
    expect(cell(byFile.get(paths.corrupt)!, 'status')).toBe('copy');
    expect(cell(byFile.get(paths.corrupt)!, 'error_code')).toMatch(/^DICOM_/);
    expect(cell(byFile.get(paths.duplicate)!, 'status')).toBe('copy');
    expect(cell(byFile.get(paths.empty)!, 'status')).toBe('skipped');
    expect(byFile.get(paths.empty)).toContain('empty file');
    expect(byFile.get(paths.notes)).toContain('not DICOM, PNG or JPEG');
    expect(cell(byFile.get(paths.good)!, 'status')).toBe('ok');
  });

  it('JSON: studies[].file and otherFiles[].path', () => {
    const report = JSON.parse(readFileSync(join(work, 'r.json'), 'utf8')) as {
      studies: { file: string }[];
      otherFiles: { path: string; disposition: string; error: { code: string } | null }[];
    };
    expect(countPlaces([...report.studies.map((s) => s.file), ...report.otherFiles.map((f) => f.path)])).toEqual(once);
    expect(report.otherFiles.find((f) => f.path === paths.corrupt)?.error?.code).toMatch(/^DICOM_/);
  });

  it('HTML: the worklist table and the other-files table', () => {
    const html = readFileSync(join(work, 'r.html'), 'utf8');
    const places = [
      ...[...html.matchAll(/<td class="ids"><div>([^<(]+?)(?: \(\+\d+ copies\))?<\/div>/g)].map((m) => m[1]!),
      ...[...html.matchAll(/<tr data-disposition="\w+"><td>\w+<\/td><td class="ids">([^<]+)<\/td>/g)].map((m) => m[1]!),
    ];
    expect(countPlaces(places)).toEqual(once);
  });

  it('jobs show names the damaged copy with its error', async () => {
    const show = await runCliInProcess(['jobs', 'show', '1', '--data-dir', dataDir]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`${FILES.corrupt}: DICOM_[A-Z_]+`));
    expect(show.stdout).toContain(FILES.notes);
  });
});
