import { useMemo } from 'react';
import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { CamNormalisationMode, HeatmapScale, PixelRect, StudyHeatmaps } from '../../app/common/contract/studies.ts';
import { HEATMAP_DEFAULTS, thresholdOf } from '../../app/common/defaults.ts';
import { contourSegments, displaySamples, type HeatmapMode, paintHeatmap, upsample } from './heatmap-layer.ts';
import type { HeatmapSettings } from './viewer-state.ts';

/** One finding's heatmap, ready to draw over the film region the network saw. */
export interface PreparedHeatmap {
  label: string;
  region: PixelRect;
  mode: HeatmapMode;
  scale: CamNormalisationMode;
  /** Where fill starts and the outline runs; undefined for tint. */
  level: number | undefined;
  /** What the level is, in words, for the on-image legend. */
  levelMeaning: string;
  opacity: number;
  /** fill / tint: the painted map, upsampled to about the region's own size. */
  canvas: HTMLCanvasElement | undefined;
  /** outline: segments in sample coordinates of a `samples`-sized grid. */
  segments: Float32Array | undefined;
  samples: { width: number; height: number };
  lut: Uint8Array;
}

/**
 * The level a heatmap is cut at. Relative maps use the shared cut-off (0.5, as the CLI's and the
 * reports' PNGs); absolute maps (σ of the CAM, on the probability scale) use the finding's own
 * threshold, so the drawn region is where the local evidence alone would flag the finding.
 */
export function heatmapLevel(scale: CamNormalisationMode, threshold: number): { level: number; meaning: string } {
  return scale === 'minmax'
    ? { level: HEATMAP_DEFAULTS.cutoff, meaning: `cut-off ${HEATMAP_DEFAULTS.cutoff} (min–max)` }
    : { level: threshold, meaning: `σ(CAM) ≥ ${threshold.toFixed(2)}, the finding's threshold` };
}

export function usePreparedHeatmap(
  heatmaps: StudyHeatmaps | undefined,
  model: ModelInfo | undefined,
  label: string | undefined,
  settings: HeatmapSettings,
  scale: HeatmapScale | undefined,
): PreparedHeatmap | undefined {
  const { mode, opacity } = settings;
  const normalisation = settings.scale;
  return useMemo(() => {
    if (!heatmaps || !model || !label || !scale) return undefined;
    const k = model.labels.indexOf(label);
    if (k < 0) return undefined;
    const cells = heatmaps.width * heatmaps.height;
    const map = heatmaps[normalisation].subarray(k * cells, (k + 1) * cells);
    const samples = displaySamples(heatmaps.region.width, heatmaps.region.height, heatmaps.width, heatmaps.height);
    const fine = upsample(map, heatmaps.width, heatmaps.height, samples.width, samples.height);
    const { level, meaning } = heatmapLevel(normalisation, thresholdOf(model.thresholds, label));
    let canvas: HTMLCanvasElement | undefined;
    if (mode !== 'outline') {
      canvas = document.createElement('canvas');
      canvas.width = samples.width;
      canvas.height = samples.height;
      const ctx = canvas.getContext('2d');
      if (ctx) {
        const image = ctx.createImageData(samples.width, samples.height);
        paintHeatmap(fine, scale.lut, mode === 'fill' ? level : undefined, image.data);
        ctx.putImageData(image, 0, 0);
      }
    }
    return {
      label,
      region: heatmaps.region,
      mode,
      scale: normalisation,
      level: mode === 'tint' ? undefined : level,
      levelMeaning: meaning,
      opacity,
      canvas,
      segments: mode === 'outline' ? contourSegments(fine, samples.width, samples.height, level) : undefined,
      samples,
      lut: scale.lut,
    };
  }, [heatmaps, model, label, scale, mode, opacity, normalisation]);
}
