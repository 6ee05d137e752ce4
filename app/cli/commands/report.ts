import { RankRule } from '../../common/contract/batch.ts';
import { loadReportData } from '../../node/domain/batch/report/report-data.ts';
import { renderJson } from '../../node/domain/batch/report/json.ts';
import { reportFormatOf, writeReports } from '../../node/domain/batch/report/write-reports.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { StudyStore } from '../../node/domain/store/study-store.ts';
import { ExitCode, exitCodeFor, printJson, printJsonError, type Command } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';

const HELP = `Usage: denseray report <job> [--out <file>…] [--heatmaps <dir>] [--rank <rule>] [--top <n>] [--json]

Writes a batch job's reports again from the study store, without running the model.

Options:
  --out <file>        .csv, .json or .html (self-contained: opens in any browser, no server); repeatable
  --heatmaps <dir>    CAM overlay PNGs for each finding at or above its threshold
  --rank <rule>       triage (default) | max-probability | finding:<label>
  --top <n>           without --out: studies shown in the table (default 20)
  --json              without --out: the JSON report on stdout; with --out: what was written
  --data-dir <dir>    where the study store lives (default: DENSERAY_DATA_DIR or the OS app-data folder)
DenseRay is not a medical device.
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

export const reportCommand: Command = {
  name: 'report',
  summary: "write a batch job's CSV/JSON/HTML report again from the store (no model run)",
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      const jobId = parsePositiveInt(positionals[0], 'job id');
      if (!jobId) throw new UsageError('report needs a job id (see denseray jobs)');
      const rank = RankRule.safeParse(values.rank ?? 'triage');
      if (!rank.success) throw new UsageError(`--rank must be triage, max-probability or finding:<label>, got "${values.rank}"`);
      const top = parsePositiveInt(values.top, '--top') ?? 20;
      const out = values.out ?? [];
      for (const path of out) {
        try {
          reportFormatOf(path);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      }
      const json = values.json === true;
      let store: StudyStore | undefined;
      try {
        store = StudyStore.open(resolveDataDir(values['data-dir']), { verify: true });
        if (out.length === 0 && !values.heatmaps) {
          const data = loadReportData(store, jobId, rank.data);
          if (json) process.stdout.write(renderJson(data));
          else {
            process.stdout.write(`job ${jobId} worklist (${data.model.id}, ranked by ${data.rule}; DenseRay is not a medical device)\n`);
            for (const r of data.rows.slice(0, top)) {
              const what =
                r.status === 'ok'
                  ? r.inputSuspect
                    ? `input suspect: ${r.inputSuspectReason ?? ''}`
                    : r.flagged.join(', ') || '—'
                  : r.status === 'error'
                    ? `${r.error?.code}: ${r.error?.message}`
                    : 'pending';
              process.stdout.write(
                `${String(r.rank).padStart(5)}  ${(r.rankScore?.toFixed(3) ?? '  —').padStart(6)}  ${r.file}  ${what}\n`,
              );
            }
            if (data.rows.length > top) process.stdout.write(`… ${data.rows.length - top} more (--top, or --out worklist.html)\n`);
          }
          return ExitCode.ok;
        }
        const written = writeReports(store, jobId, { out, ...(values.heatmaps ? { heatmapsDir: values.heatmaps } : {}), rank: rank.data });
        if (json) printJson({ ok: true, reports: written.files, heatmaps: written.heatmaps, studies: written.studies });
        else {
          for (const file of written.files) process.stdout.write(`report: ${file} (${written.studies} studies)\n`);
          if (values.heatmaps) process.stdout.write(`heatmaps: ${written.heatmaps} PNGs in ${values.heatmaps}\n`);
        }
        return ExitCode.ok;
      } catch (error) {
        const info = toErrorInfo(error);
        if (json) printJsonError(info);
        else process.stderr.write(`denseray report: ${info.code}: ${info.message}\n`);
        return exitCodeFor(info);
      } finally {
        store?.close();
      }
    }),
};
