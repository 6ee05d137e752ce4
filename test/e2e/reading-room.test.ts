// Issue 14, the reading room, as a radiologist uses it: `denseray serve`, Debian's Chromium (headless,
// playwright-core), a folder written at test time (NIH films as PNG and DICOM, one patient's two
// visits with Pixel Spacing, a multi-frame film, a lateral film, a CT, a truncated file). Driven with
// the keyboard and the mouse at 1366×768, 1600×1000 and 1920×1080; screenshots in
// test-results/e2e/<screen>-<size>.png. References: pydicom for the spacing and the ROI statistics,
// the shared worklist rule for the order, the viewport's own pixels for what is drawn.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../helpers/chromium.ts';
import { buildRendererIfNeeded } from './build-renderer.ts';
import { CINE_FRAMES, SHARED, writeReadingRoom } from './reading-room-data.ts';
import { REPO_ROOT, type ServeProcess, startServe } from './serve-process.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'e2e');
const PYTHON = '/usr/bin/python3';
const SIZES = [
  [1366, 768],
  [1600, 1000],
  [1920, 1080],
] as const;
/** Scored: 3 PNGs, the MONOCHROME1 film, two visits, the cine film, the detector-calibrated film, the lateral. */
const SCORED = 9;
const haveInputs = existsSync(CHROMIUM) && existsSync(join(SHARED, 'dicom')) && existsSync(PYTHON);
if (!haveInputs && process.env.CI) throw new Error('reading-room e2e: Chromium, python3 or ../shared/data missing in CI');
if (!haveInputs) console.warn(`reading-room e2e skipped: needs ${CHROMIUM}, ${PYTHON} and ../shared/data`);

let serve: ServeProcess;
let work: string;
let folder: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!haveInputs) return;
  buildRendererIfNeeded();
  work = mkdtempSync(join(tmpdir(), 'denseray-e2e-room-'));
  folder = join(work, 'studies');
  writeReadingRoom(folder);
  mkdirSync(SHOTS, { recursive: true });
  [serve, browser] = await Promise.all([startServe(join(work, 'data')), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const shot = (screen: string, size = '1600x1000') => page.screenshot({ path: join(SHOTS, `${screen}-${size}.png`) });
const poll = <T>(f: () => Promise<T>) => expect.poll(f, { timeout: 90_000, interval: 200 });

/** Page code as strings: the page's CSP forbids the eval waitForFunction needs, and this file has no DOM types. */
async function pageValue<T>(code: string): Promise<T> {
  return (await page.evaluate(code)) as T;
}

/** Where the keyboard is: the data-keyscope around the focused element ('none' on the body). */
const keyScope = () => pageValue<string>(`(document.activeElement?.closest('[data-keyscope]')?.getAttribute('data-keyscope')) ?? 'none'`);

/** A fingerprint of a canvas (FNV-1a over a sample of its pixels), two frames later so React has drawn. */
const canvasPrint = (testId: string) =>
  pageValue<string>(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
    const c = document.querySelector('[data-testid="${testId}"]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0x811c9dc5;
    for (let i = 0; i < d.length; i += 28) h = Math.imul(h ^ d[i], 0x01000193) >>> 0;
    resolve(c.width + 'x' + c.height + ':' + h.toString(16));
  })))`);

/** The share of a canvas's pixels that are coloured (the film is grey): how much of it a heatmap covers. */
const colouredShare = (testId: string) =>
  pageValue<number>(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
    const c = document.querySelector('[data-testid="${testId}"]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 24) n++;
    resolve(n / (d.length / 4));
  })))`);

/** Every visible control inside these containers lies wholly inside the window and inside its container (nothing clipped). */
const clippedControls = (containers: string) =>
  pageValue<string[]>(`(() => {
    const out = [];
    const W = window.innerWidth, H = window.innerHeight;
    for (const box of document.querySelectorAll(${JSON.stringify(containers)})) {
      const outer = box.getBoundingClientRect();
      for (const el of box.querySelectorAll('button, input, select, label')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const inWindow = r.left >= -0.5 && r.top >= -0.5 && r.right <= W + 0.5 && r.bottom <= H + 0.5;
        const inBox = r.left >= outer.left - 0.5 && r.top >= outer.top - 0.5 && r.right <= outer.right + 0.5 && r.bottom <= outer.bottom + 0.5;
        if (!inWindow || !inBox) out.push((el.getAttribute('data-testid') || el.textContent || el.tagName).trim().slice(0, 40));
      }
    }
    return out;
  })()`);

