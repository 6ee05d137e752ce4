import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalogue, FetchProgress, FetchResult } from '../../../common/contract/catalogue.ts';
import { DenseRayError } from '../../shared/errors.ts';
import type { ModelStore } from '../store/model-store.ts';
import { downloadToPart } from './download.ts';
import { installCatalogueFile } from './install-catalogue-file.ts';
import { findEntry } from './load-catalogue.ts';
import type { PinRecord } from './pins.ts';

export interface FetchRequest {
  store: ModelStore;
  catalogue: Catalogue;
  pins: PinRecord;
  name: string;
  activate?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: FetchProgress) => void;
}

/**
 * `denseray models fetch <name>`: download (resuming `<dataDir>/downloads/<file>.part`), verify,
 * install with the catalogue's manifest, optionally activate. A file that fails verification or
 * import is deleted; the part file survives only interruptions, to be resumed.
 */
export async function fetchCatalogueModel(request: FetchRequest): Promise<FetchResult> {
  const entry = findEntry(request.catalogue, request.name);
  const dir = join(request.store.dataDir, 'downloads');
  mkdirSync(dir, { recursive: true });
  const part = join(dir, `${entry.file.name}.part`);
  const done = join(dir, entry.file.name);
  const expected = request.pins.expected(entry);
  const report = (phase: FetchProgress['phase'], receivedBytes: number, totalBytes: number | null): void =>
    request.onProgress?.({ name: entry.name, phase, receivedBytes, totalBytes: totalBytes && totalBytes > 0 ? totalBytes : null });

  const download = await downloadToPart(entry.url, {
    partFile: part,
    expectedBytes: expected.bytes,
    ...(request.signal ? { signal: request.signal } : {}),
    onProgress: (p) => report('download', p.receivedBytes, p.totalBytes),
  });
  renameSync(part, done);
  try {
    report('verify', download.bytes, download.bytes);
    report('import', download.bytes, download.bytes);
    const installed = installCatalogueFile({
      store: request.store,
      catalogue: request.catalogue,
      pins: request.pins,
      file: done,
      as: entry.name,
      downloaded: true,
    });
    if (request.activate) request.store.setActive(installed.model.manifest.id);
    report('done', download.bytes, download.bytes);
    return {
      manifest: installed.model.manifest,
      sha256: installed.verified.sha256,
      bytes: installed.verified.bytes,
      pin: installed.pin,
      resumed: download.resumed,
      active: request.activate === true,
    };
  } catch (error) {
    report('failed', download.bytes, download.bytes);
    throw error instanceof DenseRayError
      ? error
      : new DenseRayError('INTERNAL', `installing ${entry.name} failed: ${String(error)}`, { cause: error });
  } finally {
    // The original is re-fetchable and the store keeps a converted copy: do not keep both on disk.
    rmSync(done, { force: true });
  }
}
