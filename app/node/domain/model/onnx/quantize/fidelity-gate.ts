import { triageScore } from '../../../../../common/triage.ts';
import type { FidelityReport, GateBar } from '../../../../../common/manifest.ts';

/** The bar: a variant that misses any of these is not activated unless forced. */
export const DEFAULT_GATE_BAR: GateBar = { maxMeanAbsDelta: 0.005, maxAbsDelta: 0.03, minFlaggedAgreement: 0.99 };

/**
 * How far a quantised model's outputs lie from its float32 parent's on the same images.
 * `reference[i][k]` and `candidate[i][k]` are image i's probability for label k.
 * - per finding: mean and max |Δprob|, and how often the flagged state (p ≥ threshold) agrees;
 * - overall: the worst finding's mean, the largest |Δprob|, flagged agreement over every
 *   (image, finding) pair, and Spearman's ρ between the two models' triage scores (the worklist order).
 */
export function measureFidelity(
  reference: readonly (readonly number[])[],
  candidate: readonly (readonly number[])[],
  labels: readonly string[],
  thresholds: readonly number[],
): FidelityReport {
  if (reference.length !== candidate.length)
    throw new RangeError(`${reference.length} reference rows but ${candidate.length} candidate rows`);
  if (reference.length === 0) throw new RangeError('fidelity needs at least one image');
  const n = reference.length;
  const perFinding = labels.map((label, k) => {
    const t = thresholds[k] ?? 0.5;
    let sum = 0;
    let max = 0;
    let agree = 0;
    for (let i = 0; i < n; i++) {
      const a = rowValue(reference, i, k, labels.length);
      const b = rowValue(candidate, i, k, labels.length);
      const d = Math.abs(a - b);
      sum += d;
      if (d > max) max = d;
      if (a >= t === b >= t) agree++;
    }
    return { label, meanAbsDelta: sum / n, maxAbsDelta: max, flaggedAgreement: agree / n };
  });
  const triageReference = reference.map((p) => triageScore(p, thresholds));
  const triageCandidate = candidate.map((p) => triageScore(p, thresholds));
  return {
    images: n,
    meanAbsDelta: Math.max(...perFinding.map((f) => f.meanAbsDelta)),
    maxAbsDelta: Math.max(...perFinding.map((f) => f.maxAbsDelta)),
    flaggedAgreement: perFinding.reduce((s, f) => s + f.flaggedAgreement, 0) / perFinding.length,
    triageSpearman: nullIfNaN(spearman(triageReference, triageCandidate)),
    perFinding,
  };
}

/**
 * How alike two models' CAMs are: `reference[m]` and `candidate[m]` are the same map (one image,
 * one finding) from each model. Pearson's r per map (a constant map has none and is skipped),
 * summarised by its median and minimum, and the share of maps whose hottest cell is the same.
 */
export function measureCamFidelity(
  reference: readonly Float32Array[],
  candidate: readonly Float32Array[],
): NonNullable<FidelityReport['cams']> {
  if (reference.length !== candidate.length)
    throw new RangeError(`${reference.length} reference maps but ${candidate.length} candidate maps`);
  const rs: number[] = [];
  let samePeak = 0;
  reference.forEach((a, m) => {
    const b = candidate[m]!;
    if (a.length !== b.length) throw new RangeError(`map ${m} has ${a.length} cells against ${b.length}`);
    const r = pearson(Array.from(a), Array.from(b));
    if (!Number.isNaN(r)) rs.push(r);
    if (hottest(a) === hottest(b)) samePeak++;
  });
  rs.sort((x, y) => x - y);
  const middle = rs.length / 2;
  return {
    medianPearson: rs.length ? (rs[Math.ceil(middle) - 1]! + rs[Math.floor(middle)]!) / 2 : null,
    minPearson: rs.length ? rs[0]! : null,
    peakCellAgreement: reference.length ? samePeak / reference.length : 0,
    maps: reference.length,
  };
}

function hottest(map: Float32Array): number {
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i]! > map[best]!) best = i;
  return best;
}

/** Which parts of the bar a report misses, in words; empty when it passes. */
export function gateFailures(report: FidelityReport, bar: GateBar = DEFAULT_GATE_BAR): string[] {
  const failures: string[] = [];
  if (!(report.meanAbsDelta <= bar.maxMeanAbsDelta)) {
    const worst = report.perFinding.reduce((a, b) => (b.meanAbsDelta > a.meanAbsDelta ? b : a));
    failures.push(`mean |Δprob| ${fmt(report.meanAbsDelta)} (${worst.label}) > ${bar.maxMeanAbsDelta}`);
  }
  if (!(report.maxAbsDelta <= bar.maxAbsDelta)) failures.push(`max |Δprob| ${fmt(report.maxAbsDelta)} > ${bar.maxAbsDelta}`);
  if (!(report.flaggedAgreement >= bar.minFlaggedAgreement))
    failures.push(`flagged agreement ${(report.flaggedAgreement * 100).toFixed(2)}% < ${bar.minFlaggedAgreement * 100}%`);
  if (bar.minTriageSpearman !== undefined && !(report.triageSpearman !== null && report.triageSpearman >= bar.minTriageSpearman))
    failures.push(`triage Spearman ${report.triageSpearman?.toFixed(4) ?? 'undefined (constant scores)'} < ${bar.minTriageSpearman}`);
  return failures;
}

/**
 * Spearman's rank correlation: Pearson's r of the ranks, ties sharing their average rank (as
 * scipy.stats.spearmanr). NaN when either side is constant (no order to compare).
 */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`${a.length} vs ${b.length} values`);
  return pearson(averageRanks(a), averageRanks(b));
}

/** 1-based ranks, tied values sharing the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const ranks = new Array<number>(values.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && values[order[e + 1]!] === values[order[s]!]) e++;
    const rank = (s + e) / 2 + 1;
    for (let i = s; i <= e; i++) ranks[order[i]!] = rank;
    s = e + 1;
  }
  return ranks;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

function rowValue(rows: readonly (readonly number[])[], i: number, k: number, width: number): number {
  const row = rows[i]!;
  if (row.length !== width) throw new RangeError(`row ${i} has ${row.length} probabilities, expected ${width}`);
  return row[k]!;
}

function nullIfNaN(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

function fmt(v: number): string {
  return v.toFixed(4);
}
