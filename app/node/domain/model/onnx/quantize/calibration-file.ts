import { z } from 'zod';
import type { Int8Calibration } from './int8-calibration.ts';

const Range = z.object({ min: z.number(), max: z.number() }).refine((r) => r.min <= r.max, 'min > max');
const ChannelRanges = z
  .object({ min: z.array(z.number()), max: z.array(z.number()) })
  .refine((r) => r.min.length === r.max.length && r.min.every((lo, c) => lo <= r.max[c]!), 'per-channel min > max, or lengths differ');

/** The format an earlier DenseRay wrote (a float graph rewritten to QDQ): recognised, to say so, never run. */
export const LEGACY_CALIBRATION_FORMAT = 'denseray-int8-calibration-v1';

/**
 * `int8-calibration.json` beside an int8 variant's weights: the calibrated ranges the integer
 * DenseNet is built from (see Int8Calibration), keyed by buildDenseNetOnnx's tap names.
 */
export const Int8CalibrationFile = z.object({
  format: z.literal('denseray-int8-calibration-v2'),
  input: Range,
  pieces: z.record(z.string(), ChannelRanges),
  relus: z.record(z.string(), z.number().nonnegative()),
  shifts: z.record(z.string(), z.array(z.number())),
});

export const INT8_CALIBRATION_FILE = 'int8-calibration.json';

export function calibrationFileText(calibration: Int8Calibration): string {
  const file: z.infer<typeof Int8CalibrationFile> = {
    format: 'denseray-int8-calibration-v2',
    input: { ...calibration.input },
    pieces: Object.fromEntries(Object.entries(calibration.pieces).map(([k, r]) => [k, { min: [...r.min], max: [...r.max] }])),
    relus: { ...calibration.relus },
    shifts: Object.fromEntries(Object.entries(calibration.shifts).map(([k, v]) => [k, [...v]])),
  };
  return `${JSON.stringify(file)}\n`;
}
