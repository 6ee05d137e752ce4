import { VIRIDIS_RGB01 } from './viridis.ts';

export type Rgb = [r: number, g: number, b: number];

/** The name of the colour map below, for legends and reports. */
export const COLORMAP_NAME = 'viridis';

/** The published LUT in 8-bit sRGB (round(v·255)): 256 × RGB. */
const LUT = Uint8Array.from(VIRIDIS_RGB01, (v) => Math.round(v * 255));

/**
 * The LUT entry for a value in [0,1], indexed as matplotlib's 256-entry ListedColormap does
 * (floor(v·256), 1 → the last entry). Out-of-range values clamp; NaN maps to the low end, because a
 * missing activation must never look like a strong one.
 */
export function colormapIndex(value01: number): number {
  if (!(value01 > 0)) return 0;
  return Math.min(255, Math.floor(value01 * 256));
}

export function colormap(value01: number): Rgb {
  const k = 3 * colormapIndex(value01);
  return [LUT[k]!, LUT[k + 1]!, LUT[k + 2]!];
}

export interface LegendStop {
  /** Position in [0,1] on the normalised scale. */
  value: number;
  rgb: Rgb;
  /** `#rrggbb`, ready for a CSS gradient stop. */
  css: string;
}

/** Evenly spaced stops (both ends included) for drawing the legend as a CSS linear-gradient. */
export function colormapLegend(stops = 11): LegendStop[] {
  const n = Math.max(2, Math.floor(stops));
  return Array.from({ length: n }, (_, i) => {
    const value = i / (n - 1);
    const rgb = colormap(value);
    return { value, rgb, css: `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}` };
  });
}