/** Text cut off with an ellipsis or hidden overflow (a name the reader cannot read). */
const cutText = (selector: string) =>
  pageValue<string[]>(`[...document.querySelectorAll(${JSON.stringify(selector)})]
    .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent)`);

/** One-word names split over two lines (a finding broken mid-word, or its eye alone on a line), from where each line box lies. */
const brokenWords = (selector: string) =>
  pageValue<string[]>(`[...document.querySelectorAll(${JSON.stringify(selector)})].filter((el) => {
    if (/\\s/.test(el.textContent.trim())) return false;
    const range = document.createRange();
    range.selectNodeContents(el); // the name and its eye: one line, or the eye left alone above the word
    const tops = [...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => rect.top);
    return tops.length > 0 && Math.max(...tops) - Math.min(...tops) > 6;
  }).map((el) => el.textContent)`);

const row = (text: string) => page.locator('[data-testid="worklist-row"]', { hasText: text });
async function openStudy(text: string): Promise<void> {
  await row(text).locator('[data-testid="open-study"]').click();
  await page.getByTestId('viewport-current-canvas').waitFor();
  await poll(() => page.getByTestId('viewport-current').getByTestId('overlay-patient').textContent()).toContain(text);
}

/** pydicom's reading of a file: the spacing, and mean ± population SD inside the ellipse inscribed in a box (pixel centres). */
function pydicomEllipse(file: string, a: number[], b: number[]): { spacing: number[]; mean: number; sd: number; n: number } {
  const script = `
import json, sys
import numpy as np, pydicom
ds = pydicom.dcmread(sys.argv[1])
v = ds.pixel_array.astype(np.float64)
(ax, ay, bx, by) = map(float, sys.argv[2:6])
x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
yy, xx = np.mgrid[0:v.shape[0], 0:v.shape[1]] + 0.5
inside = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1
print(json.dumps({'spacing': [float(s) for s in ds.PixelSpacing], 'mean': v[inside].mean(), 'sd': v[inside].std(), 'n': int(inside.sum())}))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, file, ...a.map(String), ...b.map(String)], { encoding: 'utf8' }));
}

const point = (attr: string | null): number[] => (attr ?? '').split(',').map(Number);

describe.skipIf(!haveInputs)('the reading room in Chromium', () => {
  it('lists a folder in the triage rule, shows "check input" as its own group, and reports an unreadable file plainly', async () => {
    await page.goto(serve.url);
    await page.getByTestId('empty-state').waitFor();
    await shot('start');
    await page.getByTestId('open-folder').click();
    await page.getByTestId('open-path-input').fill(folder);
    await page.getByTestId('open-path-submit').click();
    await poll(() => page.locator('[data-testid="worklist-row"][data-score]').count()).toBe(SCORED);
    await expect(page.getByTestId('demo-badge').isVisible()).resolves.toBe(true);

    // The order is the shared rule: scored by score, then "check input" (the lateral film), then not scored (the CT).
    const rows = await page.$$eval('[data-testid="worklist-row"]', (els) =>
      els.map((r) => ({ group: r.getAttribute('data-group'), score: r.getAttribute('data-score'), text: r.textContent ?? '' })),
    );
    const groups = rows.map((r) => r.group);
    expect(groups).toEqual(
      [...groups].sort((x, y) => ['scored', 'check-input', 'error'].indexOf(x!) - ['scored', 'check-input', 'error'].indexOf(y!)),
    );
    const scored = rows.filter((r) => r.group === 'scored').map((r) => Number(r.score));
    expect(scored).toEqual([...scored].sort((x, y) => y - x));
    expect(rows.find((r) => r.group === 'check-input')?.text).toContain('TEST LATERAL');
    expect(rows.at(-1)?.text).toContain('CT');
    await expect(page.locator('[data-testid="worklist-group"][data-group="check-input"]').textContent()).resolves.toMatch(/check input/i);

    // Columns a reader expects: patient, age/sex, date, accession, modality/view, score, read state.
    const visit = row('2024-07-05');
    await expect(visit.textContent()).resolves.toMatch(/TEST COMPARISON.*E2E-PRIOR-7.*66 y M.*2024-07-05.*ACC-2024-42.*DX.*PA/s);

    // The truncated file: the friendly line first, the parser's words only on request, and the box can be closed.
    const failure = page.locator('[data-testid="open-failure"][data-code="DICOM_TRUNCATED"]');
    await expect(failure.textContent()).resolves.toContain('zz_truncated.dcm');
    await expect(failure.locator('.error-sentence').isVisible()).resolves.toBe(true);
    await expect(failure.locator('details').getAttribute('open')).resolves.toBeNull();
    await shot('worklist');
    await page.getByTestId('dismiss-failures').click();
    await expect(page.getByTestId('open-failures').count()).resolves.toBe(0);

    // Sort by date (newest first), then back to the rule.
    await page.getByTestId('sort-date').click();
    const dates = await page.$$eval('[data-testid="worklist-row"] td:nth-child(4) div:first-child', (els) => els.map((e) => e.textContent));
    const dated = dates.filter((d) => d && /^\d{4}-/.test(d));
    expect(dated).toEqual([...dated].sort().reverse());
    await page.getByTestId('sort-triage').click();
    await page.getByTestId('sort-triage').click(); // same column again flips, and once more restores
    expect(await page.getByTestId('sort-triage').textContent()).toContain('▴');
    await page.getByTestId('sort-triage').click();

    // Filter by Patient ID: that patient's two visits are left; cleared, the whole list again.
    const all = await page.getByTestId('worklist-row').count();
    await page.getByTestId('worklist-filter').fill('e2e-prior-7');
    await poll(() => page.getByTestId('worklist-row').count()).toBe(2);
    await expect(page.getByTestId('worklist').textContent()).resolves.not.toContain('TEST FRAMES');
    await page.getByTestId('worklist-filter').fill('');
    await poll(() => page.getByTestId('worklist-row').count()).toBe(all);
    await page.keyboard.press('Enter'); // from the filter to the list, as ArrowDown does
  });

  it('moves through the list with J/K, opens with Enter or one click, and then gives the keyboard to the viewer', async () => {
    await page.keyboard.press('Escape'); // back to the worklist, onto a row (not the filter, where J would type)
    await poll(() => pageValue<string>(`document.activeElement?.getAttribute('data-testid') ?? ''`)).toBe('open-study');
    expect(await keyScope()).toBe('worklist');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const cursor = await page.locator('[data-testid="worklist-row"][aria-selected="true"]').getAttribute('data-id');
    const second = await page.locator('[data-testid="worklist-row"]').nth(1).getAttribute('data-id');
    expect(cursor).toBe(second);
    await page.keyboard.press('Enter');
    await page.getByTestId('viewport-current-canvas').waitFor();
    expect(await page.getByTestId('viewport-current').getAttribute('data-study-id')).toBe(second);
    expect(await keyScope()).toBe('reading');

    // Viewer keys now work, and Space resets the view instead of scrolling the list.
    const readout = page.getByTestId('window-readout');
    await page.keyboard.press('i');
    await expect(readout.textContent()).resolves.toContain('inverted');
    await page.keyboard.press('2');
    await expect(page.getByTestId('preset-2').getAttribute('class')).resolves.toContain('active');
    await page.keyboard.press('+');
    await page.keyboard.press('r');
    await expect(readout.textContent()).resolves.toContain('90°');
    const listScroll = await pageValue<number>(`document.querySelector('.worklist-scroll').scrollTop`);
    await page.keyboard.press(' ');
    await expect(readout.textContent()).resolves.not.toMatch(/inverted|90°/);
    expect(await pageValue<number>(`document.querySelector('.worklist-scroll').scrollTop`)).toBe(listScroll);

    // One click on a row opens it; a click on the image takes the keyboard back from a text field.
    await openStudy('TEST FRAMES');
    await page.getByTestId('worklist-filter').click();
    const box = (await page.getByTestId('viewport-current-canvas').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    expect(await keyScope()).toBe('reading');
    await page.keyboard.press('h');
    await expect(readout.textContent()).resolves.toContain(' H');
    await page.keyboard.press('u');
    await expect(row('TEST FRAMES').getAttribute('class')).resolves.toContain('unread');
  });

  it('steps frames with the wheel and keys, and plays cine', async () => {
    await openStudy('TEST FRAMES');
    const frame = page.getByTestId('frame-readout');
    await expect(frame.textContent()).resolves.toBe(`Frame 1 / ${CINE_FRAMES}`);
    const first = await canvasPrint('viewport-current-canvas');
    const box = (await page.getByTestId('viewport-current-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 120);
    await poll(() => frame.textContent()).toBe(`Frame 2 / ${CINE_FRAMES}`);
    await poll(() => canvasPrint('viewport-current-canvas')).not.toBe(first);
    await page.keyboard.press('PageDown');
    await poll(() => frame.textContent()).toBe(`Frame 3 / ${CINE_FRAMES}`);
    await page.keyboard.press('p');
    await poll(() => frame.textContent()).toBe(`Frame 1 / ${CINE_FRAMES}`); // plays on and wraps around
    await page.keyboard.press('p');
    await expect(page.getByTestId('cine').getAttribute('aria-pressed')).resolves.toBe('false');
  });

  it('draws a flagged finding’s heatmap filled, as an outline and as a tint, with its scale on the image, toggled per finding', async () => {
    await openStudy('00000284_000.png');
    const canvas = 'viewport-current-canvas';
    const plain = await canvasPrint(canvas);
    const flagged = page.locator('[data-testid^="finding-"][data-above="yes"]').first();
    const label = (await flagged.getAttribute('data-testid'))!.replace('finding-', '');
    await flagged.click();
    const legend = page.getByTestId('heatmap-on-image');
    await legend.waitFor();
    await expect(legend.textContent()).resolves.toContain(label.replaceAll('_', ' '));
    await expect(legend.textContent()).resolves.toMatch(/relative \(min–max\)/);
    const share: Record<string, number> = {};
    for (const mode of ['tint', 'fill', 'outline'] as const) {
      await page.getByTestId(`heatmap-mode-${mode}`).click();
      await poll(() => legend.getAttribute('data-mode')).toBe(mode);
      share[mode] = await colouredShare(canvas);
      await shot(`heatmap-${mode}`);
    }
    // Tint colours the whole region, fill only where the map reaches the cut-off, outline just a line.
    expect(share.tint!).toBeGreaterThan(share.fill!);
    expect(share.fill!).toBeGreaterThan(share.outline!);
    expect(share.outline!).toBeGreaterThan(0);
    await page.getByTestId('heatmap-scale-sigmoid').click();
    await expect(legend.textContent()).resolves.toMatch(/absolute σ\(CAM\).*threshold/);
    await page.getByTestId('heatmap-scale-minmax').click();
    // The finding's row toggles its heatmap off and on again.
    await flagged.click();
    await poll(() => canvasPrint(canvas)).toBe(plain);
    await flagged.click();
    await poll(() => canvasPrint(canvas)).not.toBe(plain);
    // A finding below its threshold needs the reader's consent first.
    const below = page.locator('[data-testid^="finding-"][data-above="no"]').first();
    await below.click();
    await page.getByTestId('below-threshold').waitFor();
    await poll(() => canvasPrint(canvas)).toBe(plain);
    await page.getByTestId('show-anyway').click();
    await page.getByTestId('below-threshold-warning').waitFor();
    await page.getByTestId('heatmap-mode-fill').click();
  });

  it('measures in mm from Pixel Spacing, says when it cannot, and gives ROI mean ± SD as pydicom does', async () => {
    await openStudy('2024-07-05');
    await expect(page.getByTestId('calibration').textContent()).resolves.toContain('Pixel Spacing (0028,0030)');
    const box = (await page.getByTestId('viewport-current-canvas').boundingBox())!;
    const drag = async (from: [number, number], to: [number, number]): Promise<void> => {
      await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 6 });
      await page.mouse.up();
    };
    await page.keyboard.press('m');
    await drag([0.3, 0.35], [0.62, 0.6]); // diagonal: row and column spacing both count, and they differ
    const ruler = page.locator('[data-testid="measurement"][data-kind="ruler"]').last();
    const file = join(folder, 'comparison_2024.dcm');
    const reference = pydicomEllipse(file, [100, 100], [200, 180]);
    const [ax, ay] = point(await ruler.getAttribute('data-a'));
    const [bx, by] = point(await ruler.getAttribute('data-b'));
    const [rowSpacing, columnSpacing] = reference.spacing as [number, number];
    const mm = Math.hypot((bx! - ax!) * columnSpacing, (by! - ay!) * rowSpacing);
    expect(await ruler.getAttribute('data-label')).toBe(`${mm.toFixed(1)} mm`);

    await page.keyboard.press('e');
    await drag([0.35, 0.25], [0.5, 0.42]);
    const ellipse = page.locator('[data-testid="measurement"][data-kind="ellipse"]').last();
    const roi = pydicomEllipse(file, point(await ellipse.getAttribute('data-a')), point(await ellipse.getAttribute('data-b')));
    const [meanText, sdText] = /^(-?[\d.]+) ± ([\d.]+)/.exec((await ellipse.getAttribute('data-label'))!)!.slice(1);
    expect(Number(meanText)).toBeCloseTo(roi.mean, roi.mean >= 100 ? 0 : 1);
    expect(Number(sdText)).toBeCloseTo(roi.sd, roi.sd >= 100 ? 0 : 1);
    await expect(ellipse.getAttribute('data-label')).resolves.toContain(`n ${roi.n}`);
    // With a flagged finding outlined, for the README.
    await page.locator('[data-testid^="finding-"][data-above="yes"]').first().click();
    await page.getByTestId('heatmap-mode-outline').click();
    await poll(() => page.getByTestId('heatmap-on-image').getAttribute('data-mode')).toBe('outline');
    await shot('measure');
    await page.getByTestId('heatmap-mode-fill').click();
    await page.keyboard.press('Delete');
    await expect(page.locator('[data-testid="measurement"][data-kind="ellipse"]').count()).resolves.toBe(0);

    // Detector-plane spacing is said as such; a PNG has none, and the ruler counts pixels.
    await openStudy('TEST DETECTOR');
    await expect(page.getByTestId('calibration').textContent()).resolves.toMatch(/Imager Pixel Spacing.*at the detector/);
    await openStudy('00000574_000.png');
    await expect(page.getByTestId('calibration').textContent()).resolves.toContain('uncalibrated');
    await page.keyboard.press('m');
    await drag([0.4, 0.4], [0.6, 0.4]);
    await expect(page.locator('[data-testid="measurement"][data-kind="ruler"]').last().getAttribute('data-label')).resolves.toMatch(
      /^[\d.]+ px$/,
    );
    await page.keyboard.press('w');
  });

  it('pairs the prior by Patient ID, side by side with linked zoom, pan and window, and both studies’ findings', async () => {
    await openStudy('2024-07-05');
    const select = page.getByTestId('prior-select');
    await poll(() => select.locator('option').count()).toBe(2); // "Priors (1)" and the 2019 visit, nobody else's study
    await expect(select.locator('option').nth(1).textContent()).resolves.toContain('2019-03-12');
    await page.keyboard.press('x');
    await page.getByTestId('viewport-prior-canvas').waitFor();
    await expect(page.getByTestId('viewport-prior').textContent()).resolves.toMatch(/PRIOR.*2019-03-12/s);
    await expect(page.getByTestId('viewport-current').textContent()).resolves.toMatch(/CURRENT.*2024-07-05/s);
    await poll(() => page.getByTestId('comparing-note').textContent()).not.toContain('scoring');
    await expect(page.locator('.finding-value.prior').first().textContent()).resolves.toMatch(/%/);

    const readout = (side: string) => page.getByTestId(`viewport-${side}`).getByTestId('window-readout').textContent();
    const zoomOf = async (side: string) => /Zoom (\d+)%/.exec((await readout(side)) ?? '')?.[1];
    const before = await zoomOf('prior');
    await page.keyboard.press('+');
    await poll(() => zoomOf('prior')).not.toBe(before);
    expect(await zoomOf('prior')).toBe(await zoomOf('current'));
    const box = (await page.getByTestId('viewport-current-canvas').boundingBox())!;
    const windowBefore = await readout('prior');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 4 });
    await page.mouse.up();
    expect(await readout('prior')).not.toBe(windowBefore); // linked: the prior's window followed
    await page.getByTestId('link-views').click();
    const priorNow = await readout('prior');
    await page.keyboard.press('i');
    expect(await readout('current')).toContain('inverted');
    expect(await readout('prior')).toBe(priorNow); // unlinked: only the active image changes
    await page.keyboard.press('i');
    await page.getByTestId('link-views').click();
    expect(await page.getByTestId('link-views').getAttribute('aria-pressed')).toBe('true');
    await page.locator('button[title="Reset (Space)"]').click(); // (Space on a focused button presses the button)
    await shot('compare');
    await page.keyboard.press('x');
    await expect(page.getByTestId('viewport-prior').count()).resolves.toBe(0);
  });

  it('opens the tag browser without typing into it, names every tag from the dictionary, and closes with Esc', async () => {
    await page.keyboard.press('t');
    const tags = page.getByTestId('tag-browser');
    await tags.waitFor();
    await expect(page.getByTestId('tag-filter').inputValue()).resolves.toBe('');
    await poll(() => page.locator('[data-testid="tag-row"]').count()).toBeGreaterThan(20);
    await expect(page.locator('[data-testid="tag-row"][data-tag="(0028,0030)"] .tag-name').textContent()).resolves.toBe('PixelSpacing');
    await expect(page.locator('[data-testid="tag-row"][data-tag^="(FFFE,"]').count()).resolves.toBe(0);
    // A drawer over the findings, leaving most of the image in view.
    const drawer = (await tags.boundingBox())!;
    const viewer = (await page.getByTestId('viewer').boundingBox())!;
    const covered = Math.max(0, viewer.x + viewer.width - drawer.x) / viewer.width;
    expect(covered).toBeLessThan(0.45);
    // …and never over the viewer toolbar, whose last buttons it used to hide at 1600×1000.
    const toolbar = (await page.locator('.viewer-toolbar').boundingBox())!;
    expect(drawer.y).toBeGreaterThanOrEqual(toolbar.y + toolbar.height - 1);
    await page.getByTestId('tag-filter').fill('spacing');
    await expect(page.locator('[data-testid="tag-row"]').count()).resolves.toBe(1);
    await shot('tags');
    await page.keyboard.press('Escape');
    await expect(tags.count()).resolves.toBe(0);
    expect(await keyScope()).toBe('reading');
  });

  it('fits the window at 1366×768, 1600×1000 and 1920×1080: nothing clipped, the image large, overlay text readable', async () => {
    for (const [width, height] of SIZES) {
      const size = `${width}x${height}`;
      await page.setViewportSize({ width, height });
      await openStudy('2024-07-05');
      const flagged = page.locator('[data-testid^="finding-"][data-above="yes"]').first();
      if ((await flagged.getAttribute('aria-pressed')) !== 'true') await flagged.click();
      await page.getByTestId('heatmap-on-image').waitFor();
      const controls = '.top-bar, .viewer-toolbar, .heatmap-controls, .status-bar, .worklist-filters, .worklist .panel-header';
      expect(await clippedControls(controls), size).toEqual([]);
      expect(await cutText('.model-bar-name, .row-title, .finding-name'), size).toEqual([]);
      expect(await brokenWords('.finding-name'), size).toEqual([]);
      // The header says what the status bar says: both idle.
      await expect(page.getByTestId('engine-state').textContent()).resolves.not.toContain('scoring');
      const image = (await page.getByTestId('viewport-current-canvas').boundingBox())!;
      expect(image.width * image.height, size).toBeGreaterThan(0.3 * width * height);
      const overlay = await pageValue<{ shadow: string; background: string }>(
        `(() => { const s = getComputedStyle(document.querySelector('.overlay-text')); return { shadow: s.textShadow, background: s.backgroundColor }; })()`,
      );
      expect(overlay.shadow).not.toBe('none');
      expect(overlay.background).not.toBe('rgba(0, 0, 0, 0)');
      await shot('viewer', size);

      await page.keyboard.press('x');
      await page.getByTestId('viewport-prior-canvas').waitFor();
      await poll(() => page.getByTestId('comparing-note').textContent()).not.toContain('scoring');
      expect(await clippedControls(controls), `${size} comparing`).toEqual([]);
      expect(await cutText('.finding-name'), `${size} comparing`).toEqual([]);
      expect(await brokenWords('.finding-name'), `${size} comparing`).toEqual([]);
      await shot('compare', size);
      await page.keyboard.press('x');
      await page.keyboard.press('Escape');
      await shot('worklist', size);
    }
    await page.setViewportSize({ width: 1600, height: 1000 });
    expect(pageErrors).toEqual([]);
  });
});
