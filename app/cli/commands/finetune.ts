import {
  FinetuneMode,
  type DatasetSummary,
  type FinetuneEvent,
  type FinetuneRequest,
  type FinetuneResult,
  type LrRangeResult,
  type TrainingPlan,
} from '../../common/contract/finetune.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { findLearningRate, fineTune } from '../../node/services/finetune/finetune-service.ts';
import { ExitCode, printJson, reportFailure, type Command } from '../command.ts';
import { type parseCommandArgs, parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';
import { formatSeconds } from '../progress.ts';

const HELP = `Usage: denseray finetune --data <labels.csv|folder> --mode head|last-block|full [options]

Adapts a model to your labelled X-rays and installs the result as a new model version.

Data:
  --data <path>             CSV (image path, patient id, one 0/1 column per label, or NIH "Finding Labels"
                            with | separators) or a folder with one sub-folder per class
                            (a folder named normal / no finding / negative means "none of the labels")
  --images <dir>            folder the CSV's image paths are relative to (default: the CSV's folder)
  --labels <a,b>            train only these labels (default: all found)
  --keep-no-finding-only    NIH CSV: keep rows with a chosen label or "No Finding", drop the rest
  --split-file <csv>        fixed split (image,split); default: by patient, stratified, seeded
  --val <f> --test <f>      split fractions (default 0.15 and 0.15)
Training:
  --mode <m>                head (linear probe on cached features) | last-block | full
  --model <id>              model to start from (default: the active one)
  --epochs <n> --lr <x> --batch <n> --seed <n> --weight-decay <x> --patience <n>
  --augment                 small rotation/scale/shift/brightness/contrast (never a left-right flip)
  --micro-batch <n>         rows per forward/backward pass, gradients summed up to --batch
                            (default: the batch, or fewer when memory is short)
  --engine <e>              onnxruntime (default) | tfjs (the fallback)
  --target-sensitivity <x>  choose thresholds for this sensitivity (default: Youden's J)
  --find-lr                 run the learning-rate range test only and print the curve
  --resume <job id>         continue a stopped job from its last checkpoint
Output:
  --id <id> --name <text>   of the new model (default id: <parent>-ft-<mode>-<time>)
  --activate                make the new model the active one
  --json                    one JSON object at the end
  --data-dir <dir>          where models live (default: DENSERAY_DATA_DIR or the OS app-data folder)

Ctrl-C stops after the current step and keeps the best epoch so far. DenseRay is not a medical device.
`;

const OPTIONS = {
  data: { type: 'string' },
  images: { type: 'string' },
  labels: { type: 'string' },
  'keep-no-finding-only': { type: 'boolean' },
  'split-file': { type: 'string' },
  val: { type: 'string' },
  test: { type: 'string' },
  mode: { type: 'string' },
  model: { type: 'string' },
  epochs: { type: 'string' },
  lr: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  'weight-decay': { type: 'string' },
  patience: { type: 'string' },
  augment: { type: 'boolean' },
  'micro-batch': { type: 'string' },
  engine: { type: 'string' },
  'target-sensitivity': { type: 'string' },
  'find-lr': { type: 'boolean' },
  resume: { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  activate: { type: 'boolean' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const finetuneCommand: Command = {
  name: 'finetune',
  summary: 'fine-tune a model on your own labelled X-rays (new model version)',
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values: v }) => {
      const json = v.json === true;
      const dataDir = resolveDataDir(v['data-dir']);
      const request = v.resume ? undefined : buildRequest(v);
      const controller = new AbortController();
      const onSigint = (): void => {
        process.stderr.write('\nstopping after this step; the best epoch so far will be kept…\n');
        controller.abort();
      };
      process.once('SIGINT', onSigint);
      const view = new TrainingView(json);
      try {
        if (v['find-lr']) {
          const lr = await findLearningRate(dataDir, request!, { signal: controller.signal, onEvent: (e) => view.event(e) });
          if (json) printJson({ ok: true, findLr: lr });
          else process.stdout.write(renderLrCurve(lr));
          return ExitCode.ok;
        }
        const outcome = await fineTune(dataDir, v.resume ? { resumeJobId: v.resume } : { request: request! }, {
          signal: controller.signal,
          onEvent: (e) => view.event(e),
        });
        const { model: _model, predictions: _predictions, ...result } = outcome;
        if (json) printJson({ ok: true, summary: view.summary, result });
        else process.stdout.write(renderResult(result));
        return result.modelId ? ExitCode.ok : ExitCode.partialFailure;
      } catch (error) {
        view.clear();
        return reportFailure('finetune', toErrorInfo(error), json);
      } finally {
        process.off('SIGINT', onSigint);
      }
    }),
};

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

function buildRequest(v: Values): FinetuneRequest {
  if (!v.data) throw new UsageError('finetune needs --data (a labels CSV or a folder per class)');
  const mode = FinetuneMode.safeParse(v.mode);
  if (!mode.success) throw new UsageError(`--mode must be head, last-block or full, got "${v.mode ?? ''}"`);
  const epochs = parsePositiveInt(v.epochs, '--epochs');
  const batchSize = parsePositiveInt(v.batch, '--batch');
  const seed = parsePositiveInt(v.seed, '--seed');
  const patience = parsePositiveInt(v.patience, '--patience');
  const learningRate = parseNumber(v.lr, '--lr');
  const weightDecay = parseNumber(v['weight-decay'], '--weight-decay');
  const target = parseNumber(v['target-sensitivity'], '--target-sensitivity');
  const val = parseNumber(v.val, '--val');
  const test = parseNumber(v.test, '--test');
  return {
    data: v.data,
    mode: mode.data,
    ...(v.images ? { images: v.images } : {}),
    ...(v.labels
      ? {
          labels: v.labels
            .split(',')
            .map((l) => l.trim())
            .filter(Boolean),
        }
      : {}),
    keep: v['keep-no-finding-only'] ? 'labelled-or-no-finding' : 'all',
    ...(v['split-file'] ? { splitFile: v['split-file'] } : {}),
    ...(val !== undefined ? { valFraction: val } : {}),
    ...(test !== undefined ? { testFraction: test } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(v.model ? { parentId: v.model } : {}),
    ...(v.id ? { id: v.id } : {}),
    ...(v.name ? { name: v.name } : {}),
    activate: v.activate === true,
    ...microBatchAndEngine(v),
    hyperParameters: {
      ...(epochs !== undefined ? { epochs } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(learningRate !== undefined ? { learningRate } : {}),
      ...(weightDecay !== undefined ? { weightDecay } : {}),
      ...(patience !== undefined ? { patience } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(v.augment ? { augmentation: {} } : {}),
      ...(target !== undefined ? { thresholdRule: { kind: 'target-sensitivity' as const, sensitivity: target } } : {}),
    },
  };
}

function microBatchAndEngine(v: Values): { microBatch?: number; engine?: 'onnxruntime' | 'tfjs' } {
  const microBatch = parsePositiveInt(v['micro-batch'], '--micro-batch');
  if (microBatch === 0) throw new UsageError('--micro-batch must be at least 1');
  if (v.engine !== undefined && v.engine !== 'onnxruntime' && v.engine !== 'tfjs')
    throw new UsageError('--engine must be onnxruntime or tfjs');
  return { ...(microBatch !== undefined ? { microBatch } : {}), ...(v.engine ? { engine: v.engine } : {}) };
}

function parseNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} expects a number, got "${value}"`);
  return n;
}

const fmt = (x: number | null | undefined, d = 3): string => (x === null || x === undefined ? 'n/a' : x.toFixed(d));

/** Split summary and per-epoch lines on stdout; a live step line on stderr when it is a terminal. */
class TrainingView {
  summary: DatasetSummary | undefined;
  private live = false;
  private lastDraw = 0;

  constructor(
    private readonly quiet: boolean,
    private readonly tty = process.stderr.isTTY === true,
  ) {}

  event(e: FinetuneEvent): void {
    if (e.type === 'prepared') {
      this.summary = e.summary;
      if (!this.quiet) process.stdout.write(renderSummary(e.summary));
    } else if (e.type === 'plan') {
      if (!this.quiet) process.stdout.write(`${renderPlan(e.plan)}\n`);
    } else if (e.type === 'caching') {
      this.draw(`features ${e.done}/${e.total} (${e.reused} from cache)`, e.done === e.total);
    } else if (e.type === 'step') {
      const width = 20;
      const filled = Math.round((e.step / e.steps) * width);
      this.draw(
        `epoch ${e.epoch}/${e.epochs} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] step ${e.step}/${e.steps} loss ${e.loss.toFixed(4)} lr ${e.learningRate.toExponential(1)} ETA ${formatSeconds(e.etaSeconds)}`,
        false,
      );
    } else if (e.type === 'epoch') {
      this.clear();
      const r = e.record;
      if (!this.quiet)
        process.stdout.write(
          `epoch ${String(r.epoch).padStart(3)}  train loss ${r.trainLoss.toFixed(4)}  val loss ${r.valLoss.toFixed(4)}  val mean AUROC ${fmt(r.valMeanAuroc)}  lr ${r.learningRate.toExponential(1)}  ${r.seconds.toFixed(1)}s${e.best ? '  *best' : ''}\n`,
        );
    }
  }

  clear(): void {
    if (this.live) process.stderr.write('\r\x1b[K');
    this.live = false;
  }

  private draw(line: string, final: boolean): void {
    if (this.quiet || !this.tty) return;
    const now = Date.now();
    if (!final && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    process.stderr.write(`\r\x1b[K${line}`);
    this.live = true;
    if (final) this.clear();
  }
}

function renderPlan(p: TrainingPlan): string {
  const gb = (b: number | null): string => (b === null ? '?' : `${(b / 2 ** 30).toFixed(1)} GB`);
  const split = p.microBatch < p.batchSize ? `, micro-batches of ${p.microBatch} summed to batch ${p.batchSize}` : `, batch ${p.batchSize}`;
  const memory = p.estimatedBytes === null ? '' : ` (estimated ${gb(p.estimatedBytes)} of ${gb(p.availableBytes)} available)`;
  return `training on ${p.engine}: ${p.detail}${split}${memory}`;
}

function renderSummary(s: DatasetSummary): string {
  const lines = [`data ${s.source} (${s.format}): ${s.images} images, ${s.patients} patients, labels ${s.labels.join(', ')}`];
  if (s.patientIds === 'per-image')
    lines.push('  note: no patient ids — each image counts as its own patient, so a patient with several images may span splits');
  lines.push(`split (${s.split.method === 'file' ? 'as given' : 'by patient, stratified'}):`);
  for (const name of ['train', 'val', 'test'] as const) {
    const p = s.split[name];
    lines.push(
      `  ${name.padEnd(5)} ${String(p.images).padStart(6)} images ${String(p.patients).padStart(6)} patients  ${Object.entries(p.positives)
        .map(([l, n]) => `${l} ${n}+/${p.images - n}-`)
        .join('  ')}`,
    );
  }
  if (s.problems.length > 0) {
    lines.push(`${s.problems.length} file problem(s), left out:`);
    for (const p of s.problems.slice(0, 10)) lines.push(`  ${p.code.padEnd(18)} ${p.file}: ${p.message}`);
    if (s.problems.length > 10) lines.push(`  … ${s.problems.length - 10} more (use --json for all)`);
  }
  return `${lines.join('\n')}\n\n`;
}

function renderResult(r: Omit<FinetuneResult, never>): string {
  const lines = ['', `stopped by ${r.stoppedBy}; best epoch ${r.bestEpoch}`];
  if (!r.modelId || !r.metrics) return `${lines.join('\n')}\nno epoch finished: nothing installed (job ${r.jobId})\n`;
  const m = r.metrics;
  const split = m.test ? 'test' : 'val';
  const main = m[split]!;
  const parent = m.parent?.[split] ?? null;
  lines.push(`${split} metrics (${main.images} images; thresholds chosen on val):`, '');
  lines.push(
    `${'label'.padEnd(20)} ${'AUROC'.padStart(6)} ${'AP'.padStart(6)} ${'thresh'.padStart(6)} ${'sens'.padStart(6)} ${'spec'.padStart(6)} ${'ECE'.padStart(6)} ${'parent AUROC'.padStart(12)}`,
  );
  for (const l of main.perLabel) {
    const p = parent?.perLabel.find((x) => x.label === l.label);
    lines.push(
      `${l.label.padEnd(20)} ${fmt(l.auroc).padStart(6)} ${fmt(l.averagePrecision).padStart(6)} ${fmt(l.threshold).padStart(6)} ${fmt(l.sensitivity).padStart(6)} ${fmt(l.specificity).padStart(6)} ${fmt(l.ece).padStart(6)} ${(p ? fmt(p.auroc) : 'new').padStart(12)}`,
    );
  }
  lines.push(
    `${'mean'.padEnd(20)} ${fmt(main.meanAuroc).padStart(6)}${' '.repeat(36)}${(parent ? fmt(parent.meanAuroc) : '').padStart(12)}`,
  );
  if (m.test) lines.push(`(val mean AUROC ${fmt(m.val.meanAuroc)}: optimistic, it picked the epoch and thresholds)`);
  lines.push(
    '',
    `installed model ${r.modelId} (parent ${r.parentId}); switch with: denseray models activate ${r.modelId}`,
    `job ${r.jobId}`,
    'DenseRay is not a medical device.',
    '',
  );
  return lines.join('\n');
}

function renderLrCurve(lr: LrRangeResult): string {
  const losses = lr.points.map((p) => p.loss);
  const lo = Math.min(...losses);
  const hi = Math.max(...losses);
  const lines = ['learning rate   loss'];
  for (const p of lr.points) {
    const bar = hi > lo ? Math.round(((p.loss - lo) / (hi - lo)) * 40) : 0;
    lines.push(`${p.learningRate.toExponential(2).padStart(10)}  ${p.loss.toFixed(4)} ${'#'.repeat(bar)}`);
  }
  lines.push(
    '',
    lr.suggested
      ? `suggested --lr ${lr.suggested.toExponential(1)} (steepest fall of the loss)`
      : 'the loss never fell: try a smaller range or check the data',
    '',
  );
  return lines.join('\n');
}
