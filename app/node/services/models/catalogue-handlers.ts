import {
  CatalogueImportRequest,
  FETCH_PROGRESS_CHANNEL,
  FetchRequest,
  type CatalogueListItem,
  type CatalogueImportResult,
  type FetchProgress,
  type FetchResult,
} from '../../../common/contract/catalogue.ts';
import type { ApiEvent } from '../../../common/contract/api.ts';
import { DenseRayError } from '../../shared/errors.ts';
import type { ModelStore } from '../../domain/store/model-store.ts';
import { fetchCatalogueModel } from '../../domain/catalogue/fetch-model.ts';
import { installCatalogueFile } from '../../domain/catalogue/install-catalogue-file.ts';
import { loadCatalogue, readCard, type LoadedCatalogue } from '../../domain/catalogue/load-catalogue.ts';
import { PinRecord } from '../../domain/catalogue/pins.ts';

export interface CatalogueServiceContext {
  dataDir: string;
  models: ModelStore;
  emit(event: ApiEvent): void;
  /** Tests point this at a loopback copy; the shipped catalogue otherwise. */
  catalogue?: () => LoadedCatalogue;
}

/** Progress events at most every 100 ms, and always on a phase change. */
function throttled(emit: (p: FetchProgress) => void): (p: FetchProgress) => void {
  let last = 0;
  let phase = '';
  return (p) => {
    const now = Date.now();
    if (p.phase !== phase || now - last >= 100) {
      last = now;
      phase = p.phase;
      emit(p);
    }
  };
}

/** The Models screen's catalogue functions: list with cards and pin status, fetch with progress and cancel, import. */
export function createCatalogueHandlers(ctx: CatalogueServiceContext) {
  const load = ctx.catalogue ?? (() => loadCatalogue());
  const pins = new PinRecord(ctx.dataDir);
  const running = new Map<string, AbortController>();
  const emit = (p: FetchProgress): void => ctx.emit({ channel: FETCH_PROGRESS_CHANNEL, payload: p });

  return {
    'catalogue.list': async (): Promise<CatalogueListItem[]> => {
      const loaded = load();
      const active = ctx.models.activeId();
      return loaded.catalogue.models.map((entry) => {
        const expected = pins.expected(entry);
        const installed = ctx.models.has(entry.name);
        return {
          entry,
          card: readCard(loaded, entry),
          pin: expected.status,
          sha256: expected.sha256,
          installedId: installed ? entry.name : null,
          active: installed && active === entry.name,
        };
      });
    },
    'catalogue.fetch': async (request: { name: string; activate?: boolean | undefined }): Promise<FetchResult> => {
      const { name, activate } = FetchRequest.parse(request);
      if (running.has(name)) throw new DenseRayError('INVALID_ARGUMENT', `${name} is already being fetched`);
      const controller = new AbortController();
      running.set(name, controller);
      const progress = throttled(emit);
      try {
        return await fetchCatalogueModel({
          store: ctx.models,
          catalogue: load().catalogue,
          pins,
          name,
          activate,
          signal: controller.signal,
          onProgress: progress,
        });
      } catch (error) {
        const phase = error instanceof DenseRayError && error.code === 'CANCELLED' ? 'cancelled' : 'failed';
        emit({ name, phase, receivedBytes: 0, totalBytes: null });
        throw error;
      } finally {
        running.delete(name);
      }
    },
    'catalogue.cancel': async ({ name }: { name: string }): Promise<{ cancelled: boolean }> => {
      const controller = running.get(name);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
    'catalogue.import': async (request: {
      path: string;
      as?: string | undefined;
      activate?: boolean | undefined;
    }): Promise<CatalogueImportResult> => {
      const { path, as, activate } = CatalogueImportRequest.parse(request);
      const installed = installCatalogueFile({ store: ctx.models, catalogue: load().catalogue, pins, file: path, ...(as ? { as } : {}) });
      if (activate) ctx.models.setActive(installed.model.manifest.id);
      return {
        manifest: installed.model.manifest,
        catalogueName: installed.entry.name,
        recognisedBy: installed.recognisedBy,
        active: activate,
      };
    },
  };
}
