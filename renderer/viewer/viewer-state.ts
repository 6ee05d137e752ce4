import type { CamNormalisationMode } from '../../app/common/contract/studies.ts';
import { HEATMAP_DEFAULTS } from '../../app/common/defaults.ts';
import type { HeatmapMode } from './heatmap-layer.ts';
import type { Measurement, MeasurementShape } from './measure.ts';
import { applyViewOp, initialView, type ViewContext, type ViewOp, type ViewState } from './view-state.ts';

/** What the left mouse button does on the image. */
export type Tool = 'window' | 'ruler' | 'ellipse' | 'rect';
export const TOOLS: readonly { tool: Tool; label: string; key: string; title: string }[] = [
  { tool: 'window', label: 'W/L', key: 'W', title: 'Window / level by dragging' },
  { tool: 'ruler', label: 'Ruler', key: 'M', title: 'Measure a distance (mm where the file is calibrated)' },
  { tool: 'ellipse', label: 'Ellipse', key: 'E', title: 'Ellipse ROI: mean ± SD of the modality values' },
  { tool: 'rect', label: 'Rect', key: 'B', title: 'Rectangle ROI: mean ± SD of the modality values' },
];

export interface HeatmapSettings {
  on: boolean;
  opacity: number;
  /** How the CAM becomes [0,1]: relative (min–max, the CLI's) or absolute (σ of the CAM). */
  scale: CamNormalisationMode;
  mode: HeatmapMode;
}

/**
 * The viewer's state, one reducer: each study's view (window, zoom, pan, orientation), frame and
 * measurements; the tool; whether a prior's view follows the current one; cine; and the heatmap.
 */
export interface ViewerState {
  tool: Tool;
  linked: boolean;
  views: Readonly<Record<string, ViewState>>;
  frames: Readonly<Record<string, number>>;
  measurements: Readonly<Record<string, readonly Measurement[]>>;
  nextMeasurement: number;
  cine: boolean;
  heatmap: HeatmapSettings;
  /** The finding whose heatmap is shown. */
  selected: string | undefined;
  /** The reader asked to see the heatmap of a finding below its threshold. */
  showAnyway: boolean;
}

export const initialViewerState: ViewerState = {
  tool: 'window',
  linked: true,
  views: {},
  frames: {},
  measurements: {},
  nextMeasurement: 1,
  cine: false,
  heatmap: { on: true, opacity: HEATMAP_DEFAULTS.opacity, scale: HEATMAP_DEFAULTS.normalisation, mode: 'fill' },
  selected: undefined,
  showAnyway: false,
};

export type ViewerAction =
  | { type: 'view'; targets: readonly { id: string; ctx: ViewContext }[]; op: ViewOp }
  | { type: 'ensureView'; id: string; ctx: ViewContext }
  | { type: 'tool'; tool: Tool }
  | { type: 'linked'; on: boolean }
  | { type: 'frame'; id: string; frame: number }
  | { type: 'measure'; id: string; shape: MeasurementShape }
  | { type: 'unmeasure'; id: string }
  | { type: 'cine'; on: boolean }
  | { type: 'heatmap'; settings: Partial<HeatmapSettings> }
  | { type: 'select'; label: string | undefined }
  | { type: 'showAnyway' }
  | { type: 'studyOpened' };

export function viewerReducer(state: ViewerState, action: ViewerAction): ViewerState {
  switch (action.type) {
    case 'view': {
      const views = { ...state.views };
      for (const { id, ctx } of action.targets) views[id] = applyViewOp(views[id] ?? initialView(ctx), action.op, ctx);
      return { ...state, views };
    }
    case 'ensureView':
      return state.views[action.id] ? state : { ...state, views: { ...state.views, [action.id]: initialView(action.ctx) } };
    case 'tool':
      return { ...state, tool: action.tool };
    case 'linked':
      return { ...state, linked: action.on };
    case 'frame':
      return { ...state, frames: { ...state.frames, [action.id]: action.frame } };
    case 'measure': {
      const list = state.measurements[action.id] ?? [];
      return {
        ...state,
        measurements: { ...state.measurements, [action.id]: [...list, { ...action.shape, id: state.nextMeasurement }] },
        nextMeasurement: state.nextMeasurement + 1,
      };
    }
    case 'unmeasure':
      return { ...state, measurements: { ...state.measurements, [action.id]: (state.measurements[action.id] ?? []).slice(0, -1) } };
    case 'cine':
      return { ...state, cine: action.on };
    case 'heatmap':
      return { ...state, heatmap: { ...state.heatmap, ...action.settings } };
    case 'select':
      return { ...state, selected: action.label, showAnyway: false, heatmap: { ...state.heatmap, on: true } };
    case 'showAnyway':
      return { ...state, showAnyway: true };
    case 'studyOpened':
      // A new study starts with the reader's tool and heatmap settings, but no finding chosen and cine stopped.
      return { ...state, selected: undefined, showAnyway: false, cine: false };
  }
}
