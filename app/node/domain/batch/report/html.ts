import { renderCamOverlay } from '../../imaging/heatmap-files.ts';
import { renderGrayPng } from '../../imaging/overlay.ts';
import { resizeBilinearAntialias } from '../../imaging/resize.ts';
import type { StudyStore } from '../../store/study-store.ts';
import type { RankedStudy } from '../study-rows.ts';
import { NOT_A_MEDICAL_DEVICE, TRIAGE_SCORE_MEANING, type ReportData, WORKLIST_GROUP_MEANING } from './report-data.ts';
import { storedImages } from './stored-images.ts';

const GROUP_TITLE: Readonly<Record<RankedStudy['group'], string>> = {
  scored: 'Scored',
  'check-input': 'Check input',
  error: 'Errors',
  pending: 'Pending',
};

/** Thumbnail side in the page; small enough that a few thousand studies stay a file a browser opens. */
const THUMB = 128;
/** Findings listed per study beside the flagged ones. */
const TOP = 3;

/**
 * A self-contained HTML worklist: every image is an inline data: URI and the content security
 * policy forbids any fetch, so it opens from a USB stick or an e-mail attachment with no server
 * and no network. Rows are in worklist order; each carries data-rank and data-study-id.
 */
export function renderHtml(store: StudyStore, data: ReportData, write: (chunk: string) => void): void {
  const { job, model } = data;
  const counts = job.counts;
  write(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DenseRay worklist — job ${job.id}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#111;background:#fafafa}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #ddd}
.banner{background:#8a1c1c;color:#fff;padding:8px 20px;font-weight:600}
.demo{background:#b35900}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#444;font-size:13px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:6px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#f0f0f0;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
tr.group th{position:static;background:#fff4e5;color:#7a3e00;text-transform:none;font-size:13px;letter-spacing:0}
td.rank{font-weight:700;text-align:right;width:3em}
td.score{font-variant-numeric:tabular-nums;font-weight:600}
img{width:${THUMB}px;height:${THUMB}px;image-rendering:auto;background:#000;display:block}
.pair{display:flex;gap:4px}
.flag{display:inline-block;background:#ffe3e3;color:#8a1c1c;border-radius:3px;padding:0 5px;margin:0 4px 2px 0;font-size:12px}
.error{color:#8a1c1c}.suspect{color:#b35900}.ids{font-size:12px;color:#555;word-break:break-all}
</style></head><body>
<div class="banner">${esc(NOT_A_MEDICAL_DEVICE)}</div>
${model.demo ? '<div class="banner demo">UNTRAINED DEMO MODEL — for trying the app only; these numbers mean nothing.</div>\n' : ''}<header>
<h1>Worklist — job ${job.id}</h1>
<div class="meta">Model <b>${esc(model.id)}</b> ${esc(model.version)} (${esc(model.arch)}, weights sha256 <code>${esc(model.sha256.slice(0, 16))}</code>) ·
${counts.studies} studies, ${counts.finished - counts.failed} classified, ${counts.failed} errors, ${counts.studies - counts.finished} pending ·
${counts.filesSkipped} files skipped, ${counts.duplicates} duplicates · job ${esc(job.state)} · generated ${esc(data.generatedAt)}</div>
<div class="meta">Folders: ${job.roots.map(esc).join(', ')}</div>
<div class="meta">Ranked by ${esc(data.rule)}; ${esc(TRIAGE_SCORE_MEANING)}. Heatmap: class activation map of the top flagged finding, min–max normalised, drawn where ≥ 0.5.</div>
</header>
<table id="worklist"><thead><tr><th>#</th><th>Image / heatmap</th><th>Score</th><th>Findings</th><th>Study</th></tr></thead><tbody>
`);
  let group: RankedStudy['group'] | undefined;
  for (const row of data.rows) {
    // A heading where the group changes, so "check input" studies can never pass for low-priority scored ones.
    if (row.group !== group && !(group === undefined && row.group === 'scored')) {
      write(
        `<tr class="group" data-group="${row.group}"><th colspan="5">${esc(GROUP_TITLE[row.group])} — ${esc(WORKLIST_GROUP_MEANING[row.group])}</th></tr>\n`,
      );
    }
    group = row.group;
    write(renderRow(store, data, row));
  }
  write('</tbody></table>\n');
  write(renderOtherFiles(data));
  write('</body></html>\n');
}

function renderRow(store: StudyStore, data: ReportData, row: RankedStudy): string {
  const images = row.resultId !== null && row.status === 'ok' ? storedImages(store, row.resultId) : null;
  let pictures = '';
  if (images) {
    const small = resizeBilinearAntialias(images.image, THUMB, THUMB);
    pictures = `<img alt="study ${row.studyId}" src="${dataUri(renderGrayPng(small))}">`;
    const top = row.flagged[0];
    const k = top === undefined ? -1 : data.model.labels.indexOf(top);
    if (images.cams && k >= 0 && !row.inputSuspect)
      pictures += `<img alt="${esc(top ?? '')} heatmap" src="${dataUri(renderCamOverlay(small, images.cams, k))}">`;
  }
  const findings =
    row.status === 'ok'
      ? `${row.flagged.map((f) => `<span class="flag">${esc(f)}</span>`).join('')}<div>${topFindings(row)}</div>${row.inputSuspect ? `<div class="suspect">Input suspect: ${esc(row.inputSuspectReason ?? 'unlike a chest radiograph')} — not flagged</div>` : ''}`
      : row.status === 'error'
        ? `<div class="error">${esc(row.error?.code ?? '')}: ${esc(row.error?.message ?? '')}</div>`
        : '<div>pending</div>';
  const ids = [
    row.patientId && `patient ${esc(row.patientId)}`,
    row.studyDate && `date ${esc(row.studyDate)}`,
    row.modality && esc(row.modality),
    row.viewPosition && `view ${esc(row.viewPosition)}`,
    row.studyInstanceUid && `study ${esc(row.studyInstanceUid)}`,
    row.sopInstanceUid && `SOP ${esc(row.sopInstanceUid)}`,
  ].filter(Boolean);
  const score = row.rankScore === null ? '—' : row.rankScore.toFixed(3);
  return `<tr data-rank="${row.rank}" data-study-id="${row.studyId}" data-status="${row.status}" data-group="${row.group}"><td class="rank">${row.rank}</td><td><div class="pair">${pictures}</div></td><td class="score">${score}</td><td>${findings}</td><td class="ids"><div>${esc(row.file)}${row.copies > 1 ? ` (+${row.copies - 1} copies)` : ''}</div><div>${ids.join(' · ')}</div></td></tr>\n`;
}

/** Copies and skipped files, so that every input file appears on the page. */
function renderOtherFiles(data: ReportData): string {
  if (data.otherFiles.length === 0) return '';
  const copies = data.otherFiles.filter((f) => f.disposition === 'copy').length;
  const rows = data.otherFiles.map(
    (f) =>
      `<tr data-disposition="${f.disposition}"><td>${f.disposition}</td><td class="ids">${esc(f.path)}</td><td${f.error && f.disposition === 'copy' ? ' class="error"' : ''}>${esc(f.note)}</td></tr>\n`,
  );
  return `<h2 style="font-size:16px;margin:16px 20px 6px">Other files: ${copies} copies of an image listed above, ${data.otherFiles.length - copies} skipped</h2>
<table id="other-files"><thead><tr><th>What</th><th>File</th><th>Note</th></tr></thead><tbody>
${rows.join('')}</tbody></table>
`;
}

function topFindings(row: RankedStudy): string {
  const ranked = Object.entries(row.probabilities ?? {})
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP);
  return ranked.map(([label, p]) => `${esc(label)} ${p.toFixed(3)}`).join(', ');
}

function dataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
