// Issue 14: a mistyped option gets a plain sentence (and the nearest real option), the command's
// usage lines and exit 2 — not node's parser message with its unbalanced quote, nor the whole help.
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../hostile/run-measured.ts';

describe('usage errors', () => {
  it('names an unknown option once, suggests the near one, and exits 2', async () => {
    const run = await runCliInProcess(['classify', 'x.png', '--heatmap', 'out']);
    expect(run.code).toBe(2);
    const [first, , usage] = run.stderr.split('\n');
    expect(first).toBe('denseray: unknown option --heatmap; did you mean --heatmaps?');
    expect(usage).toBe('Usage: denseray classify <file|dir…> [options]');
    expect(run.stderr).toContain('denseray classify --help');
    expect(run.stderr).not.toContain('--weights'); // the option list stays in --help
    expect(run.stderr.split("'").length % 2).toBe(1); // quotes, if any, are balanced
  });

  it('says which option lacks its value or takes none', async () => {
    expect((await runCliInProcess(['classify', 'x.png', '--top'])).stderr).toMatch(/^denseray: --top needs a value\n/);
    expect((await runCliInProcess(['dicom', 'info', 'x.dcm', '--json=yes'])).stderr).toMatch(/^denseray: --json takes no value\n/);
    const far = await runCliInProcess(['batch', '--frobnicate']);
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/^denseray: unknown option --frobnicate\n/); // nothing close enough to suggest
  });
});
