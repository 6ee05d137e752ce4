import type { ModelManifest, QuantizationRecord } from '../../../common/manifest.ts';
import { thresholdOf } from '../../../common/defaults.ts';
import { isKnownArch, parameterCount, specSummary } from './spec.ts';

/** A model card a person can read, generated from the manifest so the two never disagree. */
export function renderModelCard(m: ModelManifest): string {
  const spec = { ...m.spec, numClasses: m.labels.length };
  const lines = [
    `# ${m.name}`,
    '',
    m.demo
      ? `> **Untrained${isKnownArch(m.arch) ? ' demo — for trying the app only' : ': randomly initialised, to be trained'}.** Its outputs are random and mean nothing.`
      : '> Research software. DenseRay is not a medical device; results must be reviewed by a qualified reader.',
    '',
    '| field | value |',
    '|---|---|',
    `| id | \`${m.id}\` |`,
    `| version | ${m.version} |`,
    isKnownArch(m.arch)
      ? `| architecture | ${m.arch} (growth ${m.spec.growthRate}, blocks ${m.spec.blockConfig.join('/')}, ${m.spec.inChannels}-channel input) |`
      : `| architecture | ${m.arch}: ${specSummary(spec)}, ${m.spec.inChannels}-channel input |`,
    `| parameters | ${parameterCount(spec, { includeRunningStats: false }).toLocaleString('en')} |`,
    `| weights sha256 | \`${m.weights.sha256}\` |`,
    `| precision | ${precisionLine(m)} |`,
    `| source | ${m.provenance.source} |`,
    ...(m.provenance.license ? [`| licence | ${m.provenance.license} |`] : []),
    ...(m.provenance.importedFrom ? [`| imported from | ${m.provenance.importedFrom} |`] : []),
    `| created | ${m.provenance.createdAt} |`,
    `| input | ${m.preprocessing.size}×${m.preprocessing.size}, crop ${m.preprocessing.crop}, ${m.preprocessing.resize}, mean ${m.preprocessing.mean.join('/')}, std ${m.preprocessing.std.join('/')} |`,
    '| outputs | logits → sigmoid → probability per label |',
    '',
    '## Labels and thresholds',
    '',
    '| # | label | threshold |',
    '|---|---|---|',
    ...m.labels.map((l, i) => `| ${i} | ${l} | ${thresholdOf(m.thresholds, l)} |`),
    '',
  ];
  if (m.quantization) lines.push(...quantizationSection(m, m.quantization));
  if (m.provenance.notes) lines.push('## Notes', '', m.provenance.notes, '');
  return lines.join('\n');
}

/** What an int8 variant is, how it was calibrated, and the fidelity gate's numbers against its parent. */
function quantizationSection(m: ModelManifest, q: QuantizationRecord): string[] {
  const g = q.gate;
  const r = g.report;
  const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
  const verdict = g.passed
    ? 'passed'
    : `**missed the bar** (${g.failures.join('; ')})${g.forced ? ` — installed anyway on ${g.forced.at}: "${g.forced.reason}"` : ''}`;
  return [
    '## Precision: int8',
    '',
    `${q.method === 'integer-densenet' ? 'Integer network' : 'Static QDQ quantisation (an earlier DenseRay; make it again to run it)'} of \`${m.parent ?? '?'}\`. Weights: ${q.weights}. Activations: ${q.activations}${q.biasCorrection ? `. Bias correction: ${q.biasCorrection}` : ''} (ranges in \`${q.calibrationFile}\`, sha256 \`${q.calibrationSha256}\`). Runs on onnxruntime only; the TensorFlow.js fallback runs the float32 weights and says fp32.`,
    '',
    `Calibrated on ${q.calibration.images} images from ${q.calibration.source}${q.calibration.skipped ? ` (${q.calibration.skipped} unreadable, skipped)` : ''}; graded on ${r.images} held-out images against the float32 parent, measured with ${q.backend}, ${q.createdAt}.`,
    '',
    `Fidelity gate: ${verdict}.`,
    '',
    '| measure | value | bar |',
    '|---|---|---|',
    `| worst finding's mean \\|Δprob\\| | ${r.meanAbsDelta.toFixed(5)} | ≤ ${g.bar.maxMeanAbsDelta} |`,
    `| max \\|Δprob\\| | ${r.maxAbsDelta.toFixed(5)} | ≤ ${g.bar.maxAbsDelta} |`,
    `| flagged-state agreement | ${pct(r.flaggedAgreement)} | ≥ ${pct(g.bar.minFlaggedAgreement)} |`,
    `| Spearman ρ of triage scores | ${r.triageSpearman === null ? 'n/a (constant)' : r.triageSpearman.toFixed(4)} | ${g.bar.minTriageSpearman === undefined ? '—' : `≥ ${g.bar.minTriageSpearman}`} |`,
    ...(r.cams
      ? [
          `| heatmaps: Pearson r with the parent's CAMs, median / worst of ${r.cams.maps} maps | ${r2(r.cams.medianPearson)} / ${r2(r.cams.minPearson)} | — |`,
          `| heatmaps: same hottest cell as the parent's | ${pct(r.cams.peakCellAgreement)} | — |`,
        ]
      : []),
    '',
    '| finding | mean \\|Δprob\\| | max \\|Δprob\\| | flagged agreement |',
    '|---|---|---|---|',
    ...r.perFinding.map((f) => `| ${f.label} | ${f.meanAbsDelta.toFixed(5)} | ${f.maxAbsDelta.toFixed(5)} | ${pct(f.flaggedAgreement)} |`),
    '',
  ];
}

function r2(v: number | null): string {
  return v === null ? 'n/a (constant maps)' : v.toFixed(4);
}

function precisionLine(m: ModelManifest): string {
  return m.precision === 'int8' ? `int8 (integer network from \`${m.parent ?? '?'}\`)` : 'fp32';
}
