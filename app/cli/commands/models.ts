import type { FetchProgress, PinStatus } from '../../common/contract/catalogue.ts';
import type { CatalogueRow } from '../../node/services/models/catalogue-service.ts';
import { ModelsService } from '../../node/services/models/models-service.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { ExitCode, printJson, reportFailure, type Command } from '../command.ts';
import { downloadProgressLine } from '../download-progress.ts';
import { columnWidth, fitText } from '../format.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';
import { runModelsCreate } from './models-create.ts';
import { QUANTIZE_OPTIONS, runModelsQuantize } from './models-quantize.ts';

const HELP = `Usage:
  denseray models list [--json]
  denseray models show <id> [--json]          model card: architecture, labels and thresholds, provenance
  denseray models catalogue [--json]          published models DenseRay can fetch (licence, pin status)
  denseray models fetch <name> [--activate] [--json]
                         download a catalogue model (resumes), verify size/sha256, install it
  denseray models import <file> [--as <catalogue name>] [--activate] [--json]
                         a catalogue file carried by hand: recognised by sha256 or structure, or named
  denseray models create --arch densenet-bc --depth 100 --growth 12 --labels a,b --input-size 64 [...]
                         a new untrained DenseNet of the paper's family, to train from scratch (create --help)
  denseray models import <file> [--arch densenet121|169|201|264|custom] [--labels chexnet14|labels.json]
                         [--id <id>] [--name <text>] [--size <px>] [--activate] [--json]
                         safetensors or PyTorch .pth (state_dict, {'state_dict': …}, whole pickled module,
                         legacy pre-1.6 checkpoints); nothing in the file is executed
  denseray models quantize <id> --calibration <dir> [--activate] [--force --reason <text>]
                         an int8 variant, graded against this model before it may be used (see --help)
  denseray models activate <id>               use this model for classify (and the app)
  denseray models remove <id>
Options: --data-dir <dir> (default: DENSERAY_DATA_DIR or the OS app-data folder)
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  arch: { type: 'string' },
  labels: { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  size: { type: 'string' },
  activate: { type: 'boolean' },
  as: { type: 'string' },
  ...QUANTIZE_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

const out = (text: string): void => void process.stdout.write(text);

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list, fetch from the catalogue, import, show, activate or remove models',
  // `models create` has options of its own, so it is routed before the shared strict parse.
  run: (argv) =>
    argv[0] === 'create'
      ? runModelsCreate(argv.slice(1))
      : runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
          const [action, target, ...extra] = positionals;
          if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
          const models = new ModelsService(resolveDataDir(values['data-dir']));
          const json = values.json === true;
          try {
            switch (action) {
              case 'list': {
                const rows = models.list().map(({ manifest: m, active }) => ({
                  id: m.id,
                  name: m.name,
                  arch: m.arch,
                  labels: m.labels.length,
                  sha256: m.weights.sha256,
                  demo: m.demo,
                  precision: m.precision ?? 'fp32',
                  active,
                }));
                if (json) printJson({ ok: true, models: rows });
                else {
                  const idWidth = columnWidth(
                    rows.map((m) => m.id),
                    8,
                    40,
                  );
                  for (const m of rows)
                    out(`${m.active ? '*' : ' '} ${fitText(m.id, idWidth)}  ${m.arch.padEnd(12)} ${m.sha256.slice(0, 12)}  ${m.name}\n`);
                  out('\n* active.  Details: denseray models show <id>\n');
                }
                return ExitCode.ok;
              }
              case 'show': {
                const details = models.show(requireTarget(target, 'show'));
                if (json) printJson({ ok: true, manifest: details.manifest, active: details.active, parameters: details.parameters });
                else {
                  const m = details.manifest;
                  out(`${m.id}${details.active ? ' (active)' : ''}: ${m.arch}, ${(details.parameters / 1e6).toFixed(2)} M parameters\n\n`);
                  out(details.card ? `${details.card.trimEnd()}\n` : `${JSON.stringify(m, null, 2)}\n`);
                }
                return ExitCode.ok;
              }
              case 'import': {
                const size = parsePositiveInt(values.size, '--size');
                const imported = models.import(requireTarget(target, 'import'), {
                  as: values.as,
                  arch: values.arch,
                  labels: values.labels,
                  id: values.id,
                  name: values.name,
                  inputSize: size,
                  activate: values.activate === true,
                });
                const m = imported.manifest;
                if (json) printJson({ ok: true, manifest: m });
                else if (imported.catalogue) {
                  const c = imported.catalogue;
                  out(
                    `imported ${m.id} from the catalogue (recognised by ${c.recognisedBy}; ${m.labels.length} labels; ${pinText(c.pin, c.sha256)})${imported.active ? ', active' : ''}\n`,
                  );
                } else
                  out(
                    `imported ${m.id} (${m.arch}, ${m.labels.length} labels, sha256 ${m.weights.sha256.slice(0, 12)})${imported.active ? ', active' : ''}\n`,
                  );
                return ExitCode.ok;
              }
              case 'catalogue': {
                const rows = models.catalogue();
                if (json) printJson({ ok: true, models: rows });
                else out(renderCatalogue(rows));
                return ExitCode.ok;
              }
              case 'fetch':
                return await fetchModel(models, requireTarget(target, 'fetch'), values.activate === true, json);
              case 'quantize':
                return await runModelsQuantize(argv);
              case 'activate': {
                const id = requireTarget(target, 'activate');
                models.activate(id);
                if (json) printJson({ ok: true, active: id });
                else out(`active model: ${id}\n`);
                return ExitCode.ok;
              }
              case 'remove': {
                const id = requireTarget(target, 'remove');
                models.remove(id);
                if (json) printJson({ ok: true, removed: id });
                else out(`removed ${id}\n`);
                return ExitCode.ok;
              }
              default:
                throw new UsageError(
                  action
                    ? `unknown models action "${action}"`
                    : 'models needs an action: list, show, catalogue, fetch, import, quantize, activate or remove',
                );
            }
          } catch (error) {
            if (error instanceof UsageError) throw error;
            return reportFailure('models', toErrorInfo(error), json);
          }
        }),
};

function pinText(pin: PinStatus, sha256: string | null): string {
  if (pin === 'pinned') return `sha256 pinned ${sha256!.slice(0, 12)}`;
  if (pin === 'recorded') return `sha256 unpinned in the catalogue; recorded here ${sha256!.slice(0, 12)}`;
  return 'sha256 unpinned';
}

function requireTarget(target: string | undefined, action: string): string {
  if (!target) throw new UsageError(`models ${action} needs an argument`);
  return target;
}

function renderCatalogue(rows: CatalogueRow[]): string {
  const lines = rows.map((r) => {
    const state = r.active ? '*' : r.installed ? '+' : ' ';
    const pin = `${pinText(r.pin, r.sha256)}${r.gitBlob && r.pin === 'unpinned' ? ' (git blob id pinned)' : ''}`;
    return `${state} ${r.name.padEnd(28)} ${String(r.labels).padStart(2)} labels  ${r.inputChannels}ch  ${pin.padEnd(44)} ${r.licence}`;
  });
  return `${lines.join('\n')}\n\n* active  + installed.  Fetch one with: denseray models fetch <name> [--activate]\n`;
}

async function fetchModel(models: ModelsService, name: string, activate: boolean, json: boolean): Promise<number> {
  const showBar = !json && process.stderr.isTTY === true;
  const started = Date.now();
  let startBytes: number | undefined;
  let lastDraw = 0;
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const onProgress = (p: FetchProgress): void => {
    startBytes ??= p.receivedBytes;
    const now = Date.now();
    if (showBar && p.phase === 'download' && (now - lastDraw > 100 || p.receivedBytes === p.totalBytes)) {
      lastDraw = now;
      process.stderr.write(`\r${downloadProgressLine(p, now - started, startBytes)}`);
    }
    if (showBar && p.phase === 'verify') process.stderr.write('\nverifying and importing…\n');
  };
  try {
    const result = await models.fetch(name, { activate, signal: controller.signal, onProgress });
    if (json) {
      printJson({ ok: true, ...result });
      return ExitCode.ok;
    }
    out(
      `installed ${result.manifest.id} (${result.manifest.labels.length} labels, ${result.bytes} bytes${result.resumed ? ', resumed' : ''})${result.active ? ', active' : ''}\n`,
    );
    out(
      `sha256 ${result.sha256} — ${result.pin === 'pinned' ? 'matches the catalogue pin' : 'unpinned in the catalogue: recorded on this machine, later downloads must match it'}\n`,
    );
    return ExitCode.ok;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
