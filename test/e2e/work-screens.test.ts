// End to end for the app's long-running work screens, in browser mode (`denseray serve`, Debian's
// Chromium via playwright-core) against a temporary --data-dir: a batch job over a small folder
// (NIH PNGs plus a malformed DICOM) to its ranked table and report; the Fine-tune screen's dataset
// check on a tiny CSV; the Models screen's catalogue (licence, "unpinned") and a fetch against an
// unreachable address that must show its coded error. Nothing here touches the internet.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../helpers/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRendererIfNeeded } from './build-renderer.ts';
import { REPO_ROOT, startServe, type ServeProcess } from './serve-process.ts';

const SHARED = join(REPO_ROOT, '..', 'shared', 'data');
const IMAGES256 = join(SHARED, 'cxr', 'images256');
const SHOTS = join(REPO_ROOT, 'test-results', 'e2e');
const BATCH_PNGS = ['00000075_000.png', '00000100_000.png', '00000282_000.png', '00000284_000.png', '00000574_000.png', '00000801_000.png'];
const MALFORMED = 'pixel_data_short.dcm';
const haveInputs = existsSync(CHROMIUM) && existsSync(join(SHARED, 'dicom', MALFORMED)) && existsSync(IMAGES256);
// A developer without Chromium may skip; CI (which installs it) must not pass by skipping.
if (!haveInputs && process.env.CI) throw new Error(`work-screens e2e: Chromium or ../shared/data missing in CI`);
if (!haveInputs) console.warn(`work-screens e2e skipped: needs ${CHROMIUM} and ../shared/data (images256, dicom)`);

let serve: ServeProcess;
let work: string;
let datasetCsv: string;
let datasetImages: number;

