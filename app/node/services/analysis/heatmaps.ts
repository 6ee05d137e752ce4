import type { ModelInfo, Prediction } from '../../../common/contract/classify.ts';
import { thresholdOf } from '../../../common/defaults.ts';
import { precisionOf } from '../../../common/model-precision.ts';
import type { StudyHeatmaps } from '../../../common/contract/studies.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { normalizeCam } from '../../domain/imaging/cam.ts';
import { renderLabelledCamPng } from '../../domain/imaging/labelled-heatmap.ts';

/**
 * Heatmaps, one definition for every door: the findings that get one (at or above threshold, never
 * on an input the guard marked suspect, whose map would look meaningful and is not), the PNG the CLI,
 * reports and the app's export write, and the maps the viewer draws over the film region the network
 * saw (`prediction.geometry.region`, from the one geometry module preprocessing uses).
 */
export function heatmapLabels(prediction: Prediction): string[] {
  return prediction.guard.suspect ? [] : prediction.flagged;
}

/**
 * The overlay PNG of one finding on the image the network saw, with its caption: finding,
 * probability and threshold, colour legend, normalisation, model, weights, backend, precision, and
 * the demo mark. Byte for byte the same from every door.
 */
export function heatmapPng(
  prediction: Prediction,
  model: Pick<ModelInfo, 'id' | 'sha256' | 'demo' | 'backend' | 'labels' | 'thresholds'>,
  label: string,
): Uint8Array {
  const k = model.labels.indexOf(label);
  if (k < 0) throw new DenseRayError('INVALID_ARGUMENT', `the model has no finding "${label}" (it has ${model.labels.join(', ')})`);
  if (!prediction.cams || !prediction.modelInput) {
    throw new DenseRayError('INVALID_ARGUMENT', 'this result was computed without heatmaps; classify again with heatmaps on');
  }
  return renderLabelledCamPng(prediction.modelInput, prediction.cams, k, {
    finding: label,
    probability: prediction.probabilities[label],
    threshold: thresholdOf(model.thresholds, label),
    model: { id: model.id, sha256: model.sha256, demo: model.demo, backend: model.backend, precision: precisionOf(model) },
  });
}

/** Display-ready maps for the viewer, each normalisation the viewer offers, placed on the film region the network saw. */
export function viewerHeatmaps(prediction: Prediction, labelCount: number): StudyHeatmaps | undefined {
  const cams = prediction.cams;
  if (!cams) return undefined;
  const cells = cams.width * cams.height;
  const sigmoid = new Float32Array(cams.data.length);
  const minmax = new Float32Array(cams.data.length);
  for (let k = 0; k < labelCount; k++) {
    const map = cams.data.subarray(k * cells, (k + 1) * cells);
    sigmoid.set(normalizeCam(map, cams.height, cams.width, 'sigmoid'), k * cells);
    minmax.set(normalizeCam(map, cams.height, cams.width, 'minmax'), k * cells);
  }
  return { region: prediction.geometry.region, width: cams.width, height: cams.height, sigmoid, minmax };
}
