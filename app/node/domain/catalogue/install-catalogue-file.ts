import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Catalogue, CatalogueEntry, PinStatus } from '../../../common/contract/catalogue.ts';
import { DenseRayError } from '../../shared/errors.ts';
import type { InstalledModel, ModelStore } from '../store/model-store.ts';
import { loadWeightsFile } from '../model/weights/import.ts';
import { catalogueModel, declaredSpec } from './catalogue-manifest.ts';
import { findEntry } from './load-catalogue.ts';
import type { PinRecord } from './pins.ts';
import { recognise, type RecognisedBy } from './recognise.ts';
import { identify, verifyFile, type Verified } from './verify.ts';

export interface InstallFromFile {
  store: ModelStore;
  catalogue: Catalogue;
  pins: PinRecord;
  file: string;
  /** Catalogue name; recognised by sha256 or structure when absent. */
  as?: string;
  /** Only a fetch has verified the file against the catalogue's URL; a carried file is checked here. */
  downloaded?: boolean;
}

export interface InstalledFromCatalogue {
  model: InstalledModel;
  entry: CatalogueEntry;
  verified: Verified;
  pin: PinStatus;
  recognisedBy: RecognisedBy | 'name';
}

/**
 * Installs a catalogue file: checks its bytes against the pins (a pinned or recorded sha256 that
 * differs is refused), reads it strictly against the entry's declared network, and installs it with
 * the entry's manifest. The store installs atomically, so a failure leaves nothing behind. An
 * unpinned entry's sha256 is recorded once the file has been verified and installed.
 */
export function installCatalogueFile(request: InstallFromFile): InstalledFromCatalogue {
  const path = resolve(request.file);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new DenseRayError('FILE_NOT_FOUND', `cannot read weights file ${path}`, { cause });
  }
  const id = identify(bytes);
  let entry: CatalogueEntry;
  let recognisedBy: RecognisedBy | 'name';
  if (request.as !== undefined) {
    entry = findEntry(request.catalogue, request.as);
    recognisedBy = 'name';
  } else {
    const found = recognise(request.catalogue, bytes, id, request.pins, path);
    if (!found) {
      throw new DenseRayError(
        'INVALID_ARGUMENT',
        `${path} is not a catalogue model DenseRay recognises; name it with --as <catalogue name>, or give --arch and --labels`,
      );
    }
    entry = found.entry;
    recognisedBy = found.by;
  }
  const expected = request.pins.expected(entry);
  const verified = verifyFile(bytes, entry, expected, path);
  const loaded = loadWeightsFile(bytes, path, { spec: declaredSpec(entry) });
  const notes = request.downloaded
    ? []
    : [
        `Imported from a file carried by hand (recognised by ${recognisedBy}); sha256 ${id.sha256}${expected.status === 'unpinned' ? ', unpinned: not checked against any published value' : `, matches the ${expected.status} value`}.`,
      ];
  const { manifest, weights } = catalogueModel(entry, loaded, { path: request.downloaded ? entry.url : path, sha256: id.sha256 }, notes);
  const model = request.store.install(manifest, weights, { replace: true });
  let pin = expected.status;
  if (expected.status === 'unpinned') {
    request.pins.record(entry.name, { sha256: id.sha256, bytes: id.bytes, url: entry.url, recordedAt: new Date().toISOString() });
    pin = 'recorded';
  }
  return { model, entry, verified, pin, recognisedBy };
}
