// Issue 7's crash test: a batch over a few hundred files (NIH PNGs + the DICOM corpus with its
// malformed files) is SIGKILLed at random moments and resumed; every file must end with exactly one
// result or one error, and the results must equal an uninterrupted run's.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileOutcomes, jobConsistency, runCli, storedOutcomes, studyFolder, type FileOutcome } from './helpers.ts';

const PNGS = 100;
const input = studyFolder(PNGS);

function batchArgs(dataDir: string, extra: string[] = []): string[] {
  return ['batch', input, '--data-dir', dataDir, '--backend', 'onnx', '--json', ...extra];
}

describe('batch: SIGKILL at random moments, then resume', () => {
  it('loses no study, classifies none twice, and matches an uninterrupted run', async () => {
    const reference = mkdtempSync(join(tmpdir(), 'denseray-batch-ref-'));
    const clean = await runCli(batchArgs(reference, ['--out', join(reference, 'report.csv')]));
    expect(clean.signal).toBeNull();
    expect(clean.code, clean.stderr).toBe(1); // some corpus files are errors by design
    const cleanSummary = JSON.parse(clean.stdout) as { job: { id: number; counts: { studies: number; failed: number } } };
    expect(cleanSummary.job.counts.failed).toBeGreaterThan(0);

    const crashed = mkdtempSync(join(tmpdir(), 'denseray-batch-kill-'));
    const studies = cleanSummary.job.counts.studies;
    // One kill early (start-up, walk, model load), then at random points of the classification.
    const targets = [0.15, 0.4, 0.7].map((f) => Math.round(studies * (f + Math.random() * 0.2)));
    const kills: string[] = [];
    const early = Math.round(300 + Math.random() * 1200);
    let run = await runCli(batchArgs(crashed), { killAfterMs: early });
    if (run.signal === 'SIGKILL') kills.push(`${early} ms`);
    for (const target of targets) {
      if (storedOutcomes(crashed, 1) >= target) continue;
      run = await runCli(batchArgs(crashed), { killWhen: () => storedOutcomes(crashed, 1) >= target });
      if (run.signal !== 'SIGKILL') break; // finished before the kill
      kills.push(`${storedOutcomes(crashed, 1)} studies stored`);
      // After every kill the job's counts agree with the results actually stored.
      const state = jobConsistency(crashed, 1);
      expect(state.finished).toBe(state.stored);
      expect(state.failed).toBe(state.stored_failed);
    }
    console.info(`batch kill test: SIGKILL at ${kills.join('; ')}`);
    expect(kills.length).toBeGreaterThanOrEqual(3);
    const resumed = await runCli(batchArgs(crashed, ['--resume', '--out', join(crashed, 'report.csv')]));
    expect(resumed.code, resumed.stderr).toBe(1);

    const done = jobConsistency(crashed, 1);
    expect(done).toMatchObject({ state: 'done', finished: done.studies, stored: done.studies, cursor: done.max_seq });
    expect(done.studies).toBe(cleanSummary.job.counts.studies);

    const expected = fileOutcomes(reference);
    const actual = fileOutcomes(crashed);
    expect(actual.length).toBeGreaterThan(PNGS);
    // Every study file: exactly one outcome (a result or an error) for its image.
    for (const f of actual) {
      expect(f.results, f.path).toBe(1);
      expect(f.ok === 1 ? f.probabilities_json : f.error_code, f.path).not.toBeNull();
    }
    expect(actual.map((f) => f.path)).toEqual(expected.map((f) => f.path));
    const byPath = new Map(expected.map((f) => [f.path, f]));
    for (const f of actual) expectSameOutcome(f, byPath.get(f.path)!);
    // And the reports agree line for line (same ranking).
    expect(readFileSync(join(crashed, 'report.csv'), 'utf8')).toBe(readFileSync(join(reference, 'report.csv'), 'utf8'));
  });
});

function expectSameOutcome(actual: FileOutcome, expected: FileOutcome): void {
  expect({ ok: actual.ok, error: actual.error_code, copy: actual.result_path, flagged: actual.flagged_json }, actual.path).toEqual({
    ok: expected.ok,
    error: expected.error_code,
    copy: expected.result_path,
    flagged: expected.flagged_json,
  });
  if (actual.ok !== 1) return;
  const a = JSON.parse(actual.probabilities_json!) as Record<string, number>;
  const e = JSON.parse(expected.probabilities_json!) as Record<string, number>;
  expect(Object.keys(a)).toEqual(Object.keys(e));
  // Batches are composed differently after a resume; per-image results must not depend on that.
  for (const k of Object.keys(e)) expect(Math.abs(a[k]! - e[k]!), `${actual.path} ${k}`).toBeLessThan(1e-6);
  expect(Math.abs(actual.triage_score! - expected.triage_score!)).toBeLessThan(1e-6);
}
