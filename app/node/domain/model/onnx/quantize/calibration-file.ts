import { z } from 'zod';
import type { Int8Calibration } from './qdq-graph.ts';

/**
 * `int8-calibration.json` beside an int8 variant's weights: the range of every quantised activation
 * and the per-channel bias corrections, keyed by the tensor and weight names buildDenseNetOnnx gives
 * the float graph.
 */
export const Int8CalibrationFile = z.object({
  format: z.literal('denseray-int8-calibration-v1'),
  ranges: z.record(
    z.string(),
    z.object({ min: z.number(), max: z.number() }).refine((r) => r.min <= r.max, 'min > max'),
  ),
  biasCorrection: z.record(z.string(), z.array(z.number())),
});

export const INT8_CALIBRATION_FILE = 'int8-calibration.json';

export function calibrationFileText(calibration: Int8Calibration): string {
  const file: z.infer<typeof Int8CalibrationFile> = {
    format: 'denseray-int8-calibration-v1',
    ranges: { ...calibration.ranges },
    biasCorrection: Object.fromEntries(Object.entries(calibration.biasCorrection ?? {}).map(([k, v]) => [k, [...v]])),
  };
  return `${JSON.stringify(file)}\n`;
}
