import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { BackendChoice, type FileResult, type ModelInfo } from '../../common/contract/classify.ts';
import { thresholdOf } from '../../common/defaults.ts';
import type { AnalysisService } from '../../node/services/analysis/analysis-service.ts';
import { heatmapLabels, heatmapPng } from '../../node/services/analysis/heatmaps.ts';
import { createLocalAnalysis } from '../../node/services/analysis/local-analysis.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { ExitCode, printJson, reportFailure, type Command } from '../command.ts';
import { columnWidth, fitText, messageWithoutPath } from '../format.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';
import { ProgressBar } from '../progress.ts';
import { modelBanner } from './model-banner.ts';

const HELP = `Usage: denseray classify <file|dir…> [options]

Classifies chest X-rays (DICOM, PNG, JPEG; folders are walked) and prints each finding's probability.

Options:
  --model <id>            an installed model (default: the active one; see denseray models)
  --weights <file>        use a weights file directly (.safetensors or .pth) instead of an installed model
  --arch <name>           with --weights: densenet121|densenet169|densenet201|densenet264|custom
  --labels <l>            with --weights: chexnet14 (default for 14 outputs) or labels.json
  --size <px>             with --weights: input size (default 224)
  --backend <b>           auto (default: onnxruntime, else TensorFlow.js) | onnx | tfjs
  --threads <n>           inference threads (default: all cores)
  --frame <n>             DICOM frame to classify (default 0)
  --heatmaps <dir>        write a CAM overlay PNG for each finding at or above its threshold
  --top <n>               findings shown per file in the table (default 3)
  --json                  machine-readable output (see README)
  --data-dir <dir>        where models live (default: DENSERAY_DATA_DIR or the OS app-data folder)

Exit codes: 0 all files classified, 1 some files failed, 2 usage, 3 nothing could run.
DenseRay is not a medical device.
`;

const OPTIONS = {
  model: { type: 'string' },
  weights: { type: 'string' },
  arch: { type: 'string' },
  labels: { type: 'string' },
  size: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  frame: { type: 'string' },
  heatmaps: { type: 'string' },
  top: { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const classifyCommand: Command = {
  name: 'classify',
  summary: 'classify chest X-ray files or folders (probabilities, heatmaps)',
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      if (positionals.length === 0) throw new UsageError('classify needs at least one file or folder');
      const backend = values.backend === undefined ? undefined : BackendChoice.safeParse(values.backend);
      if (backend && !backend.success) throw new UsageError(`--backend must be auto, onnx or tfjs, got "${values.backend}"`);
      const frame = parsePositiveInt(values.frame, '--frame');
      const top = parsePositiveInt(values.top, '--top') ?? 3;
      const json = values.json === true;
      const analysis = createLocalAnalysis(resolveDataDir(values['data-dir']));
      try {
        const model = {
          modelId: values.model,
          weightsFile: values.weights,
          arch: values.arch,
          labels: values.labels,
          inputSize: parsePositiveInt(values.size, '--size'),
          backend: backend?.data,
          threads: parsePositiveInt(values.threads, '--threads'),
        };
        let info: ModelInfo;
        try {
          info = await analysis.open(model);
        } catch (error) {
          return reportFailure('classify', toErrorInfo(error), json);
        }
        if (!json) process.stdout.write(modelBanner(info));
        const { results } = await classifyWithProgress(analysis, await analysis.expand(positionals), {
          model,
          frame,
          cams: values.heatmaps !== undefined,
        });
        if (values.heatmaps) writeHeatmaps(values.heatmaps, results, info);
        if (json) printJson(classifyJson(info, results));
        else process.stdout.write(renderTable(results, info, top));
        return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.partialFailure;
      } finally {
        analysis.close();
      }
    }),
};

async function classifyWithProgress(
  analysis: AnalysisService,
  files: string[],
  options: { model: Parameters<AnalysisService['open']>[0]; frame: number | undefined; cams: boolean },
) {
  const progress = new ProgressBar(files.length, 'classify');
  const outcome = await analysis.classify(files, { ...options, onResult: (r) => progress.tick(r.ok) });
  progress.finish();
  return outcome;
}

/** The README's `classify --json` shape: the model that ran, then one entry per input in input order. */
export function classifyJson(model: ModelInfo, results: FileResult[]) {
  return {
    model: { id: model.id, arch: model.arch, sha256: model.sha256, demo: model.demo, backend: model.backend, precision: model.precision },
    results: results.map((r) =>
      r.ok
        ? { file: r.file, ok: true, probabilities: r.prediction.probabilities, guard: r.prediction.guard }
        : { file: r.file, ok: false, error: { code: r.error.code, message: r.error.message } },
    ),
  };
}

function renderTable(results: FileResult[], model: ModelInfo, top: number): string {
  const width = columnWidth(
    results.map((r) => basename(r.file)),
    4,
    40,
  );
  const lines = [`${'file'.padEnd(width)}  ${'score'.padStart(6)}  findings (probability; * = at or above threshold)`];
  for (const r of results) {
    const name = fitText(basename(r.file), width);
    if (!r.ok) {
      lines.push(`${name}  ${'error'.padStart(6)}  ${r.error.code}: ${messageWithoutPath(r.error.message, r.file)}`);
      continue;
    }
    const p = r.prediction;
    const ranked = Object.entries(p.probabilities)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top);
    const cells = ranked.map(([label, prob]) => `${label} ${prob.toFixed(3)}${prob >= thresholdOf(model.thresholds, label) ? '*' : ''}`);
    const guard = p.guard.suspect ? `  [INPUT_SUSPECT: ${p.guard.reason}]` : '';
    lines.push(`${name}  ${p.triageScore.toFixed(3).padStart(6)}  ${cells.join(', ')}${guard}`);
  }
  return `${lines.join('\n')}\n`;
}

function writeHeatmaps(dir: string, results: FileResult[], model: ModelInfo): void {
  mkdirSync(dir, { recursive: true });
  let written = 0;
  for (const r of results) {
    if (!r.ok) continue;
    for (const label of heatmapLabels(r.prediction)) {
      writeFileSync(join(dir, `${basename(r.file, extname(r.file))}.${label}.png`), heatmapPng(r.prediction, model, label));
      written++;
    }
  }
  process.stderr.write(`heatmaps: ${written} written to ${dir} (only findings at or above their threshold)\n`);
}
