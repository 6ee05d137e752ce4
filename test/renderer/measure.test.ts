// The viewer's ruler and ROI statistics, against hand-computed distances and against numpy.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calibrationNote, distance, roiStats } from '../../renderer/viewer/measure.ts';

const PYTHON = '/usr/bin/python3';
const spacing = { rowSpacing: 0.2, columnSpacing: 0.25, source: 'PixelSpacing' as const };

describe('measurements', () => {
  it('measures with row spacing vertically and column spacing horizontally', () => {
    expect(distance({ x: 0, y: 0 }, { x: 40, y: 0 }, spacing)).toEqual({ px: 40, mm: 10 });
    expect(distance({ x: 0, y: 0 }, { x: 0, y: 40 }, spacing).mm).toBeCloseTo(8, 12);
    expect(distance({ x: 10, y: 10 }, { x: 13, y: 14 }, undefined)).toEqual({ px: 5, mm: undefined });
    expect(calibrationNote(undefined)).toMatch(/uncalibrated/);
    expect(calibrationNote({ ...spacing, source: 'ImagerPixelSpacing' })).toMatch(/at the detector/);
  });

  it('counts a pixel when its centre is inside: a 2×2 box of pixel corners holds four pixels', () => {
    const values = Float32Array.from({ length: 16 }, (_, i) => i); // 4×4
    const s = roiStats(values, 4, 4, { kind: 'rect', a: { x: 1, y: 1 }, b: { x: 3, y: 3 } }, spacing);
    expect(s.count).toBe(4); // pixels (1,1) (2,1) (1,2) (2,2): values 5, 6, 9, 10
    expect(s.mean).toBe(7.5);
    expect(s.sd).toBeCloseTo(Math.sqrt((2.5 ** 2 + 1.5 ** 2 + 1.5 ** 2 + 2.5 ** 2) / 4), 12);
    expect([s.min, s.max]).toEqual([5, 10]);
    expect(s.areaMm2).toBeCloseTo(4 * 0.2 * 0.25, 12);
  });

  it.skipIf(!existsSync(PYTHON))('gives an ellipse’s mean ± SD as numpy does', () => {
    const w = 97;
    const h = 61;
    const values = Float32Array.from({ length: w * h }, (_, i) => ((i * 7919) % 1013) - 300 + (i % w) * 0.5);
    const shape = { kind: 'ellipse' as const, a: { x: 12.3, y: 5.8 }, b: { x: 80.6, y: 49.1 } };
    const ours = roiStats(values, w, h, shape, undefined);
    const script = `
import json, sys
import numpy as np
w, h = ${w}, ${h}
v = np.array(json.load(sys.stdin), dtype=np.float32).astype(np.float64).reshape(h, w)
x0, x1, y0, y1 = 12.3, 80.6, 5.8, 49.1
cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
yy, xx = np.mgrid[0:h, 0:w] + 0.5
m = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1
print(json.dumps([int(m.sum()), v[m].mean(), v[m].std()]))`;
    const [n, mean, sd] = JSON.parse(
      execFileSync(PYTHON, ['-c', script], { input: JSON.stringify([...values]), encoding: 'utf8' }),
    ) as number[];
    expect(ours.count).toBe(n);
    expect(ours.mean).toBeCloseTo(mean!, 6);
    expect(ours.sd).toBeCloseTo(sd!, 6);
  });
});
