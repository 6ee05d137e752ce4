import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FetchProgress, FetchResult, PinStatus } from '../../../common/contract/catalogue.ts';
import type { ModelManifest } from '../../../common/manifest.ts';
import { fetchCatalogueModel } from '../../domain/catalogue/fetch-model.ts';
import { installCatalogueFile } from '../../domain/catalogue/install-catalogue-file.ts';
import { loadCatalogue } from '../../domain/catalogue/load-catalogue.ts';
import { PinRecord } from '../../domain/catalogue/pins.ts';
import { recognise } from '../../domain/catalogue/recognise.ts';
import { identify } from '../../domain/catalogue/verify.ts';
import { importModel } from '../../domain/store/import-weights.ts';
import type { ModelStore } from '../../domain/store/model-store.ts';

/** The catalogue half of the models use cases: list, fetch, and catalogue-aware import. */

export interface CatalogueRow {
  name: string;
  title: string;
  licence: string;
  inputChannels: number;
  labels: number;
  reportedMeanAuroc: number | null | undefined;
  pin: PinStatus;
  sha256: string | null;
  /** The catalogue pins the file's git blob id (the CheXNet repositories). */
  gitBlob: boolean;
  installed: boolean;
  active: boolean;
  url: string;
}

export function listCatalogue(store: ModelStore): CatalogueRow[] {
  const { catalogue } = loadCatalogue();
  const pins = new PinRecord(store.dataDir);
  const active = store.activeId();
  return catalogue.models.map((e) => {
    const expected = pins.expected(e);
    return {
      name: e.name,
      title: e.title,
      licence: e.licence.name,
      inputChannels: e.network.inChannels,
      labels: e.outputs.filter((o) => o !== '').length,
      reportedMeanAuroc: e.reportedMeanAuroc,
      pin: expected.status,
      sha256: expected.sha256,
      gitBlob: e.file.gitBlobSha1 !== undefined,
      installed: store.has(e.name),
      active: active === e.name,
      url: e.url,
    };
  });
}

export function fetchFromCatalogue(
  store: ModelStore,
  name: string,
  options: { activate: boolean; signal?: AbortSignal; onProgress?: (p: FetchProgress) => void },
): Promise<FetchResult> {
  return fetchCatalogueModel({
    store,
    catalogue: loadCatalogue().catalogue,
    pins: new PinRecord(store.dataDir),
    name,
    activate: options.activate,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

export interface PlainImportOptions {
  arch?: string | undefined;
  labels?: string | undefined;
  id?: string | undefined;
  name?: string | undefined;
  inputSize?: number | undefined;
}

export interface ImportedModel {
  manifest: ModelManifest;
  /** How a catalogue file was recognised; absent for a plain import. */
  catalogue?: { name: string; recognisedBy: string; pin: PinStatus; sha256: string };
}

/**
 * `models import <file> [--as name]`: a catalogue file (named, or recognised by sha256/structure when
 * no --arch/--labels are given) gets its catalogue manifest; anything else goes to the plain importer.
 */
export function importWeightsFile(store: ModelStore, file: string, as: string | undefined, plain: PlainImportOptions): ImportedModel {
  const loaded = loadCatalogue();
  const pins = new PinRecord(store.dataDir);
  let useCatalogue = as !== undefined;
  if (!useCatalogue && plain.arch === undefined && plain.labels === undefined) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = readFileSync(resolve(file));
    } catch {
      bytes = undefined; // the plain importer reports the unreadable file
    }
    useCatalogue = bytes !== undefined && recognise(loaded.catalogue, bytes, identify(bytes), pins, file) !== undefined;
  }
  if (useCatalogue) {
    const r = installCatalogueFile({ store, catalogue: loaded.catalogue, pins, file, ...(as ? { as } : {}) });
    return {
      manifest: r.model.manifest,
      catalogue: { name: r.entry.name, recognisedBy: r.recognisedBy, pin: r.pin, sha256: r.verified.sha256 },
    };
  }
  const { arch, labels, id, name, inputSize } = plain;
  const model = importModel(store, {
    file,
    ...(arch ? { arch } : {}),
    ...(labels ? { labels } : {}),
    ...(id ? { id } : {}),
    ...(name ? { name } : {}),
    ...(inputSize ? { inputSize } : {}),
  });
  return { manifest: model.manifest };
}
