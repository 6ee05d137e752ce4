import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { fetchFromCatalogue, importFile, listCatalogue } from '../../node/services/models/catalogue-service.ts';
import { ModelStore } from '../../node/domain/store/model-store.ts';
import { ExitCode, exitCodeFor, printJson, printJsonError, type Command } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';

const HELP = `Usage:
  denseray models list [--json]
  denseray models show <id> [--json]          manifest and model card
  denseray models catalogue [--json]          published models DenseRay can fetch (licence, pin status)
  denseray models fetch <name> [--activate] [--json]
                         download a catalogue model (resumes), verify size/sha256, install it
  denseray models import <file> [--as <catalogue name>] [--activate] [--json]
                         a catalogue file carried by hand: recognised by sha256 or structure, or named
  denseray models import <file> [--arch densenet121|169|201|264|custom] [--labels chexnet14|labels.json]
                         [--id <id>] [--name <text>] [--size <px>] [--activate] [--json]
                         safetensors or PyTorch .pth (state_dict, {'state_dict': …}, whole pickled module,
                         legacy pre-1.6 checkpoints); nothing in the file is executed
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
  help: { type: 'boolean', short: 'h' },
} as const;

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list, fetch from the catalogue, import, show, activate or remove models',
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      const [action, target] = positionals;
      const store = new ModelStore(resolveDataDir(values['data-dir']));
      const json = values.json === true;
      try {
        switch (action) {
          case 'list': {
            store.ensureDemo();
            const active = store.activeId();
            const models = store.list().map(({ manifest: m }) => ({
              id: m.id,
              name: m.name,
              arch: m.arch,
              labels: m.labels.length,
              sha256: m.weights.sha256,
              demo: m.demo,
              active: m.id === active,
            }));
            if (json) printJson({ ok: true, models });
            else
              for (const m of models)
                process.stdout.write(
                  `${m.active ? '*' : ' '} ${m.id.padEnd(36)} ${m.arch.padEnd(12)} ${m.sha256.slice(0, 12)}  ${m.name}\n`,
                );
            return ExitCode.ok;
          }
          case 'show': {
            const model = store.get(requireTarget(target, 'show'));
            if (json) printJson({ ok: true, manifest: model.manifest, active: store.activeId() === model.manifest.id });
            else process.stdout.write(`${JSON.stringify(model.manifest, null, 2)}\n`);
            return ExitCode.ok;
          }
          case 'import': {
            const size = parsePositiveInt(values.size, '--size');
            const imported = importFile(store, requireTarget(target, 'import'), values.as, {
              ...(values.arch ? { arch: values.arch } : {}),
              ...(values.labels ? { labels: values.labels } : {}),
              ...(values.id ? { id: values.id } : {}),
              ...(values.name ? { name: values.name } : {}),
              ...(size ? { inputSize: size } : {}),
            });
            if (values.activate) store.setActive(imported.id);
            if (json) printJson({ ok: true, manifest: imported.manifest });
            else process.stdout.write(`${imported.text}${values.activate ? ', active' : ''}\n`);
            return ExitCode.ok;
          }
          case 'catalogue': {
            listCatalogue(store, json);
            return ExitCode.ok;
          }
          case 'fetch': {
            await fetchFromCatalogue(store, requireTarget(target, 'fetch'), { activate: values.activate === true, json });
            return ExitCode.ok;
          }
          case 'activate': {
            const id = requireTarget(target, 'activate');
            store.setActive(id);
            if (json) printJson({ ok: true, active: id });
            else process.stdout.write(`active model: ${id}\n`);
            return ExitCode.ok;
          }
          case 'remove': {
            const id = requireTarget(target, 'remove');
            store.remove(id);
            if (json) printJson({ ok: true, removed: id });
            else process.stdout.write(`removed ${id}\n`);
            return ExitCode.ok;
          }
          default:
            throw new UsageError(action ? `unknown models action "${action}"` : 'models needs an action');
        }
      } catch (error) {
        if (error instanceof UsageError) throw error;
        const info = toErrorInfo(error);
        if (json) printJsonError(info);
        else process.stderr.write(`denseray models: ${info.code}: ${info.message}\n`);
        return exitCodeFor(info);
      }
    }),
};

function requireTarget(target: string | undefined, action: string): string {
  if (!target) throw new UsageError(`models ${action} needs an argument`);
  return target;
}
