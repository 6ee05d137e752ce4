import { readFileSync } from 'node:fs';
import { CHEXNET14_LABELS } from '../../common/manifest.ts';
import type { CreateModelRequest } from '../../common/contract/create-model.ts';
import { DenseNetFamily } from '../../common/contract/create-model.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { createModel } from '../../node/services/models/create-model.ts';
import { ExitCode, printJson, reportFailure } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';

const HELP = `Usage: denseray models create --arch densenet|densenet-b|densenet-c|densenet-bc (--depth <L> | --blocks <n,n,…>)
                              --labels <a,b,…|labels.json|chexnet14> --input-size <px> [options]

Creates an untrained DenseNet of the paper's family (Huang et al. 2017), randomly initialised from a
seed, and installs it, labelled untrained, for training from scratch:
  denseray finetune --model <id> --mode full --data labels.csv …

Network:
  --arch <family>           densenet (plain), densenet-b (1×1 bottleneck), densenet-c (compression 0.5),
                            densenet-bc (both); the flags below override the family's defaults
  --depth <L>               three equal dense blocks, L = 3·n·(2 with a bottleneck, else 1) + 4
                            (DenseNet-BC: 100 = 3×16 layers; DenseNet: 40 = 3×12)
  --blocks <n,n,…>          layers per dense block instead of --depth, any number of blocks
  --growth <k>              growth rate (default 12)
  --compression <θ>         transition keeps ⌊θ·m⌋ of m channels, 0 < θ ≤ 1
  --no-bottleneck           no 1×1 bottleneck before each 3×3 conv
  --bn-size <n>             bottleneck width n·k (default 4)
  --stem cifar|imagenet     cifar: one 3×3 conv (default with --depth); imagenet: 7×7/2 conv + max pool
  --stem-channels <n>       default 2k for DenseNet-BC and ImageNet stems, 16 otherwise
Input and labels:
  --labels <…>              comma-separated names, a JSON array file, or chexnet14
  --input-size <px>         e.g. 64, 128, 224
  --channels 1|3            grayscale once (default 1) or replicated to 3
Output:
  --seed <n>                initialisation seed (default 0)
  --id <id> --name <text>   of the new model
  --activate                make it the active model
  --json                    one JSON object
  --data-dir <dir>          where models live (default: DENSERAY_DATA_DIR or the OS app-data folder)
`;

const OPTIONS = {
  arch: { type: 'string' },
  depth: { type: 'string' },
  blocks: { type: 'string' },
  growth: { type: 'string' },
  compression: { type: 'string' },
  'no-bottleneck': { type: 'boolean' },
  'bn-size': { type: 'string' },
  stem: { type: 'string' },
  'stem-channels': { type: 'string' },
  labels: { type: 'string' },
  'input-size': { type: 'string' },
  channels: { type: 'string' },
  seed: { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  activate: { type: 'boolean' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `denseray models create …`: argv after `create`. */
export function runModelsCreate(argv: string[]): Promise<number> {
  return runWithArgs(argv, HELP, OPTIONS, async ({ values: v, positionals }) => {
    if (positionals.length > 0) throw new UsageError(`models create takes no positional arguments (got ${positionals.join(' ')})`);
    const arch = DenseNetFamily.safeParse(v.arch);
    if (!arch.success) throw new UsageError('--arch must be densenet, densenet-b, densenet-c or densenet-bc');
    if (!v.labels) throw new UsageError('models create needs --labels');
    const inputSize = parsePositiveInt(v['input-size'], '--input-size');
    if (inputSize === undefined) throw new UsageError('models create needs --input-size');
    const compression = v.compression === undefined ? undefined : Number(v.compression);
    if (compression !== undefined && !Number.isFinite(compression))
      throw new UsageError(`--compression expects a number, got "${v.compression}"`);
    if (v.stem !== undefined && v.stem !== 'cifar' && v.stem !== 'imagenet') throw new UsageError('--stem must be cifar or imagenet');
    const channels = v.channels === undefined ? undefined : Number(v.channels);
    if (channels !== undefined && channels !== 1 && channels !== 3) throw new UsageError('--channels must be 1 or 3');
    const depth = parsePositiveInt(v.depth, '--depth');
    const growthRate = parsePositiveInt(v.growth, '--growth');
    const bnSize = parsePositiveInt(v['bn-size'], '--bn-size');
    const stemChannels = parsePositiveInt(v['stem-channels'], '--stem-channels');
    const seed = parsePositiveInt(v.seed, '--seed');
    const request: CreateModelRequest = {
      arch: arch.data,
      labels: parseLabels(v.labels),
      inputSize,
      ...(depth !== undefined ? { depth } : {}),
      ...(v.blocks !== undefined ? { blocks: v.blocks.split(',').map((n) => parsePositiveInt(n.trim(), '--blocks')!) } : {}),
      ...(growthRate !== undefined ? { growthRate } : {}),
      ...(compression !== undefined ? { compression } : {}),
      ...(v['no-bottleneck'] ? { bottleneck: false } : {}),
      ...(bnSize !== undefined ? { bnSize } : {}),
      ...(v.stem !== undefined ? { stem: v.stem as 'cifar' | 'imagenet' } : {}),
      ...(stemChannels !== undefined ? { stemChannels } : {}),
      ...(channels !== undefined ? { channels: channels as 1 | 3 } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(v.id ? { id: v.id } : {}),
      ...(v.name ? { name: v.name } : {}),
      activate: v.activate === true,
    };
    const json = v.json === true;
    try {
      const created = createModel(resolveDataDir(v['data-dir']), request);
      if (json) printJson({ ok: true, ...created });
      else {
        const m = created.manifest;
        process.stdout.write(
          `created ${m.id}${request.activate ? ', active' : ''}: ${created.architecture}\n` +
            `${created.parameters.toLocaleString('en')} parameters, ${m.labels.length} labels (${m.labels.join(', ')}), ${m.preprocessing.size}×${m.preprocessing.size} px, ${m.spec.inChannels} channel(s)\n` +
            `untrained (seeded random weights): train it with  denseray finetune --model ${m.id} --mode full --data <labels.csv>\n`,
        );
      }
      return ExitCode.ok;
    } catch (error) {
      return reportFailure('models create', toErrorInfo(error), json);
    }
  });
}

/** `a,b,c`, `chexnet14`, or a JSON file holding an array of names. */
function parseLabels(option: string): string[] {
  if (option === 'chexnet14') return [...CHEXNET14_LABELS];
  if (option.endsWith('.json')) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(option, 'utf8'));
    } catch {
      throw new UsageError(`--labels ${option}: not a readable JSON file`);
    }
    if (!Array.isArray(raw) || !raw.every((l) => typeof l === 'string' && l.length > 0))
      throw new UsageError(`--labels ${option}: expected a JSON array of label names`);
    return raw as string[];
  }
  return option
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
}
