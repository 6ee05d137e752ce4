import { checkStore, rebuildStore } from '../../node/services/store/store-service.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { ExitCode, exitCodeFor, printJson, printJsonError, type Command } from '../command.ts';
import { runWithArgs, UsageError } from '../parse-args.ts';

const HELP = `Usage:
  denseray store check [--full] [--json]   SQLite's own consistency check of the study store (read-only)
  denseray store rebuild [--json]          set a damaged store aside (renamed, never deleted) and start a fresh one

The study store (studies.sqlite in the data folder) holds what batches derived from your images:
file identities, results, heatmaps, jobs. It can always be rebuilt: after a rebuild, run the same
denseray batch again to recompute the results.
Options:
  --full             integrity_check instead of quick_check (also compares index contents; slower)
  --data-dir <dir>   where the study store lives (default: DENSERAY_DATA_DIR or the OS app-data folder)
Exit codes: 0 healthy (check) or rebuilt, 5 the store is damaged (check), 3 could not run.
`;

const OPTIONS = {
  full: { type: 'boolean' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const storeCommand: Command = {
  name: 'store',
  summary: 'check the study store for damage, or set a damaged one aside and start afresh',
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      const [action] = positionals;
      if (action !== 'check' && action !== 'rebuild') throw new UsageError('store needs check or rebuild');
      const json = values.json === true;
      const dataDir = resolveDataDir(values['data-dir']);
      try {
        if (action === 'check') {
          const health = checkStore(dataDir, { full: values.full === true });
          if (json) printJson(health);
          else if (!health.exists) process.stdout.write(`no study store yet at ${health.file} (nothing to check)\n`);
          else if (health.ok) process.stdout.write(`${health.file}: ${health.check} ok\n`);
          else
            process.stdout.write(
              `${health.file}: DAMAGED (${health.check}):\n${health.problems.map((p) => `  ${p}`).join('\n')}\n` +
                'results can be recomputed: denseray store rebuild (keeps the damaged file aside), then run the batch again\n',
            );
          return health.ok ? ExitCode.ok : ExitCode.storeCorrupt;
        }
        const rebuilt = rebuildStore(dataDir);
        if (json) printJson({ ok: true, ...rebuilt });
        else
          process.stdout.write(
            `${rebuilt.setAside.length > 0 ? `set aside: ${rebuilt.setAside.join(', ')}\n` : 'there was no store to set aside\n'}` +
              `new, empty study store: ${rebuilt.file}\n${rebuilt.nextStep}\n`,
          );
        return ExitCode.ok;
      } catch (error) {
        const info = toErrorInfo(error);
        if (json) printJsonError(info);
        else process.stderr.write(`denseray store: ${info.code}: ${info.message}\n`);
        return exitCodeFor(info);
      }
    }),
};
