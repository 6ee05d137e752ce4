import { z } from 'zod';
import type { ModelInfo, Prediction } from '../../../common/contract/classify.ts';
import type { StoredProvenance } from '../../../common/contract/studies.ts';
import type { Preprocessing } from '../../../common/manifest.ts';
import { storedCams } from '../../domain/batch/report/stored-images.ts';
import { decodeThumbnail } from '../../domain/batch/thumbnail.ts';
import { networkRegion } from '../../domain/imaging/geometry.ts';
import { parseJsonColumn } from '../../domain/store/rows.ts';
import type { StoredResultRow } from '../../domain/store/stored-results.ts';

/**
 * A batch job's stored result as the prediction the viewer shows: the same probabilities, flags,
 * triage score and guard verdict the job wrote, its CAMs (float16 in the store) placed on the film
 * region the network saw by the one geometry module, and what the network saw (8-bit) for heatmap
 * export. It carries its provenance: the job, when, and the model and weights that made it.
 */
export function storedPrediction(
  row: StoredResultRow,
  model: ModelInfo,
  preprocessing: Pick<Preprocessing, 'crop' | 'size' | 'shorterSide'>,
  image: { width: number; height: number },
): { prediction: Prediction; stored: StoredProvenance } {
  const probabilities = parseJsonColumn(z.record(z.string(), z.number()), row.probabilities_json, 'stored probabilities');
  const flagged = parseJsonColumn(z.array(z.string()), row.flagged_json, 'stored flags');
  const cams = storedCams(row) ?? undefined;
  const seen = row.thumbnail && row.thumbnail_size ? decodeThumbnail(row.thumbnail, row.thumbnail_size) : undefined;
  const prediction: Prediction = {
    probabilities,
    logits: model.labels.map((label, k) => (cams ? spatialMean(cams.data, k, cams.width * cams.height) : logOdds(probabilities[label]))),
    flagged,
    triageScore: row.triage_score,
    guard: { score: row.guard_score, suspect: row.guard_suspect === 1, reason: row.guard_reason },
    ...(cams ? { cams } : {}),
    geometry: { width: image.width, height: image.height, region: networkRegion(image.width, image.height, preprocessing) },
    ...(seen ? { modelInput: seen } : {}),
    timingsMs: { decode: row.decode_ms ?? 0, preprocess: row.preprocess_ms ?? 0, infer: row.infer_ms ?? 0, cam: row.cam_ms ?? 0 },
  };
  return {
    prediction,
    stored: { jobId: row.job_id, storedAt: new Date(row.created_at).toISOString(), modelId: model.id, weightsSha256: model.sha256 },
  };
}

/** The logit is the CAM's spatial mean (to float16 precision), which holds for calibrated outputs too. */
function spatialMean(data: Float32Array, k: number, cells: number): number {
  let sum = 0;
  for (let i = k * cells; i < (k + 1) * cells; i++) sum += data[i]!;
  return sum / cells;
}

/** Without CAMs, the plain sigmoid's inverse (kept finite for p of exactly 0 or 1). */
function logOdds(p: number | undefined): number {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p ?? 0.5));
  return Math.log(q / (1 - q));
}
