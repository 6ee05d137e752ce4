import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FetchProgress, FetchResult } from '../../../common/contract/catalogue.ts';
import type { ModelManifest } from '../../../common/manifest.ts';
import { parameterCount } from '../../domain/model/spec.ts';
import { ModelStore } from '../../domain/store/model-store.ts';
import {
  type CatalogueRow,
  fetchFromCatalogue,
  type ImportedModel,
  importWeightsFile,
  listCatalogue,
  type PlainImportOptions,
} from './catalogue-service.ts';

export interface InstalledModelRow {
  manifest: ModelManifest;
  active: boolean;
}

export interface ModelDetails extends InstalledModelRow {
  /** The model card (markdown) written when the model was installed. */
  card: string;
  /** Learnable parameters (BatchNorm running statistics excluded), as the DenseNet paper counts them. */
  parameters: number;
}

/** The models use cases: what is installed, what the catalogue offers, import, fetch, activate, remove. */
export class ModelsService {
  readonly store: ModelStore;

  constructor(dataDir: string) {
    this.store = new ModelStore(dataDir);
  }

  list(): InstalledModelRow[] {
    this.store.ensureDemo();
    const active = this.store.activeId();
    return this.store.list().map((m) => ({ manifest: m.manifest, active: m.manifest.id === active }));
  }

  show(id: string): ModelDetails {
    const model = this.store.get(id);
    const m = model.manifest;
    return {
      manifest: m,
      active: this.store.activeId() === id,
      card: readCard(model.dir),
      parameters: parameterCount({ ...m.spec, numClasses: m.labels.length }, { includeRunningStats: false }),
    };
  }

  import(file: string, options: PlainImportOptions & { as?: string | undefined; activate?: boolean }): ImportedModel & { active: boolean } {
    const imported = importWeightsFile(this.store, file, options.as, options);
    if (options.activate) this.store.setActive(imported.manifest.id);
    return { ...imported, active: this.store.activeId() === imported.manifest.id };
  }

  activate(id: string): void {
    this.store.setActive(id);
  }

  remove(id: string): void {
    this.store.remove(id);
  }

  catalogue(): CatalogueRow[] {
    return listCatalogue(this.store);
  }

  fetch(name: string, options: { activate: boolean; signal?: AbortSignal; onProgress?: (p: FetchProgress) => void }): Promise<FetchResult> {
    return fetchFromCatalogue(this.store, name, options);
  }
}

function readCard(dir: string): string {
  try {
    return readFileSync(join(dir, 'card.md'), 'utf8');
  } catch {
    return '';
  }
}
