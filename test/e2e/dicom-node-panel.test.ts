// End to end for the DICOM node panel in browser mode (`denseray serve`, Debian's Chromium): start
// the listener from the panel, push a film with dcmtk's storescu, and watch it arrive in the
// worklist already scored while the panel counts it and lists the transfer. Screenshots in
// test-results/e2e/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../helpers/chromium.ts';
import { orthancMissing } from '../dicom-node/orthanc.ts';
import { type GeneratedStudy, makeStudies, storescu } from '../dicom-node/tools.ts';
import { buildRendererIfNeeded } from './build-renderer.ts';
import { REPO_ROOT, startServe, type ServeProcess } from './serve-process.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'e2e');
const skip = !existsSync(CHROMIUM) ? `Chromium missing (${CHROMIUM})` : orthancMissing();
// CI installs Chromium and the DICOM tools (.ci/run): it must not pass by skipping.
if (skip && process.env.CI) throw new Error(`dicom-node panel e2e: ${skip} in CI`);
if (skip) console.warn(`dicom-node panel e2e skipped: ${skip}`);

describe.skipIf(skip !== undefined)('the DICOM node panel in Chromium', () => {
  let serve: ServeProcess;
  let work: string;
  let films: GeneratedStudy[];
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    buildRendererIfNeeded();
    work = mkdtempSync(join(tmpdir(), 'denseray-e2e-node-'));
    films = await makeStudies(join(work, 'in'), 1, { prefix: 'PANEL', offset: 30 });
    serve = await startServe(join(work, 'data'));
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('starts the listener; a pushed film appears in the worklist scored, and the panel counts and logs it', async () => {
    const poll = { timeout: 120_000, interval: 250 };
    await page.goto(serve.url);
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('open-dicom-node').click();
    await page.getByTestId('dicom-node-screen').waitFor();
    await page.getByTestId('node-port').fill('0');
    await page.getByTestId('node-bind').fill('127.0.0.1');
    await page.getByTestId('node-allow').fill('MODALITY');
    await page.getByTestId('node-start').click();
    await expect.poll(() => page.getByTestId('node-state').textContent(), poll).toMatch(/listening on port \d+/);
    const port = Number((await page.getByTestId('node-state').textContent())!.match(/port (\d+)/)![1]);

    const push = await storescu(port, [films[0]!.path]);
    expect(push.code, push.stderr).toBe(0);
    await expect.poll(() => page.getByTestId('node-counts').textContent(), poll).toMatch(/triaged1/);
    await expect.poll(() => page.getByTestId('node-transfers').textContent(), poll).toMatch(/receive/);
    await page.screenshot({ path: join(SHOTS, 'dicom-node-panel-1440x900.png') });

    await page.getByTestId('node-stop').click();
    await expect.poll(() => page.getByTestId('node-state').textContent(), poll).toBe('stopped');
    await page.keyboard.press('Escape');
    // The study is in the worklist, already scored.
    await expect.poll(() => page.getByTestId('worklist-row').count(), poll).toBe(1);
    await expect.poll(() => page.getByTestId('worklist').textContent(), poll).toContain('TEST PANEL 000');
    await page.screenshot({ path: join(SHOTS, 'dicom-node-arrival-1440x900.png') });
    expect(pageErrors).toEqual([]);
  });
});
