// The HTML worklist opened in Debian's Chromium from a file: no server, no network; its ranked order
// must equal the CSV's. `denseray report` regenerates the same reports from the store alone.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../helpers/chromium.ts';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/shared.ts';
import { runCli, studyFolder } from './helpers.ts';

function csvColumn(csv: string, name: string): string[] {
  const [header, ...rows] = csv.trim().split('\r\n');
  const index = header!.split(',').indexOf(name);
  // study_id is an early column, before any quoted text. Worklist rows have a rank; the copy and
  // skipped rows after them (other files of the job) do not.
  return rows.filter((row) => !row.startsWith(',')).map((row) => row.split(',')[index]!);
}

describe('batch HTML report', () => {
  it('opens offline in Chromium, shows the banner and images, and ranks like the CSV', async () => {
    const input = studyFolder(40);
    const dataDir = mkdtempSync(join(tmpdir(), 'denseray-batch-html-'));
    const html = join(dataDir, 'worklist.html');
    const csv = join(dataDir, 'worklist.csv');
    const run = await runCli([
      'batch',
      input,
      '--data-dir',
      dataDir,
      '--backend',
      'onnx',
      '--out',
      csv,
      '--out',
      html,
      '--heatmaps',
      join(dataDir, 'heatmaps'),
    ]);
    expect(run.code, run.stderr).toBe(1);
    const csvText = readFileSync(csv, 'utf8');
    const csvOrder = csvColumn(csvText, 'study_id');
    expect(csvColumn(csvText, 'rank')).toEqual(csvOrder.map((_, i) => String(i + 1)));

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      const fetched: string[] = [];
      page.on('request', (request) => fetched.push(request.url()));
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      const outDir = join(projectRoot, 'test-results');
      mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: join(outDir, 'batch-report.png') });

      const pageOrder = await page.$$eval('#worklist tbody tr[data-study-id]', (rows) =>
        rows.map((r) => r.getAttribute('data-study-id') ?? ''),
      );
      expect(pageOrder).toEqual(csvOrder);
      expect(await page.textContent('body')).toContain('not a medical device');
      expect(await page.textContent('body')).toContain('UNTRAINED DEMO');
      const images = await page.$$eval('img', (imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
      expect(images.length).toBeGreaterThan(40);
      expect(images.every((w) => w > 0)).toBe(true);
      // Nothing but the file itself (images are data: URIs).
      expect(fetched.filter((u) => !u.startsWith('data:'))).toEqual([pathToFileURL(html).href]);
    } finally {
      await browser.close();
    }

    // Regenerated from the store without the model: the same CSV.
    const again = join(dataDir, 'again.csv');
    const report = await runCli(['report', '1', '--data-dir', dataDir, '--out', again]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(csvText);
  });
});
