import type { JobSummary } from '../../common/contract/batch.ts';
import { describeOtherFiles, JobService } from '../../node/services/batch/job-service.ts';
import { readTransfers, renderTransfers } from '../../node/services/dicom-node/transfer-log.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { ExitCode, printJson, reportFailure, type Command } from '../command.ts';
import { plural } from '../format.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';

const HELP = `Usage:
  denseray jobs [list] [--json]     batch jobs with their state and counts
  denseray jobs show <id> [--json]  one job in detail (skip reasons, errors)
  denseray jobs pause <id>          ask the process running a job to pause it (resume: denseray batch --resume --job <id>)
  denseray jobs cancel <id>         stop a job for good (its stored results stay)
  denseray jobs transfers [--limit n] [--json]  the DICOM node's log: every receive and send (who, what, when, outcome)
Options: --data-dir <dir> (default: DENSERAY_DATA_DIR or the OS app-data folder)

States: queued, importing, running, paused, cancelled, done, failed; interrupted = it was running
and its process is gone (crash, kill): resume it.
`;

const OPTIONS = {
  json: { type: 'boolean' },
  limit: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const jobsCommand: Command = {
  name: 'jobs',
  summary: 'list batch jobs (state, counts); show, pause or cancel one',
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      const [action = 'list', target] = positionals;
      if (action === 'transfers')
        return showTransfers(values['data-dir'], parsePositiveInt(values.limit, '--limit') ?? 200, values.json === true);
      if (!['list', 'show', 'pause', 'cancel'].includes(action)) throw new UsageError(`unknown jobs action "${action}"`);
      const id = action === 'list' ? undefined : parsePositiveInt(target, 'job id');
      if (action !== 'list' && !id) throw new UsageError(`jobs ${action} needs a job id`);
      const json = values.json === true;
      const jobs = new JobService({ dataDir: resolveDataDir(values['data-dir']), verifyStore: true });
      try {
        if (id === undefined) {
          const list = jobs.list();
          if (json) printJson({ ok: true, jobs: list });
          else process.stdout.write(renderJobTable(list));
          return ExitCode.ok;
        }
        if (action === 'pause' || action === 'cancel') {
          // A job no live process runs changes state here; a running one is told through the store.
          const after = action === 'pause' ? jobs.pause(id) : jobs.cancel(id);
          if (json) printJson({ ok: true, job: after, requested: action });
          else process.stdout.write(`job ${id}: ${action} requested (now ${after.state})\n`);
          return ExitCode.ok;
        }
        const summary = jobs.summary(id);
        const files = jobs.otherFiles(id);
        if (json) printJson({ ok: true, job: summary, otherFiles: files });
        else process.stdout.write(describeJob(summary) + describeOtherFiles(files));
        return ExitCode.ok;
      } catch (error) {
        return reportFailure('jobs', toErrorInfo(error), json);
      } finally {
        await jobs.close();
      }
    }),
};

function showTransfers(dataDir: string | undefined, limit: number, json: boolean): number {
  try {
    const { transfers, counts } = readTransfers(resolveDataDir(dataDir), { limit, verify: true });
    if (json) printJson({ ok: true, counts, transfers });
    else process.stdout.write(renderTransfers(transfers, counts));
    return ExitCode.ok;
  } catch (error) {
    return reportFailure('jobs transfers', toErrorInfo(error), json);
  }
}

function renderJobTable(jobs: JobSummary[]): string {
  if (jobs.length === 0) return 'no jobs yet (start one with denseray batch <folder>)\n';
  const lines = [
    `${'id'.padStart(4)}  ${'state'.padEnd(11)}  ${'studies'.padStart(7)}  ${'done'.padStart(7)}  ${'errors'.padStart(6)}  ${'skipped'.padStart(7)}  ${'model'.padEnd(28)}  folders`,
  ];
  for (const j of jobs) {
    lines.push(
      `${String(j.id).padStart(4)}  ${j.state.padEnd(11)}  ${String(j.counts.studies).padStart(7)}  ${String(j.counts.finished).padStart(7)}  ${String(j.counts.failed).padStart(6)}  ${String(j.counts.filesSkipped).padStart(7)}  ${`${j.model.id}@${j.model.sha256.slice(0, 8)}`.padEnd(28)}  ${j.roots.join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A few readable lines about one job (shared by batch and jobs show). */
export function describeJob(j: JobSummary): string {
  const c = j.counts;
  const reasons = Object.entries(j.skipReasons)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return [
    `job ${j.id}: ${j.state} — ${c.finished}/${c.studies} studies finished (${c.finished - c.failed} classified, ${c.failed} errors)`,
    `  files: ${c.filesSeen} seen, ${c.filesSkipped} skipped${reasons ? ` (${reasons})` : ''}, ${plural(c.duplicates, 'duplicate')} of another file's image`,
    `  model: ${j.model.id} ${j.model.version}, weights ${j.model.sha256.slice(0, 12)}${j.model.demo ? ' (UNTRAINED DEMO)' : ''}`,
    `  folders: ${j.roots.join(', ')}`,
    ...(j.error ? [`  error: ${j.error.code}: ${j.error.message}`] : []),
    '',
  ].join('\n');
}
