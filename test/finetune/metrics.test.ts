import { describe, expect, it } from 'vitest';
import {
  auroc,
  averagePrecision,
  chooseThresholds,
  evaluateSplit,
  expectedCalibrationError,
  operatingPoint,
  reliabilityCurve,
  selectThreshold,
} from '../../app/common/metrics/index.ts';

/** Every expected value below was worked out by hand (comments show the arithmetic). */
describe('ranking metrics', () => {
  const scores = [0.1, 0.4, 0.35, 0.8];
  const labels = [0, 0, 1, 1];

  it('AUROC counts correctly ordered positive/negative pairs', () => {
    // pairs (pos, neg): 0.35>0.1 ✓, 0.35>0.4 ✗, 0.8>0.1 ✓, 0.8>0.4 ✓ → 3/4
    expect(auroc(scores, labels)).toBeCloseTo(0.75, 12);
    expect(auroc([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
    expect(auroc([0.1, 0.8, 0.9], [1, 0, 0])).toBe(0);
  });

  it('AUROC counts a tied pair as one half', () => {
    // pos {0.5, 0.9}, neg {0.5, 0.2}: 0.5=0.5 → ½, 0.5>0.2, 0.9>0.5, 0.9>0.2 → 3.5/4
    expect(auroc([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1])).toBeCloseTo(0.875, 12);
  });

  it('average precision is Σ (R_n − R_{n−1}) P_n over distinct thresholds', () => {
    // 0.8 (pos): R=½ P=1 → ½ ; 0.4 (neg): R unchanged ; 0.35 (pos): R=1 P=⅔ → ⅓ ; total ⅚
    expect(averagePrecision(scores, labels)).toBeCloseTo(5 / 6, 12);
    // ties form one threshold: 0.9 (pos) → ½·1 ; {0.5 pos, 0.5 neg} → R=1 P=⅔ → ⅓
    expect(averagePrecision([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1])).toBeCloseTo(5 / 6, 12);
  });

  it('is undefined (NaN), not 0.5, when a class is missing', () => {
    expect(auroc([0.2, 0.3], [1, 1])).toBeNaN();
    expect(averagePrecision([0.2, 0.3], [0, 0])).toBeNaN();
  });
});

describe('thresholds', () => {
  const scores = [0.1, 0.4, 0.35, 0.8];
  const labels = [0, 0, 1, 1];

  it('operating point counts calls at score ≥ threshold', () => {
    // ≥0.4: 0.4 (neg) and 0.8 (pos) are called → TP1 FP1 TN1 FN1
    expect(operatingPoint(scores, labels, 0.4)).toMatchObject({
      tp: 1,
      fp: 1,
      tn: 1,
      fn: 1,
      sensitivity: 0.5,
      specificity: 0.5,
      precision: 0.5,
    });
  });

  it("Youden's J picks the highest threshold among the best J", () => {
    // J: 0.8 → ½+1−1=½ ; 0.4 → 0 ; 0.35 → 1+½−1=½ ; 0.1 → 0  ⇒ 0.8 (higher of the tie)
    expect(selectThreshold(scores, labels, { kind: 'youden' })).toMatchObject({ threshold: 0.8, sensitivity: 0.5, specificity: 1 });
  });

  it('target sensitivity picks the highest threshold reaching it', () => {
    expect(selectThreshold(scores, labels, { kind: 'target-sensitivity', sensitivity: 1 })).toMatchObject({
      threshold: 0.35,
      specificity: 0.5,
    });
    expect(selectThreshold(scores, labels, { kind: 'target-sensitivity', sensitivity: 0.5 }).threshold).toBe(0.8);
    expect(chooseThresholds([0.1, 0.9, 0.4, 0.2, 0.35, 0.3, 0.8, 0.7], [0, 1, 0, 0, 1, 0, 1, 1], 2, { kind: 'youden' })).toEqual([
      0.8, 0.7,
    ]);
  });
});

describe('calibration', () => {
  it('reliability bins and ECE', () => {
    const p = [0.05, 0.15, 0.12, 0.95, 0.85, 1];
    const y = [0, 1, 0, 1, 1, 1];
    const curve = reliabilityCurve(p, y, 10);
    expect(curve).toHaveLength(10);
    expect(curve[1]).toMatchObject({ count: 2, fractionPositive: 0.5 });
    expect(curve[1]!.meanPredicted).toBeCloseTo(0.135, 12);
    expect(curve[9]).toMatchObject({ count: 2, fractionPositive: 1 }); // 0.95 and 1.0 (the last bin includes 1)
    expect(curve[5]!.count).toBe(0);
    // (1·|0−.05| + 2·|.5−.135| + 1·|1−.85| + 2·|1−.975|) / 6 = (.05 + .73 + .15 + .05) / 6
    expect(expectedCalibrationError(curve)).toBeCloseTo(0.98 / 6, 12);
  });
});

describe('evaluateSplit', () => {
  it('reports per-label metrics and a mean AUROC that skips undefined labels', () => {
    // label a: the scores/labels above (AUROC ¾); label b: no positives → null
    const probs = [0.1, 0.2, 0.4, 0.2, 0.35, 0.2, 0.8, 0.2];
    const truth = [0, 0, 0, 0, 1, 0, 1, 0];
    const m = evaluateSplit(probs, truth, ['a', 'b'], [0.4, 0.5]);
    expect(m.images).toBe(4);
    expect(m.perLabel[0]).toMatchObject({ label: 'a', positives: 2, negatives: 2, sensitivity: 0.5, specificity: 0.5 });
    expect(m.perLabel[0]!.auroc).toBeCloseTo(0.75, 12);
    expect(m.perLabel[1]).toMatchObject({ auroc: null, averagePrecision: null, sensitivity: null, specificity: 1 });
    expect(m.meanAuroc).toBeCloseTo(0.75, 12);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m); // survives JSON (no NaN)
  });
});
