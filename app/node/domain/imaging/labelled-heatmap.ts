import type { CamSet } from '../../../common/contract/classify.ts';
import { HEATMAP_DEFAULTS } from '../../../common/defaults.ts';
import { drawText, GLYPH_ADVANCE, GLYPH_HEIGHT, textWidth } from './bitmap-font.ts';
import { normalizeCam } from './cam.ts';
import { colormap } from './colormap.ts';
import type { GrayImage } from './gray-image.ts';
import { encodePng, renderOverlayRgb } from './overlay.ts';

/** What a heatmap figure says about itself, so a PNG copied out of DenseRay still explains itself. */
export interface HeatmapCaption {
  /** The model's label, e.g. 'Pleural_Thickening'. */
  finding: string;
  probability?: number | undefined;
  threshold?: number | undefined;
  model: {
    id: string;
    sha256: string;
    demo: boolean;
    /** 'onnx' | 'tfjs'; absent where it was not recorded (a report regenerated from the store). */
    backend?: string | undefined;
    precision?: string | undefined;
  };
}

const PAD = 5;
const LINE = GLYPH_HEIGHT + 3;
const BAR = 7;
/** Narrow images get a wider caption band (the image keeps its pixels, on the band's left). */
const MIN_WIDTH = 224;

const WHITE = [255, 255, 255] as const;
const TEXT = [214, 222, 230] as const;
const MUTED = [150, 160, 172] as const;
const BAND = [17, 20, 24] as const;
const UNDRAWN = [58, 62, 68] as const;
const DEMO = [179, 89, 0] as const;

/**
 * The CAM overlay of label k on the image the network saw (the shared defaults: min–max normalised,
 * drawn where ≥ the cut-off), with a caption band below: the finding and its probability, a colour
 * legend marking the cut-off, what the scale means, the model, weights sha256, backend and
 * precision, the not-a-medical-device line, and an orange "untrained demo" bar for the demo model.
 */
export function renderLabelledCamPng(image: GrayImage, cams: CamSet, k: number, caption: HeatmapCaption): Uint8Array {
  const cells = cams.width * cams.height;
  const map = normalizeCam(cams.data.subarray(k * cells, (k + 1) * cells), cams.height, cams.width, HEATMAP_DEFAULTS.normalisation);
  const overlay = renderOverlayRgb(image, map, cams.width, cams.height, {
    opacity: HEATMAP_DEFAULTS.opacity,
    minVisible: HEATMAP_DEFAULTS.cutoff,
  });
  const width = Math.max(image.width, MIN_WIDTH);
  const lines = captionLines(caption, Math.floor((width - 2 * PAD + 1) / GLYPH_ADVANCE));
  const bandHeight = PAD + LINE * lines.text.length + (BAR + 2 + LINE) + (caption.model.demo ? LINE + 4 : 0) + PAD;
  const height = image.height + bandHeight;
  const rgb = Buffer.alloc(width * height * 3);
  fill(rgb, width, 0, 0, width, height, BAND);
  for (let y = 0; y < image.height; y++) overlay.copy(rgb, 3 * y * width, 3 * y * image.width, 3 * (y + 1) * image.width);

  let y = image.height + PAD;
  for (const [i, line] of lines.text.entries()) {
    drawText(rgb, width, PAD, y, line, i === 0 ? WHITE : i < lines.beforeLegend ? TEXT : MUTED);
    y += LINE;
    if (i === lines.beforeLegend - 1) y = drawLegend(rgb, width, y);
  }
  if (caption.model.demo) {
    fill(rgb, width, 0, y, width, LINE + 2, DEMO);
    drawText(rgb, width, PAD, y + 2, 'UNTRAINED DEMO MODEL: means nothing', WHITE);
  }
  return encodePng(width, height, rgb, 2);
}

/** The colour scale 0…1 as drawn: grey below the cut-off (left undrawn on the film), viridis above; ticks 0, cut-off, 1. */
function drawLegend(rgb: Buffer, width: number, top: number): number {
  const left = PAD;
  const span = width - 2 * PAD;
  const cutoff = HEATMAP_DEFAULTS.cutoff;
  for (let x = 0; x < span; x++) {
    const v = span > 1 ? x / (span - 1) : 1;
    fill(rgb, width, left + x, top, 1, BAR, v >= cutoff ? colormap(v) : UNDRAWN);
  }
  const ticks = top + BAR + 2;
  const at = left + Math.round(cutoff * (span - 1));
  drawText(rgb, width, left, ticks, '0', MUTED);
  drawText(rgb, width, at - Math.floor(textWidth(String(cutoff)) / 2), ticks, String(cutoff), MUTED);
  drawText(rgb, width, left + span - textWidth('1'), ticks, '1', MUTED);
  return ticks + LINE;
}

/** The caption's lines, wrapped to `columns` characters; the legend goes after the first `beforeLegend`. */
function captionLines(caption: HeatmapCaption, columns: number): { text: string[]; beforeLegend: number } {
  const m = caption.model;
  const p = caption.probability;
  const t = caption.threshold;
  const head = [
    ...wrap(`${caption.finding.replaceAll('_', ' ')} · heatmap (CAM)`, columns),
    ...(p !== undefined ? wrap(`p ${p.toFixed(3)}${t !== undefined ? `, threshold ${t.toFixed(3)}` : ''}`, columns) : []),
  ];
  const tail = [
    ...wrap(`min-max normalised: 0 = weakest, 1 = strongest cell; drawn where ≥ ${HEATMAP_DEFAULTS.cutoff}`, columns),
    ...wrap(`model ${m.id}`, columns),
    ...wrap(
      [`sha256 ${m.sha256.slice(0, 12)}`, m.backend ?? 'backend not recorded', m.precision ?? 'precision not recorded'].join(' · '),
      columns,
    ),
    ...wrap('Research software, not a medical device.', columns),
  ];
  return { text: [...head, ...tail], beforeLegend: head.length };
}

/** Greedy word wrap; a word longer than a line is cut. */
function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if ([...candidate].length <= columns) line = candidate;
    else {
      if (line) lines.push(line);
      line = [...word].slice(0, columns).join('');
    }
  }
  if (line) lines.push(line);
  return lines;
}

function fill(rgb: Buffer, width: number, x: number, y: number, w: number, h: number, color: readonly [number, number, number]): void {
  for (let yy = y; yy < y + h; yy++)
    for (let xx = x; xx < x + w; xx++) {
      const o = 3 * (yy * width + xx);
      rgb[o] = color[0];
      rgb[o + 1] = color[1];
      rgb[o + 2] = color[2];
    }
}
