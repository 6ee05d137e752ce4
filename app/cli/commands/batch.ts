import { existsSync } from 'node:fs';
import type { JobSummary } from '../../common/contract/batch.ts';
import { BackendChoice } from '../../common/contract/classify.ts';
import { JobService, type WrittenReports } from '../../node/services/batch/job-service.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { ExitCode, exitCodeFor, printJson, reportFailure, type Command } from '../command.ts';
import { plural } from '../format.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';
import { ProgressBar } from '../progress.ts';
import { describeJob } from './jobs.ts';
import { modelBanner } from './model-banner.ts';
import { checkReportPaths, parseRank } from './report.ts';

const HELP = `Usage: denseray batch <folder|file…> [options]
       denseray batch --resume [--job <id>] [options]

Triages every chest X-ray under the folders (DICOM detected by content, PNG, JPEG; other files are
skipped and counted) into a ranked worklist kept in the study store. Safe to stop at any moment
(Ctrl-C, a crash, a power cut): run the same command again, or --resume, to continue where it
stopped. The same folders with the same model again do nothing new; with --model <other> the new
results are kept beside the first model's.

Options:
  --model <id>        an installed model (default: the active one; see denseray models)
  --out <file>        write a report: .csv, .json or .html (self-contained); repeatable
  --heatmaps <dir>    CAM overlay PNGs for each finding at or above its threshold
  --workers <n>       CPU cores for inference (default: all); decoding runs alongside
  --resume            continue an interrupted or paused job without walking the folders again
                      (the newest one, or --job <id>)
  --job <id>          with --resume: which job
  --rank <rule>       report order: triage (default) | max-probability | finding:<label>
  --backend <b>       auto (default: onnxruntime, else TensorFlow.js) | onnx | tfjs
  --json              machine-readable summary on stdout
  --data-dir <dir>    where models and the study store live (default: DENSERAY_DATA_DIR or the OS app-data folder)

Reports can be written again later without the model: denseray report <job> --out report.html
Exit codes: 0 every study classified, 1 some studies failed, 2 usage, 3 the job failed, 4 disk full (free space, then
--resume: nothing is lost), 5 the study store is damaged (denseray store check|rebuild), 130 paused (Ctrl-C).
DenseRay is not a medical device.
`;

const OPTIONS = {
  model: { type: 'string' },
  out: { type: 'string', multiple: true },
  heatmaps: { type: 'string' },
  workers: { type: 'string' },
  resume: { type: 'boolean' },
  job: { type: 'string' },
  rank: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The conventional exit status of a program stopped by Ctrl-C (128 + SIGINT). */
const EXIT_PAUSED = 130;

export const batchCommand: Command = {
  name: 'batch',
  summary: 'triage whole folders into a ranked worklist (resumable; CSV/JSON/HTML reports)',
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      const backend = values.backend === undefined ? undefined : BackendChoice.safeParse(values.backend);
      if (backend && !backend.success) throw new UsageError(`--backend must be auto, onnx or tfjs, got "${values.backend}"`);
      const rank = parseRank(values.rank);
      const workers = parsePositiveInt(values.workers, '--workers');
      const jobId = parsePositiveInt(values.job, '--job');
      const out = values.out ?? [];
      checkReportPaths(out);
      if (positionals.length === 0 && !values.resume) throw new UsageError('batch needs at least one folder or file (or --resume)');
      if (jobId !== undefined && !values.resume) throw new UsageError('--job goes with --resume');
      for (const root of positionals) if (!existsSync(root)) throw new UsageError(`no such file or folder: ${root}`);
      const json = values.json === true;
      const jobs = new JobService({ dataDir: resolveDataDir(values['data-dir']) });
      try {
        const result = await runInTerminal(jobs, {
          roots: positionals,
          modelId: values.model,
          resume: values.resume === true,
          jobId,
          workers,
          backend: backend?.data,
          json,
        });
        const reports =
          out.length > 0 || values.heatmaps ? jobs.writeReports(result.id, { out, heatmapsDir: values.heatmaps, rank }) : undefined;
        report(result, reports, json);
        if (result.state === 'paused') return EXIT_PAUSED;
        if (result.state === 'failed') return exitCodeFor(result.error ?? { code: 'INTERNAL' });
        if (result.state === 'cancelled') return ExitCode.failure;
        return result.counts.failed > 0 ? ExitCode.partialFailure : ExitCode.ok;
      } catch (error) {
        return reportFailure('batch', toErrorInfo(error), json);
      } finally {
        await jobs.close();
      }
    }),
};

/** Runs the job in this process with Ctrl-C handling, a banner naming the model, and a progress bar. */
async function runInTerminal(
  jobs: JobService,
  request: Omit<Parameters<JobService['run']>[0], 'signal' | 'onModel' | 'onStudy' | 'onProgress'> & { json: boolean },
): Promise<JobSummary> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    // First Ctrl-C: finish the batch in flight and pause. Second: leave now — every stored result is already safe.
    if (++interrupts > 1) process.exit(EXIT_PAUSED);
    if (!request.json) process.stderr.write('\npausing after the batch in flight (Ctrl-C again to quit now)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let bar: ProgressBar | undefined;
  try {
    return await jobs.run({
      ...request,
      signal: controller.signal,
      onModel: (model) => {
        if (!request.json) process.stderr.write(modelBanner(model));
      },
      onStudy: (ok) => bar?.tick(ok),
      onProgress: (p) => {
        if (p.phase === 'classify' && !bar) {
          const c = p.counts;
          if (!request.json)
            process.stderr.write(
              `job ${p.jobId}: ${plural(c.studies, 'study', 'studies')} (${c.finished} already done), ${plural(c.filesSkipped, 'file')} skipped, ${plural(c.duplicates, 'duplicate')}\n`,
            );
          bar = new ProgressBar(c.studies - c.finished, `job ${p.jobId}`);
        }
        if (p.phase === 'idle') bar?.finish();
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function report(job: JobSummary, reports: WrittenReports | undefined, json: boolean): void {
  if (json) {
    printJson({ ok: job.state === 'done', job, reports: reports?.files ?? [], heatmaps: reports?.heatmaps ?? 0 });
    return;
  }
  process.stdout.write(describeJob(job));
  if (reports) {
    for (const file of reports.files) process.stdout.write(`report: ${file}\n`);
    if (reports.heatmaps > 0)
      process.stdout.write(`heatmaps: ${plural(reports.heatmaps, 'PNG')} (only findings at or above their threshold)\n`);
  }
  if (job.state === 'paused' || job.state === 'failed') process.stdout.write(`continue with: denseray batch --resume --job ${job.id}\n`);
  else if (!reports) process.stdout.write(`reports: denseray report ${job.id} --out worklist.html (or .csv, .json)\n`);
}
