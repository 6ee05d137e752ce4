import type { FidelityReport } from '../../common/manifest.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { DenseRayError, toErrorInfo } from '../../node/shared/errors.ts';
import { quantizeModel } from '../../node/services/models/quantize-model.ts';
import { ExitCode, printJson } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';

const HELP = `Usage:
  denseray models quantize <id> --calibration <dir> [--activate] [--force --reason <text>] [--threads <n>] [--json]

Makes an int8 variant of an installed float32 model and installs it as <id>-int8: the DenseNet runs
as an integer network (int8 weights per output channel; uint8 activations, per channel for the
tensors a dense block concatenates and per tensor for ReLU outputs; ranges calibrated on your images).
A quarter of the calibration images is held out: the variant is run beside its parent on them and
must stay within the fidelity bar (worst finding's mean |Δprob| ≤ 0.005, max |Δprob| ≤ 0.03,
flagged-state agreement ≥ 99%). The numbers go into its model card. A variant that misses the bar
is not installed, unless --force --reason "…" (the reason is recorded).
  --calibration <dir>   chest films like the ones you will classify (PNG, JPEG, DICOM; ≥ 16, 100+ is better)
  --max-images <n>      calibrate on at most n images (default: all; a quarter more are held out)
Options: --data-dir <dir> (default: DENSERAY_DATA_DIR or the OS app-data folder)
`;

/** The flags `models` must accept (strict parsing) so that it can hand `quantize` over. */
export const QUANTIZE_OPTIONS = {
  calibration: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  reason: { type: 'string' },
  threads: { type: 'string' },
  'max-images': { type: 'string' },
} as const;

const OPTIONS = {
  ...QUANTIZE_OPTIONS,
  'data-dir': { type: 'string' },
  activate: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `denseray models quantize …` (the whole `models` argv, `quantize` its first positional). */
export function runModelsQuantize(argv: string[]): Promise<number> {
  return runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
    const [, id, ...extra] = positionals;
    if (!id || extra.length > 0) throw new UsageError('models quantize needs exactly one model id');
    if (!values.calibration?.length) throw new UsageError('models quantize needs --calibration <dir> (your chest films)');
    if (values.force && !values.reason) throw new UsageError('--force needs --reason "<why>" (it is recorded in the model card)');
    const json = values.json === true;
    const threads = parsePositiveInt(values.threads, '--threads');
    const maxImages = parsePositiveInt(values['max-images'], '--max-images');
    const dataDir = resolveDataDir(values['data-dir']);
    try {
      const result = await quantizeModel(dataDir, {
        id,
        calibration: values.calibration,
        force: values.force === true,
        ...(values.reason ? { reason: values.reason } : {}),
        activate: values.activate === true,
        ...(threads ? { threads } : {}),
        ...(maxImages ? { maxCalibration: maxImages, maxHeldOut: Math.max(8, Math.ceil(maxImages / 3)) } : {}),
        onProgress: json ? undefined : progressLine,
      });
      if (!json) process.stderr.write('\n');
      if (json)
        printJson({ ok: true, manifest: result.manifest, passed: result.passed, failures: result.failures, activated: result.activated });
      else {
        process.stdout.write(reportText(result.report, result.failures));
        process.stdout.write(
          `installed ${result.manifest.id} (precision int8, parent ${id})${result.passed ? '' : ', FORCED past the bar'}${result.activated ? ', active' : ''}\n`,
        );
      }
      return ExitCode.ok;
    } catch (error) {
      if (!json) process.stderr.write('\n');
      const info = toErrorInfo(error);
      const report = error instanceof DenseRayError ? (error.details?.report as FidelityReport | undefined) : undefined;
      if (json) printJson({ ok: false, error: info });
      else {
        if (report) process.stdout.write(reportText(report, (error as DenseRayError).details?.failures as string[]));
        process.stderr.write(`denseray models quantize: ${info.code}: ${info.message}\n`);
      }
      return info.code === 'QUANTIZATION_GATE_FAILED' ? ExitCode.partialFailure : ExitCode.failure;
    }
  });
}

const PHASES = { calibrate: 'calibrating ranges', measure: 'grading against fp32' } as const;

function progressLine(phase: keyof typeof PHASES, done: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${PHASES[phase]}: ${done}/${total}      `);
}

function reportText(r: FidelityReport, failures: string[]): string {
  const rows = r.perFinding.map(
    (f) =>
      `  ${f.label.padEnd(22)} ${f.meanAbsDelta.toFixed(5).padStart(9)} ${f.maxAbsDelta.toFixed(5).padStart(9)} ${(f.flaggedAgreement * 100).toFixed(1).padStart(7)}%\n`,
  );
  return [
    `int8 vs fp32 on ${r.images} held-out images\n`,
    `  ${'finding'.padEnd(22)} ${'mean |Δp|'.padStart(9)} ${'max |Δp|'.padStart(9)} ${'flagged'.padStart(8)}\n`,
    ...rows,
    `  worst mean |Δp| ${r.meanAbsDelta.toFixed(5)}, max |Δp| ${r.maxAbsDelta.toFixed(5)}, flagged agreement ${(r.flaggedAgreement * 100).toFixed(2)}%, triage Spearman ${r.triageSpearman?.toFixed(4) ?? 'n/a'}\n`,
    r.cams
      ? `  heatmaps vs fp32 (${r.cams.maps} maps): Pearson r median ${r.cams.medianPearson?.toFixed(4) ?? 'n/a'}, worst ${r.cams.minPearson?.toFixed(4) ?? 'n/a'}; same hottest cell ${(r.cams.peakCellAgreement * 100).toFixed(1)}%\n`
      : '',
    failures.length ? `  MISSED THE BAR: ${failures.join('; ')}\n` : '  fidelity gate: passed\n',
  ].join('');
}
