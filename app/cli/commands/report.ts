import { RankRule } from '../../common/contract/batch.ts';
import { JobService, reportFormatOf } from '../../node/services/batch/job-service.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { ExitCode, printJson, reportFailure, type Command } from '../command.ts';
import { plural } from '../format.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';
import { worklistLine } from './worklist-line.ts';

const HELP = `Usage: denseray report <job> [--out <file>…] [--heatmaps <dir>] [--rank <rule>] [--top <n>] [--json]

Writes a batch job's reports again from the study store, without running the model.

Options:
  --out <file>        .csv, .json or .html (self-contained: opens in any browser, no server); repeatable
  --heatmaps <dir>    CAM overlay PNGs for each finding at or above its threshold
  --rank <rule>       triage (default) | max-probability | finding:<label>
  --top <n>           without --out: studies shown in the table (default 20)
  --json              without --out: the JSON report on stdout; with --out: what was written
  --data-dir <dir>    where the study store lives (default: DENSERAY_DATA_DIR or the OS app-data folder)

Studies whose input the guard found unlike a frontal chest film are listed after every scored
study, in their own "check input" group, whatever their score. DenseRay is not a medical device.
`;

const OPTIONS = {
  out: { type: 'string', multiple: true },
  heatmaps: { type: 'string' },
  rank: { type: 'string' },
  top: { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses --rank, or a usage error naming the choices. */
export function parseRank(value: string | undefined): RankRule {
  const rank = RankRule.safeParse(value ?? 'triage');
  if (!rank.success) throw new UsageError(`--rank must be triage, max-probability or finding:<label>, got "${value}"`);
  return rank.data;
}

/** Checks every --out path's extension before any work starts. */
export function checkReportPaths(paths: string[]): void {
  for (const path of paths) {
    try {
      reportFormatOf(path);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
}

export const reportCommand: Command = {
  name: 'report',
  summary: "write a batch job's CSV/JSON/HTML report again from the store (no model run)",
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      const jobId = parsePositiveInt(positionals[0], 'job id');
      if (!jobId) throw new UsageError('report needs a job id (see denseray jobs)');
      const rank = parseRank(values.rank);
      const top = parsePositiveInt(values.top, '--top') ?? 20;
      const out = values.out ?? [];
      checkReportPaths(out);
      const json = values.json === true;
      const jobs = new JobService({ dataDir: resolveDataDir(values['data-dir']), verifyStore: true });
      try {
        if (out.length === 0 && !values.heatmaps) {
          if (json) {
            process.stdout.write(jobs.reportJson(jobId, rank));
            return ExitCode.ok;
          }
          const data = jobs.reportData(jobId, rank);
          process.stdout.write(`job ${jobId} worklist (${data.model.id}, ranked by ${data.rule}; DenseRay is not a medical device)\n`);
          for (const r of data.rows.slice(0, top)) process.stdout.write(`${worklistLine(r)}\n`);
          if (data.rows.length > top)
            process.stdout.write(`… ${plural(data.rows.length - top, 'more study', 'more studies')} (--top, or --out worklist.html)\n`);
          return ExitCode.ok;
        }
        const written = jobs.writeReports(jobId, { out, heatmapsDir: values.heatmaps, rank });
        if (json) printJson({ ok: true, reports: written.files, heatmaps: written.heatmaps, studies: written.studies });
        else {
          for (const file of written.files) process.stdout.write(`report: ${file} (${plural(written.studies, 'study', 'studies')})\n`);
          if (values.heatmaps) process.stdout.write(`heatmaps: ${plural(written.heatmaps, 'PNG')} in ${values.heatmaps}\n`);
        }
        return ExitCode.ok;
      } catch (error) {
        return reportFailure('report', toErrorInfo(error), json);
      } finally {
        await jobs.close();
      }
    }),
};
