import { describe, expect, it } from 'vitest';
import { averageRanks, DEFAULT_GATE_BAR, gateFailures, measureCamFidelity, measureFidelity, spearman } from './fidelity-gate.ts';

describe('Spearman ρ (scipy.stats.spearmanr conventions), worked by hand', () => {
  it('ties share their average rank', () => {
    expect(averageRanks([5, 6, 7, 8, 7])).toEqual([1, 2, 3.5, 5, 3.5]);
    expect(averageRanks([2, 2, 2])).toEqual([2, 2, 2]);
  });
  it('ρ([1..5], [5,6,7,8,7]) = 8/√95 = 0.8207826816681233 (scipy gives the same)', () => {
    // ranks [1,2,3,4,5] and [1,2,3.5,5,3.5]: deviations from 3 give Σxy = 8, Σx² = 10, Σy² = 9.5
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(8 / Math.sqrt(95), 12);
  });
  it('monotone transforms are ±1; a constant side has no order (NaN)', () => {
    expect(spearman([0.1, 0.5, 0.3], [1, 100, 7])).toBeCloseTo(1, 12);
    expect(spearman([0.1, 0.5, 0.3], [-1, -100, -7])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [4, 4, 4])).toBeNaN();
  });
});

describe('fidelity of a candidate against its reference', () => {
  // Two images, two findings, thresholds 0.5 and 0.2.
  const labels = ['A', 'B'];
  const thresholds = [0.5, 0.2];
  const reference = [
    [0.6, 0.1],
    [0.4, 0.3],
  ];
  const candidate = [
    [0.61, 0.1],
    [0.52, 0.28],
  ];

  it('per finding: mean and max |Δp| and flagged agreement, by hand', () => {
    const r = measureFidelity(reference, candidate, labels, thresholds);
    // A: |Δ| = 0.01, 0.12 → mean 0.065, max 0.12; image 2 crosses 0.5 → agreement 1/2.
    // B: |Δ| = 0, 0.02 → mean 0.01, max 0.02; both sides agree (0.1 < 0.2, 0.3 and 0.28 ≥ 0.2).
    expect(r.perFinding[0]).toMatchObject({ label: 'A', flaggedAgreement: 0.5 });
    expect(r.perFinding[0]!.meanAbsDelta).toBeCloseTo(0.065, 12);
    expect(r.perFinding[0]!.maxAbsDelta).toBeCloseTo(0.12, 12);
    expect(r.perFinding[1]!.meanAbsDelta).toBeCloseTo(0.01, 12);
    expect(r.perFinding[1]!.flaggedAgreement).toBe(1);
    expect(r.meanAbsDelta).toBeCloseTo(0.065, 12); // the worst finding's mean
    expect(r.maxAbsDelta).toBeCloseTo(0.12, 12);
    expect(r.flaggedAgreement).toBe(0.75); // 3 of 4 (image, finding) pairs
    expect(r.images).toBe(2);
  });

  it('triage Spearman: ρ = 1 when the worklist order survives, −1 when it flips', () => {
    // triage = max over findings of (p − t)/(1 − t) above t, (p − t)/t below:
    // reference: image 1 max(0.2, −0.5) = 0.2; image 2 max(−0.2, 0.125) = 0.125
    // candidate: image 1 max(0.22, −0.5) = 0.22; image 2 max(0.04, 0.1) = 0.1 → same order, ρ = 1
    expect(measureFidelity(reference, candidate, labels, thresholds).triageSpearman).toBeCloseTo(1, 12);
    const swapped = [candidate[1]!, [0.9, 0.1]];
    expect(measureFidelity(reference, swapped, labels, thresholds).triageSpearman).toBeCloseTo(-1, 12);
  });

  it('the default bar: mean ≤ 0.005, max ≤ 0.03, agreement ≥ 99%; each miss named', () => {
    const r = measureFidelity(reference, candidate, labels, thresholds);
    const failures = gateFailures(r, DEFAULT_GATE_BAR);
    expect(failures).toHaveLength(3);
    expect(failures[0]).toContain('(A)');
    const same = measureFidelity(reference, reference, labels, thresholds);
    expect(gateFailures(same)).toEqual([]);
    expect(gateFailures(same, { ...DEFAULT_GATE_BAR, minTriageSpearman: 0.99 })).toEqual([]);
  });

  it('refuses mismatched shapes', () => {
    expect(() => measureFidelity(reference, candidate.slice(1), labels, thresholds)).toThrow(RangeError);
    expect(() => measureFidelity([[0.1]], [[0.1]], labels, thresholds)).toThrow(RangeError);
  });
});

describe('CAM agreement between a candidate and its reference, by hand', () => {
  it('Pearson r per map (median, worst), constant maps skipped, and the share with the same hottest cell', () => {
    const f = (...v: number[]) => Float32Array.from(v);
    const reference = [f(1, 2, 3), f(0, 1, 0), f(5, 5, 5), f(3, 1, 2)];
    const candidate = [
      f(2, 4, 6), // r = 1, same peak
      f(1, 0, 0), // r = −0.5 (deviations (−⅓, ⅔, −⅓) and (⅔, −⅓, −⅓): Σxy = −⅓, Σx² = Σy² = ⅔), peak moves
      f(1, 2, 3), // reference constant: no r; peak cell 0 vs 2 differs
      f(3, 2, 1), // deviations (1, −1, 0) and (1, 0, −1): Σxy = 1, Σx² = Σy² = 2 → r = 0.5, same peak
    ];
    const c = measureCamFidelity(reference, candidate);
    expect(c.maps).toBe(4);
    expect(c.minPearson).toBeCloseTo(-0.5, 6);
    expect(c.medianPearson).toBeCloseTo(0.5, 6); // of −0.5, 0.5, 1
    expect(c.peakCellAgreement).toBe(0.5);
    expect(() => measureCamFidelity([f(1, 2)], [f(1, 2, 3)])).toThrow(RangeError);
  });
});
