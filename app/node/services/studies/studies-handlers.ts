import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiMethod, ApiRequest, ApiResponse } from '../../../common/contract/api.ts';
import { CAM_NORMALIZATION_MEANING } from '../../domain/imaging/cam.ts';
import { colormap, COLORMAP_NAME } from '../../domain/imaging/colormap.ts';
import type { ModelStore } from '../../domain/store/model-store.ts';
import { HEATMAP_DEFAULTS } from '../../../common/defaults.ts';
import type { StudiesService } from './studies-service.ts';

/** The UI-facing functions of this area; services.ts merges them into the full handler table. */
export type UiMethod =
  | 'studies.open'
  | 'studies.pixels'
  | 'studies.tags'
  | 'studies.classify'
  | 'studies.heatmapPng'
  | 'studies.priors'
  | 'studies.cancel'
  | 'engine.status'
  | 'viewer.heatmapScale'
  | 'app.choosePaths'
  | 'models.import'
  | 'models.remove'
  | 'models.details';

type UiHandlers = { [M in UiMethod & ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

export interface UiHandlerContext {
  dataDir: string;
  models: ModelStore;
  studies: () => StudiesService;
}

/** The 256-entry colour map as 8-bit RGB, sampled at each entry's centre. */
function colormapLut(): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(colormap((i + 0.5) / 256), i * 3);
  return lut;
}

export function createUiHandlers(ctx: UiHandlerContext): UiHandlers {
  return {
    'studies.open': (request) => ctx.studies().open(request),
    'studies.pixels': (request) => ctx.studies().pixels({ id: request.id, frame: request.frame ?? 0 }),
    'studies.tags': (request) => ctx.studies().tags(request),
    'studies.classify': (request) => ctx.studies().classify(request),
    'studies.heatmapPng': (request) => ctx.studies().heatmapPng(request),
    'studies.priors': (request) => ctx.studies().priors(request),
    'studies.cancel': (request) => ctx.studies().cancel(request),
    'engine.status': async () => ctx.studies().status(),
    'viewer.heatmapScale': async () => ({
      colormap: COLORMAP_NAME,
      lut: colormapLut(),
      meanings: { ...CAM_NORMALIZATION_MEANING },
      defaultMode: HEATMAP_DEFAULTS.normalisation,
    }),
    // Native pickers exist only in the desktop app, whose main process replaces this handler.
    'app.choosePaths': async () => ({ supported: false, paths: [] }),
    'models.import': async (request) => {
      const manifest = await ctx
        .studies()
        .importModel({ dataDir: ctx.dataDir, path: request.path, arch: request.arch, labels: request.labels, name: request.name });
      if (request.activate) ctx.models.setActive(manifest.id);
      return { manifest, active: ctx.models.activeId() === manifest.id, card: readCard(ctx.models, manifest.id) };
    },
    'models.remove': async ({ id }) => {
      ctx.models.remove(id);
      return { id };
    },
    'models.details': async ({ id }) => {
      const model = ctx.models.get(id);
      return { manifest: model.manifest, active: ctx.models.activeId() === id, card: readCard(ctx.models, id) };
    },
  };
}

function readCard(models: ModelStore, id: string): string {
  try {
    return readFileSync(join(models.get(id).dir, 'card.md'), 'utf8');
  } catch {
    return '';
  }
}
