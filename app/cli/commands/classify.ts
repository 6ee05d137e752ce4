import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { FileResult, ModelInfo } from '../../common/contract/classify.ts';
import { BackendChoice } from '../../common/contract/classify.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { openEngine } from '../../node/domain/engine/open-engine.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { renderCamOverlay } from '../../node/domain/imaging/heatmap-files.ts';
import { expandInputs } from '../../node/domain/input/expand-inputs.ts';
import { ExitCode, exitCodeFor, printJson, printJsonError, type Command } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';
import { ProgressBar } from '../progress.ts';

const HELP = `Usage: denseray classify <file|dir…> [options]

Classifies chest X-rays (DICOM, PNG, JPEG; folders are walked) and prints each finding's probability.

Options:
  --model <id>            an installed model (default: the active one; see denseray models)
  --weights <file>        use a weights file directly (.safetensors or .pth) instead of an installed model
  --arch <name>           with --weights: densenet121|densenet169|densenet201|densenet264|custom
  --labels <l>            with --weights: chexnet14 (default for 14 outputs) or labels.json
  --size <px>             with --weights: input size (default 224)
  --backend <b>           onnx (default) | tfjs | auto
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
      const backend = BackendChoice.safeParse(values.backend ?? 'onnx');
      if (!backend.success) throw new UsageError(`--backend must be onnx, tfjs or auto, got "${values.backend}"`);
      const threads = parsePositiveInt(values.threads, '--threads');
      const frame = parsePositiveInt(values.frame, '--frame');
      const size = parsePositiveInt(values.size, '--size');
      const top = parsePositiveInt(values.top, '--top') ?? 3;
      const json = values.json === true;

      let engine: Awaited<ReturnType<typeof openEngine>>;
      try {
        engine = await openEngine({
          dataDir: resolveDataDir(values['data-dir']),
          backend: backend.data,
          ...(values.model ? { modelId: values.model } : {}),
          ...(values.weights ? { weightsFile: values.weights } : {}),
          ...(values.arch ? { arch: values.arch } : {}),
          ...(values.labels ? { labels: values.labels } : {}),
          ...(size ? { inputSize: size } : {}),
          ...(threads ? { threads } : {}),
        });
      } catch (error) {
        const info = toErrorInfo(error);
        if (json) printJsonError(info);
        else process.stderr.write(`denseray classify: ${info.code}: ${info.message}\n`);
        return exitCodeFor(info);
      }
      try {
        const files = await expandInputs(positionals);
        const progress = new ProgressBar(files.length, 'classify');
        const model = engine.model;
        if (!json) process.stdout.write(modelBanner(model));
        const results = await engine.classifyFiles(files, {
          cams: values.heatmaps !== undefined,
          ...(frame !== undefined ? { frame } : {}),
          onResult: (r) => progress.tick(r.ok),
        });
        progress.finish();
        if (values.heatmaps) writeHeatmaps(values.heatmaps, results, model);
        if (json) {
          printJson({
            model: { id: model.id, arch: model.arch, sha256: model.sha256, demo: model.demo, backend: model.backend },
            results: results.map((r) =>
              r.ok
                ? { file: r.file, ok: true, probabilities: r.prediction.probabilities, guard: r.prediction.guard }
                : { file: r.file, ok: false, error: { code: r.error.code, message: r.error.message } },
            ),
          });
        } else {
          process.stdout.write(renderTable(results, model, top));
        }
        return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.partialFailure;
      } finally {
        await engine.runtime.dispose();
      }
    }),
};

function modelBanner(m: ModelInfo): string {
  const demo = m.demo ? '  ** UNTRAINED DEMO — for trying the app only; these numbers mean nothing **\n' : '';
  return `model ${m.id} (${m.arch}, weights ${m.sha256.slice(0, 12)}, ${m.backendDetail})\n${demo}DenseRay is not a medical device.\n\n`;
}

function renderTable(results: FileResult[], model: ModelInfo, top: number): string {
  const lines: string[] = [];
  const name = (f: string): string => basename(f);
  const width = Math.min(40, Math.max(4, ...results.map((r) => name(r.file).length)));
  lines.push(`${'file'.padEnd(width)}  ${'score'.padStart(6)}  findings (probability; * = at or above threshold)`);
  for (const r of results) {
    if (!r.ok) {
      lines.push(`${name(r.file).padEnd(width)}  ${'error'.padStart(6)}  ${r.error.code}: ${r.error.message}`);
      continue;
    }
    const p = r.prediction;
    const ranked = Object.entries(p.probabilities)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top);
    const cells = ranked.map(([label, prob]) => `${label} ${prob.toFixed(3)}${prob >= (model.thresholds[label] ?? 0.5) ? '*' : ''}`);
    const guard = p.guard.suspect ? `  [INPUT_SUSPECT: ${p.guard.reason}]` : '';
    lines.push(`${name(r.file).padEnd(width)}  ${p.triageScore.toFixed(3).padStart(6)}  ${cells.join(', ')}${guard}`);
  }
  return `${lines.join('\n')}\n`;
}

function writeHeatmaps(dir: string, results: FileResult[], model: ModelInfo): void {
  mkdirSync(dir, { recursive: true });
  let written = 0;
  for (const r of results) {
    if (!r.ok || !r.prediction.cams || !r.prediction.modelInput || r.prediction.guard.suspect) continue;
    for (const label of r.prediction.flagged) {
      const k = model.labels.indexOf(label);
      const png = renderCamOverlay(r.prediction.modelInput, r.prediction.cams, k);
      writeFileSync(join(dir, `${basename(r.file, extname(r.file))}.${label}.png`), png);
      written++;
    }
  }
  process.stderr.write(`heatmaps: ${written} written to ${dir} (only findings at or above their threshold)\n`);
}
