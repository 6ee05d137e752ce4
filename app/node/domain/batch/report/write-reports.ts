import { extname } from 'node:path';
import { ReportFormat, type RankRule } from '../../../../common/contract/batch.ts';
import { DenseRayError } from '../../../shared/errors.ts';
import type { StudyStore } from '../../store/study-store.ts';
import { renderCsv } from './csv.ts';
import { writeHeatmapFiles } from './heatmap-files.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { loadReportData } from './report-data.ts';
import { writeReportFile } from './report-file.ts';

/** The report format a path asks for, by its extension. */
export function reportFormatOf(path: string): ReportFormat {
  const parsed = ReportFormat.safeParse(extname(path).slice(1).toLowerCase());
  if (!parsed.success) throw new DenseRayError('INVALID_ARGUMENT', `report ${path}: the extension must be .csv, .json or .html`);
  return parsed.data;
}

export interface WrittenReports {
  files: string[];
  heatmaps: number;
  studies: number;
}

/** Writes the job's reports (and heatmap PNGs) from the store; the model is not needed. */
export function writeReports(
  store: StudyStore,
  jobId: number,
  options: { out: string[]; heatmapsDir?: string; rank?: RankRule },
): WrittenReports {
  const formats = options.out.map((path) => ({ path, format: reportFormatOf(path) }));
  const data = loadReportData(store, jobId, options.rank ?? 'triage');
  for (const { path, format } of formats) {
    if (format === 'csv') writeReportFile(path, (write) => write(renderCsv(data)));
    else if (format === 'json') writeReportFile(path, (write) => write(renderJson(data)));
    else writeReportFile(path, (write) => renderHtml(store, data, write));
  }
  const heatmaps = options.heatmapsDir ? writeHeatmapFiles(store, data, options.heatmapsDir) : 0;
  return { files: formats.map((f) => f.path), heatmaps, studies: data.rows.length };
}
