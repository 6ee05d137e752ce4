import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { thresholdOf } from '../../../../common/defaults.ts';
import { renderLabelledCamPng } from '../../imaging/labelled-heatmap.ts';
import type { StudyStore } from '../../store/study-store.ts';
import type { ReportData } from './report-data.ts';
import { storedImages } from './stored-images.ts';

/**
 * A CAM overlay PNG per study and flagged finding (at or above its threshold), drawn on what the
 * network saw, from the store, captioned like every heatmap DenseRay writes (the backend is not
 * recorded with a job, so the caption says so). Studies the input guard marked suspect get none: their maps would
 * look meaningful and are not. Names start with the rank so a folder listing is the worklist.
 */
export function writeHeatmapFiles(store: StudyStore, data: ReportData, dir: string): number {
  mkdirSync(dir, { recursive: true });
  const width = String(data.rows.length).length;
  let written = 0;
  for (const row of data.rows) {
    if (row.status !== 'ok' || row.resultId === null || row.inputSuspect || row.flagged.length === 0) continue;
    const images = storedImages(store, row.resultId);
    if (!images?.cams) continue;
    const stem = `${String(row.rank).padStart(width, '0')}-${basename(row.file, extname(row.file))}`;
    for (const label of row.flagged) {
      const k = data.model.labels.indexOf(label);
      if (k < 0) continue;
      const model = data.model;
      const png = renderLabelledCamPng(images.image, images.cams, k, {
        finding: label,
        probability: row.probabilities?.[label],
        threshold: thresholdOf(model.thresholds, label),
        model: { id: model.id, sha256: model.sha256, demo: model.demo },
      });
      writeFileSync(join(dir, `${stem}.${label}.png`), png);
      written++;
    }
  }
  return written;
}
