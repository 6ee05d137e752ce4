import type { ModelManifest } from '../../../common/manifest.ts';
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
  if (m.provenance.notes) lines.push('## Notes', '', m.provenance.notes, '');
  return lines.join('\n');
}
