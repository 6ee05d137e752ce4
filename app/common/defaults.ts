import type { BackendChoice } from './contract/classify.ts';

/**
 * The defaults every front door shares (CLI, desktop app, browser mode, DICOM node). A door may let
 * the user override one, but never picks its own: the same file gives the same answer everywhere.
 */

/** onnxruntime where it loads (always, on supported platforms), TensorFlow.js otherwise. */
export const DEFAULT_BACKEND: BackendChoice = 'auto';

/** A finding's threshold when the model's manifest names none. */
export const DEFAULT_THRESHOLD = 0.5;

/**
 * Heatmaps. `minmax` puts 0 at the map's weakest cell and 1 at its strongest: it shows where in the
 * film the evidence for a flagged finding sits (the CheXNet-style display); `sigmoid` is the
 * absolute alternative the viewer offers. Cells below `cutoff` stay undrawn so the film shows
 * through; heatmaps are offered only for findings at or above their threshold.
 */
export const HEATMAP_DEFAULTS = {
  normalisation: 'minmax',
  cutoff: 0.5,
  opacity: 0.45,
} as const;

/** The worklist is ordered by triage score (app/common/triage.ts) within app/common/worklist-order.ts. */
export const DEFAULT_RANK_RULE = 'triage' as const;

/** The threshold of `label` in a model's thresholds map. */
export function thresholdOf(thresholds: Readonly<Record<string, number>>, label: string): number {
  return thresholds[label] ?? DEFAULT_THRESHOLD;
}
