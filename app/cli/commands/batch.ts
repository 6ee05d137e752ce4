import { existsSync } from 'node:fs';
import { BackendChoice, type ModelInfo } from '../../common/contract/classify.ts';
import { RankRule, type JobSummary } from '../../common/contract/batch.ts';
import { engineClassifier, type StudyClassifier } from '../../node/domain/batch/classifier.ts';
import { jobModelFor } from '../../node/domain/batch/job-model.ts';
import { writeReports, reportFormatOf, type WrittenReports } from '../../node/domain/batch/report/write-reports.ts';
import { runJob } from '../../node/domain/batch/run-job.ts';
import { findOrCreateJob } from '../../node/domain/batch/start-job.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { openEngine } from '../../node/domain/engine/open-engine.ts';
import { DenseRayError, toErrorInfo } from '../../node/shared/errors.ts';
import type { JobModelInfo } from '../../node/domain/store/job-records.ts';
import { StudyStore } from '../../node/domain/store/study-store.ts';
import { ExitCode, exitCodeFor, printJson, printJsonError, type Command } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';
import { ProgressBar } from '../progress.ts';
import { describeJob } from './jobs.ts';

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
  --backend <b>       onnx (default) | tfjs | auto
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
      const backend = BackendChoice.safeParse(values.backend ?? 'onnx');
      if (!backend.success) throw new UsageError(`--backend must be onnx, tfjs or auto, got "${values.backend}"`);
      const rank = RankRule.safeParse(values.rank ?? 'triage');
      if (!rank.success) throw new UsageError(`--rank must be triage, max-probability or finding:<label>, got "${values.rank}"`);
      const workers = parsePositiveInt(values.workers, '--workers');
      const jobArg = parsePositiveInt(values.job, '--job');
      const out = values.out ?? [];
      for (const path of out) {
        try {
          reportFormatOf(path);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      }
      if (positionals.length === 0 && !values.resume) throw new UsageError('batch needs at least one folder or file (or --resume)');
      if (jobArg !== undefined && !values.resume) throw new UsageError('--job goes with --resume');
      for (const root of positionals) if (!existsSync(root)) throw new UsageError(`no such file or folder: ${root}`);
      const json = values.json === true;
      const dataDir = resolveDataDir(values['data-dir']);

      let store: StudyStore | undefined;
      try {
        store = StudyStore.open(dataDir);
        const { jobId, rescan } = pickJob(store, dataDir, positionals, values.model, values.resume === true, jobArg);
        const result = await runWithTerminal(store, jobId, {
          rescan,
          json,
          openClassifier: async (model) =>
            engineClassifier(
              await openEngine({ dataDir, modelId: model.id, backend: backend.data, ...(workers ? { threads: workers } : {}) }),
            ),
        });
        const reports =
          out.length > 0 || values.heatmaps
            ? writeReports(store, jobId, { out, ...(values.heatmaps ? { heatmapsDir: values.heatmaps } : {}), rank: rank.data })
            : undefined;
        report(result, reports, json);
        if (result.state === 'paused') return EXIT_PAUSED;
        if (result.state === 'failed') return exitCodeFor(result.error ?? { code: 'INTERNAL' });
        if (result.state === 'cancelled') return ExitCode.failure;
        return result.counts.failed > 0 ? ExitCode.partialFailure : ExitCode.ok;
      } catch (error) {
        const info = toErrorInfo(error);
        if (json) printJsonError(info);
        else process.stderr.write(`denseray batch: ${info.code}: ${info.message}\n`);
        return exitCodeFor(info);
      } finally {
        store?.close();
      }
    }),
};

function pickJob(
  store: StudyStore,
  dataDir: string,
  roots: string[],
  modelId: string | undefined,
  resume: boolean,
  jobArg: number | undefined,
): { jobId: number; rescan: boolean } {
  if (roots.length === 0) {
    const job = jobArg !== undefined ? store.jobs.get(jobArg) : store.jobs.latestResumable();
    if (!job) throw new DenseRayError('INVALID_ARGUMENT', 'no job to resume (see denseray jobs)');
    return { jobId: job.id, rescan: false };
  }
  const { job, created } = findOrCreateJob(store, roots, jobModelFor(dataDir, modelId));
  // Folders named again: walk them again for new files, unless asked only to resume.
  return { jobId: job.id, rescan: !created && !resume };
}

async function runWithTerminal(
  store: StudyStore,
  jobId: number,
  options: { rescan: boolean; json: boolean; openClassifier: (model: JobModelInfo) => Promise<StudyClassifier> },
): Promise<JobSummary> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    // First Ctrl-C: finish the batch in flight and pause. Second: leave now — every stored result is already safe.
    if (++interrupts > 1) process.exit(EXIT_PAUSED);
    if (!options.json) process.stderr.write('\npausing after the batch in flight (Ctrl-C again to quit now)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let bar: ProgressBar | undefined;
  let banner = false;
  try {
    return await runJob(store, jobId, {
      signal: controller.signal,
      rescan: options.rescan,
      openClassifier: async (model) => {
        const classifier = await options.openClassifier(model);
        if (!options.json && !banner) {
          banner = true;
          process.stderr.write(modelBanner(classifier.model));
        }
        return classifier;
      },
      onStudy: (ok) => bar?.tick(ok),
      onProgress: (p) => {
        if (p.phase === 'classify' && !bar) {
          const remaining = p.counts.studies - p.counts.finished;
          if (!options.json)
            process.stderr.write(
              `job ${jobId}: ${p.counts.studies} studies (${p.counts.finished} already done), ${p.counts.filesSkipped} files skipped, ${p.counts.duplicates} duplicates\n`,
            );
          bar = new ProgressBar(remaining, `job ${jobId}`);
        }
        if (p.phase === 'idle') bar?.finish();
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function modelBanner(m: ModelInfo): string {
  const demo = m.demo ? '  ** UNTRAINED DEMO — for trying the app only; these numbers mean nothing **\n' : '';
  return `model ${m.id} ${m.version} (${m.arch}, weights ${m.sha256.slice(0, 12)}, ${m.backendDetail})\n${demo}DenseRay is not a medical device.\n`;
}

function report(job: JobSummary, reports: WrittenReports | undefined, json: boolean): void {
  if (json) {
    printJson({ ok: job.state === 'done', job, reports: reports?.files ?? [], heatmaps: reports?.heatmaps ?? 0 });
    return;
  }
  process.stdout.write(describeJob(job));
  if (reports) {
    for (const file of reports.files) process.stdout.write(`report: ${file}\n`);
    if (reports.heatmaps > 0) process.stdout.write(`heatmaps: ${reports.heatmaps} PNGs (only findings at or above their threshold)\n`);
  }
  if (job.state === 'paused' || job.state === 'failed') process.stdout.write(`continue with: denseray batch --resume --job ${job.id}\n`);
  else if (!reports) process.stdout.write(`reports: denseray report ${job.id} --out worklist.html (or .csv, .json)\n`);
}