/** A tiny 0/1-label CSV (image, patient id, Effusion) over shared images, plus one row whose file is missing. */
function writeDataset(dir: string): { csv: string; images: number } {
  mkdirSync(join(dir, 'img'), { recursive: true });
  const rows = readFileSync(join(SHARED, 'cxr', 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const pick = (want: (labels: string) => boolean): string[][] =>
    rows.filter((r) => want(r[1]!) && existsSync(join(IMAGES256, r[0]!))).slice(0, 8);
  const chosen = [...pick((l) => l.split('|').includes('Effusion')), ...pick((l) => l === 'No Finding')];
  const lines = ['image,patient_id,Effusion'];
  for (const r of chosen) {
    copyFileSync(join(IMAGES256, r[0]!), join(dir, 'img', r[0]!));
    lines.push(`img/${r[0]},${r[3]},${r[1]!.split('|').includes('Effusion') ? 1 : 0}`);
  }
  lines.push('img/not_here.png,999999,1');
  const csv = join(dir, 'labels.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  return { csv, images: chosen.length };
}

/** The shipped catalogue with every download address pointed at a closed loopback port. */
function unreachableCatalogue(dir: string): string {
  const shipped = join(REPO_ROOT, 'models', 'catalogue');
  const catalogue = JSON.parse(readFileSync(join(shipped, 'catalogue.json'), 'utf8')) as { models: { name: string; url: string }[] };
  for (const m of catalogue.models) m.url = `http://127.0.0.1:9/${m.name}.pth`;
  mkdirSync(dir, { recursive: true });
  cpSync(join(shipped, 'cards'), join(dir, 'cards'), { recursive: true });
  const file = join(dir, 'catalogue.json');
  writeFileSync(file, JSON.stringify(catalogue, null, 2));
  return file;
}

beforeAll(async () => {
  if (!haveInputs) return;
  buildRendererIfNeeded();
  work = mkdtempSync(join(tmpdir(), 'denseray-e2e-work-'));
  const batch = join(work, 'batch');
  mkdirSync(batch);
  for (const name of BATCH_PNGS) copyFileSync(join(IMAGES256, name), join(batch, name));
  copyFileSync(join(SHARED, 'dicom', MALFORMED), join(batch, 'zz_malformed.dcm'));
  const dataset = writeDataset(join(work, 'dataset'));
  datasetCsv = dataset.csv;
  datasetImages = dataset.images;
  serve = await startServe(join(work, 'data'), { DENSERAY_CATALOGUE: unreachableCatalogue(join(work, 'catalogue')) });
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const poll = { timeout: 60_000, interval: 250 };

describe.skipIf(!haveInputs)('work screens in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept());
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('runs a batch job (paused and resumed) to a ranked table and a report', async () => {
    await page.goto(serve.url);
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('open-jobs').click();
    await page.getByTestId('jobs-screen').waitFor();
    await page.getByTestId('job-roots').fill(join(work, 'batch'));
    await page.getByTestId('job-start').click();

    // Pause at once, then resume: the job carries on to the end. (A job pauses after the batch in
    // flight, and seven studies can be one batch, so it may also simply finish: both are right.)
    const details = page.getByTestId('job-details');
    await page.getByTestId('job-pause').click();
    await expect.poll(() => details.getAttribute('data-state'), poll).toMatch(/^(paused|done)$/);
    if ((await details.getAttribute('data-state')) === 'paused') await page.getByTestId('job-resume').click();
    await expect.poll(() => details.getAttribute('data-state'), poll).toBe('done');
    // Six PNGs scored, the malformed DICOM recorded with its code; the job goes on.
    await expect.poll(() => page.locator('[data-testid="job-row"][data-status="ok"]').count(), poll).toBe(BATCH_PNGS.length);
    const failed = page.locator('[data-testid="job-row"][data-status="error"]');
    await expect(failed.count()).resolves.toBe(1);
    await expect(failed.textContent()).resolves.toContain('DICOM_PIXEL_DATA_SHORT');
    await expect(page.getByTestId('job-count').textContent()).resolves.toMatch(/^7 \/ 7/);
    await expect(page.getByTestId('job-errors').textContent()).resolves.toBe('1');
    const scores = await page.$$eval('[data-testid="job-row"][data-status="ok"]', (rows) =>
      rows.map((r) => Number(r.getAttribute('data-score'))),
    );
    expect(scores).toEqual([...scores].sort((a, b) => b - a)); // ranked, most suspicious first
    await expect(page.getByTestId('job-item').first().textContent()).resolves.toContain('7/7 studies');

    const report = join(work, 'reports', 'job.html');
    await page.getByTestId('report-path').fill(report);
    await page.getByTestId('report-write').click();
    await page.getByTestId('report-written').waitFor();
    await expect(page.getByTestId('report-written').textContent()).resolves.toContain(report);
    expect(existsSync(report)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'batch-job-1440x900.png') });

    // A result opens in the viewer (the study joins the worklist).
    const jobRow = page.locator('[data-testid="job-row"]', { has: page.getByTestId('job-row-open') }).first();
    const jobScore = Number(await jobRow.getAttribute('data-score'));
    await jobRow.getByTestId('job-row-open').click();
    await page.getByTestId('viewport-current-canvas').waitFor();
    await expect(page.getByTestId('jobs-screen').count()).resolves.toBe(0);
    // The worklist reads what the job stored for this image and model instead of scoring it again, and says so.
    const provenance = page.getByTestId('provenance');
    await expect.poll(() => provenance.getAttribute('data-source'), poll).toBe('store');
    await expect(provenance.textContent()).resolves.toMatch(/^From batch job \d+ .*densenet121-untrained-demo · [0-9a-f]{8}/);
    expect(Number(await page.getByTestId('worklist-row').first().getAttribute('data-score'))).toBeCloseTo(jobScore, 6);
  });

  it('checks a fine-tune dataset, plots the LR range test, trains with live curves, compares and activates', async () => {
    await page.getByTestId('open-finetune').click();
    await page.getByTestId('finetune-screen').waitFor();
    await page.getByTestId('ft-csv').fill(datasetCsv);
    await page.getByTestId('ft-inspect').click();
    const summary = page.getByTestId('ft-summary');
    await summary.waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('ft-summary-images').textContent()).resolves.toBe(String(datasetImages));
    const sizes = await Promise.all(
      ['train', 'validation', 'test'].map(async (s) => Number(await page.getByTestId(`ft-split-${s}`).locator('td').nth(1).textContent())),
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(datasetImages);
    expect(sizes.every((n) => n > 0)).toBe(true);
    await expect(page.getByTestId('ft-split').textContent()).resolves.toContain('Effusion');
    await expect(page.getByTestId('ft-problems').textContent()).resolves.toContain('not_here.png');
    await page.screenshot({ path: join(SHOTS, 'finetune-inspect-1440x900.png') });

    // The learning-rate range test, plotted on a log axis with its suggestion.
    await page.getByTestId('ft-findlr').click();
    await page.getByTestId('lr-chart').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('lr-chart').locator('path').count()).toBeGreaterThan(0);
    await expect(page.getByTestId('lr-suggestion').textContent()).resolves.toMatch(/Suggested rate|never fell/);
    await page.screenshot({ path: join(SHOTS, 'finetune-lr-1440x900.png') });

    // A short head-mode run: live curves, the comparison with the parent, activation.
    await page.getByLabel('Epochs').fill('4');
    await page.getByLabel('Batch').fill('4');
    await page.getByTestId('ft-start').click();
    const training = page.getByTestId('ft-training');
    await expect.poll(() => training.getAttribute('data-state'), poll).toBe('finished');
    await page.getByTestId('ft-compare').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('loss-chart').locator('[data-series="train loss (epoch)"] circle').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('auroc-chart').locator('[data-series="validation mean AUROC"] circle').count()).toBeGreaterThan(0);
    await expect(page.getByTestId('ft-compare').textContent()).resolves.toContain('Mean AUROC');
    await page.getByTestId('ft-activate').click();
    await expect.poll(() => page.getByTestId('ft-activate').textContent(), poll).toBe('Active');
    await page.screenshot({ path: join(SHOTS, 'finetune-trained-1440x900.png') });
    await expect.poll(() => page.getByTestId('model-bar').textContent(), poll).toContain('fine-tuned'); // the model bar names the new model
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('finetune-screen').count()).resolves.toBe(0);
  });

  it('trains a new DenseNet-BC from scratch, says which engine trained it, and the new model draws heatmaps', async () => {
    await page.getByTestId('open-finetune').click();
    await page.getByTestId('finetune-screen').waitFor();
    await page.getByTestId('ft-csv').fill(datasetCsv);
    await page.getByTestId('ft-inspect').click();
    await page.getByTestId('ft-summary').waitFor({ timeout: 60_000 });
    await page.getByTestId('ft-scratch').check();
    await page.getByTestId('ft-scratch-depth').fill('10');
    await page.getByTestId('ft-scratch-growth').fill('4');
    await page.getByTestId('ft-scratch-size').selectOption('64');
    await page.getByLabel('Epochs').fill('2');
    await page.getByLabel('Batch').fill('4');
    await page.getByTestId('ft-start').click();
    const training = page.getByTestId('ft-training');
    await expect.poll(() => training.getAttribute('data-state'), poll).toBe('finished');
    await expect(page.getByTestId('ft-plan').textContent()).resolves.toMatch(
      /^Training on onnxruntime \(onnxruntime-node .*DenseRay backward graph\) · batch 4/,
    );
    await page.getByTestId('ft-activate').click();
    await expect.poll(() => page.getByTestId('ft-activate').textContent(), poll).toBe('Active');
    await page.screenshot({ path: join(SHOTS, 'finetune-from-scratch-1440x900.png') });
    await page.keyboard.press('Escape');

    // The new model classifies a study and draws its class-activation map.
    await page.getByTestId('open-folder').click();
    await page.getByTestId('open-path-input').fill(join(work, 'batch'));
    await page.getByTestId('open-path-submit').click();
    await expect.poll(() => page.locator('[data-testid="worklist-row"][data-score]').count(), poll).toBeGreaterThan(0);
    await page.locator('[data-testid="worklist-row"][data-score]').first().click();
    await page.keyboard.press('Enter');
    await page.getByTestId('viewport-current-canvas').waitFor();
    const top = page.getByTestId('findings').locator('[data-testid^="finding-"]').first();
    await top.waitFor();
    await expect(top.textContent()).resolves.toContain('Effusion');
    await top.click();
    if ((await top.getAttribute('data-above')) === 'no') await page.getByTestId('show-anyway').click();
    await page.getByTestId('heatmap-legend').waitFor();
    await page.screenshot({ path: join(SHOTS, 'from-scratch-heatmap-1440x900.png') });
  });

  it('lists the catalogue with licences and pin status, and a fetch that cannot connect shows its code', async () => {
    await page.getByTestId('open-models').click();
    await page.getByTestId('models-screen').waitFor();
    await page.getByTestId('tab-catalogue').click();
    const entries = page.getByTestId('catalogue-entry');
    await entries.first().waitFor();
    expect(await entries.count()).toBeGreaterThanOrEqual(9);
    await expect(
      page.locator('[data-testid="catalogue-entry"][data-name="densenet121-res224-all"] [data-testid="catalogue-licence"]').textContent(),
    ).resolves.toContain('Apache-2.0');
    await expect(
      page.locator('[data-testid="catalogue-entry"][data-name="chexnet-jrzech"] [data-testid="catalogue-licence"]').textContent(),
    ).resolves.toContain('BSD-3-Clause');
    const pins = await page.$$eval('[data-testid="catalogue-pin"]', (cells) => cells.map((c) => c.textContent));
    expect(pins.filter((t) => t?.includes('unpinned')).length).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'catalogue-1440x900.png') });

    const entry = page.locator('[data-testid="catalogue-entry"][data-name="chexnet-jrzech"]');
    await entry.getByTestId('catalogue-card-toggle').click();
    await expect(entry.getByTestId('catalogue-card').textContent()).resolves.toContain('Intended use');
    await entry.getByTestId('catalogue-fetch').click();
    const error = entry.getByTestId('error-text');
    await error.waitFor({ timeout: 30_000 });
    await expect(error.getAttribute('data-code')).resolves.toBe('NETWORK_OFFLINE');
    await expect(error.textContent()).resolves.toContain('No network connection');
    await entry.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'catalogue-fetch-error-1440x900.png') });
    await page.keyboard.press('Escape');

    expect(pageErrors).toEqual([]);
  });
});
