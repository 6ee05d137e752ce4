import { describe, expect, it } from 'vitest';
import { flaggedFindings, triageScore } from './triage.ts';

describe('triageScore', () => {
  it('is 0 at a threshold, 1 at certainty, -1 at zero probability', () => {
    expect(triageScore([0.3], [0.3])).toBe(0);
    expect(triageScore([1], [0.3])).toBe(1);
    expect(triageScore([0], [0.3])).toBe(-1);
  });
  it('takes the finding furthest beyond its own threshold (hand-computed)', () => {
    // (0.6 − 0.5)/0.5 = 0.2 ; (0.3 − 0.2)/0.8 = 0.125 ; (0.1 − 0.4)/0.4 = −0.75
    expect(triageScore([0.6, 0.3, 0.1], [0.5, 0.2, 0.4])).toBeCloseTo(0.2, 12);
    // all below: the least negative wins: (0.4 − 0.5)/0.5 = −0.2, (0.05 − 0.1)/0.1 = −0.5
    expect(triageScore([0.4, 0.05], [0.5, 0.1])).toBeCloseTo(-0.2, 12);
  });
  it('flags findings at or above threshold, most probable first', () => {
    expect(flaggedFindings(['a', 'b', 'c'], [0.5, 0.9, 0.2], [0.5, 0.5, 0.5])).toEqual(['b', 'a']);
  });
});
