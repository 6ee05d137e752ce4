// `models fetch` against a loopback server: every weights layout end to end, resume after a cut,
// corrupted bytes refused and removed, 404 and an unreachable host with their codes, cancel, disk full.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../app/common/contract/api.ts';
import type { Catalogue, CatalogueEntry, FetchProgress } from '../../app/common/contract/catalogue.ts';
import { IMAGENET_PREPROCESSING } from '../../app/common/manifest.ts';
import { createCatalogueHandlers } from '../../app/node/services/models/catalogue-handlers.ts';
import { downloadToPart } from '../../app/node/domain/catalogue/download.ts';
import { fetchCatalogueModel } from '../../app/node/domain/catalogue/fetch-model.ts';
import { PinRecord } from '../../app/node/domain/catalogue/pins.ts';
import { DenseRayError } from '../../app/node/shared/errors.ts';
import { ModelStore } from '../../app/node/domain/store/model-store.ts';
import { shared } from '../helpers/shared.ts';
import { expected, fixtureDir, tinyCatalogue } from './fixtures.ts';
import { closedPort, startLoopback, type Loopback } from './loopback-server.ts';

const root = mkdtempSync(join(tmpdir(), 'denseray-fetch-'));
let n = 0;
const freshStore = (): ModelStore => new ModelStore(join(root, `data-${n++}`));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The six shared tiny files (3 outputs, 3 channels) as catalogue entries with their layouts. */
const SHARED_TINY = [
  ['tiny-densenet.safetensors', 'state_dict'],
  ['tiny-densenet.pth', 'state_dict'],
  ['tiny-densenet-legacy.pth', 'dict-with-state_dict'],
  ['tiny-densenet-module.pth', 'module'],
  ['tiny-chexnet-jrzech-style.pth', 'dict-with-module'],
  ['tiny-chexnet-arnoweng-style.pth.tar', 'dict-with-state_dict'],
] as const;

const files = new Map<string, Uint8Array>();
for (const [file] of SHARED_TINY) files.set(file, readFileSync(shared('reference', file)));
for (const list of Object.values(expected.files)) for (const file of list) files.set(file, readFileSync(join(fixtureDir, file)));

let server: Loopback;
beforeAll(async () => {
  server = await startLoopback(files);
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function sharedTinyEntry(file: string, layout: CatalogueEntry['file']['layout'], route = 'ok'): CatalogueEntry {
  const base = tinyCatalogue().catalogue.models.find((e) => e.name === 'chexnet-jrzech')!;
  return {
    ...base,
    name: file.toLowerCase().replace(/[^a-z0-9.-]/g, '-'),
    title: `shared ${file}`,
    url: server.url(route, file),
    file: { name: file, layout, bytes: null, sha256: null },
    network: { arch: 'custom', inChannels: 3, spec: { growthRate: 4, blockConfig: [2, 2, 2, 2], numInitFeatures: 8, bnSize: 2 } },
    outputs: ['a', 'b', 'c'],
    preprocessing: { ...IMAGENET_PREPROCESSING, size: 64 },
  };
}

/** A catalogue of one entry (or the tiny-ified real ones) pointed at the loopback server. */
const catalogueOf = (...models: CatalogueEntry[]): Catalogue => ({ schemaVersion: 1, models });
const fixtureEntry = (name: string, route: string, pinned?: Uint8Array): CatalogueEntry => {
  const e = tinyCatalogue((x) => server.url(route, expected.files[x.family][0]!)).catalogue.models.find((x) => x.name === name)!;
  return pinned ? { ...e, file: { ...e.file, sha256: sha256(pinned), bytes: pinned.length } } : e;
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof DenseRayError) return e.code;
    throw e;
  }
  throw new Error('expected a DenseRayError');
}

describe('fetch end to end', () => {
  it.each(SHARED_TINY)('shared %s (%s) downloads, verifies, installs and records its sha256', async (file, layout) => {
    const store = freshStore();
    const entry = sharedTinyEntry(file, layout);
    const pins = new PinRecord(store.dataDir);
    const result = await fetchCatalogueModel({ store, catalogue: catalogueOf(entry), pins, name: entry.name, activate: true });
    expect(result.sha256).toBe(sha256(files.get(file)!));
    expect(result.pin).toBe('recorded');
    expect(result.manifest.labels).toEqual(['a', 'b', 'c']);
    expect(store.activeId()).toBe(entry.name);
    expect(pins.expected(entry)).toMatchObject({ status: 'recorded', sha256: result.sha256 });
    expect(readdirSync(join(store.dataDir, 'downloads'))).toEqual([]); // the original is not kept twice
  });

  it.each(['densenet121-res224-nih', 'chexnet-jrzech', 'chexnet-arnoweng'])(
    'catalogue entry %s fetches its family’s file',
    async (name) => {
      const store = freshStore();
      const entry = fixtureEntry(name, 'ok');
      const result = await fetchCatalogueModel({ store, catalogue: catalogueOf(entry), pins: new PinRecord(store.dataDir), name });
      expect(result.manifest.id).toBe(name);
      expect(result.manifest.provenance.source).toContain(entry.url);
    },
  );

  it('the API handlers list the catalogue, fetch with progress events, and mark the active model', async () => {
    const store = freshStore();
    const entry = fixtureEntry('chexnet-arnoweng', 'ok');
    const events: ApiEvent[] = [];
    const handlers = createCatalogueHandlers({
      dataDir: store.dataDir,
      models: store,
      emit: (e) => events.push(e),
      catalogue: () => ({ catalogue: catalogueOf(entry), file: tinyCatalogue().file }),
    });
    expect((await handlers['catalogue.list']())[0]).toMatchObject({ pin: 'unpinned', installedId: null, active: false });
    await handlers['catalogue.fetch']({ name: entry.name, activate: true });
    const phases = events.map((e) => (e.payload as FetchProgress).phase);
    expect(phases[0]).toBe('download');
    expect(phases.slice(-3)).toEqual(['verify', 'import', 'done']);
    expect((await handlers['catalogue.list']())[0]).toMatchObject({ pin: 'recorded', installedId: entry.name, active: true });
    expect((await handlers['catalogue.list']())[0]!.card).toMatch(/^# /);
  });
});

describe('fetch failures', () => {
  it('a connection cut mid-file resumes with an HTTP Range request', async () => {
    const store = freshStore();
    const entry = fixtureEntry('chexnet-jrzech', 'cut');
    const before = server.ranges.length;
    const result = await fetchCatalogueModel({
      store,
      catalogue: catalogueOf(entry),
      pins: new PinRecord(store.dataDir),
      name: entry.name,
    });
    expect(result.resumed).toBe(true);
    const half = files.get(expected.files['chexnet-jrzech'][0]!)!.length >> 1;
    expect(server.ranges.slice(before)).toEqual(['', `bytes=${half}-`]);
    expect(result.sha256).toBe(sha256(files.get(expected.files['chexnet-jrzech'][0]!)!));
  });

  it('a corrupted file is refused with CHECKSUM_MISMATCH, deleted, and nothing is installed', async () => {
    const store = freshStore();
    const genuine = files.get(expected.files['chexnet-arnoweng'][0]!)!;
    const entry = fixtureEntry('chexnet-arnoweng', 'corrupt', genuine);
    expect(
      await codeOf(fetchCatalogueModel({ store, catalogue: catalogueOf(entry), pins: new PinRecord(store.dataDir), name: entry.name })),
    ).toBe('CHECKSUM_MISMATCH');
    expect(readdirSync(join(store.dataDir, 'downloads'))).toEqual([]);
    expect(store.has(entry.name)).toBe(false);
    expect(existsSync(join(store.modelsDir)) ? readdirSync(store.modelsDir) : []).toEqual([]);
  });

  it('an unpinned file must match the sha256 its first verified download recorded', async () => {
    const store = freshStore();
    const pins = new PinRecord(store.dataDir);
    const good = fixtureEntry('chexnet-arnoweng', 'ok');
    await fetchCatalogueModel({ store, catalogue: catalogueOf(good), pins, name: good.name });
    const tampered = { ...good, url: good.url.replace('/ok/', '/corrupt/') };
    // Same URL recorded: point the record at the tampered route by re-recording under its URL.
    pins.record(good.name, { ...pins.all()[good.name]!, url: tampered.url });
    expect(await codeOf(fetchCatalogueModel({ store, catalogue: catalogueOf(tampered), pins, name: good.name }))).toBe('CHECKSUM_MISMATCH');
    expect(store.has(good.name)).toBe(true); // the earlier, verified install is untouched
  });

  it('a 404 gives DOWNLOAD_NOT_FOUND', async () => {
    const store = freshStore();
    const entry = { ...fixtureEntry('chexnet-jrzech', 'ok'), url: server.url('ok', 'no-such-file.pth') };
    expect(
      await codeOf(fetchCatalogueModel({ store, catalogue: catalogueOf(entry), pins: new PinRecord(store.dataDir), name: entry.name })),
    ).toBe('DOWNLOAD_NOT_FOUND');
  });

  it('an unreachable host gives NETWORK_OFFLINE', async () => {
    const store = freshStore();
    const entry = { ...fixtureEntry('chexnet-jrzech', 'ok'), url: `http://127.0.0.1:${await closedPort()}/weights.pth` };
    expect(
      await codeOf(fetchCatalogueModel({ store, catalogue: catalogueOf(entry), pins: new PinRecord(store.dataDir), name: entry.name })),
    ).toBe('NETWORK_OFFLINE');
  });

  it('cancel stops a running fetch with CANCELLED and keeps the partial file to resume', async () => {
    const store = freshStore();
    const entry = fixtureEntry('densenet121-res224-all', 'stall');
    const handlers = createCatalogueHandlers({
      dataDir: store.dataDir,
      models: store,
      emit: () => {},
      catalogue: () => ({ catalogue: catalogueOf(entry), file: tinyCatalogue().file }),
    });
    const running = handlers['catalogue.fetch']({ name: entry.name });
    await new Promise((r) => setTimeout(r, 300));
    expect(await handlers['catalogue.cancel']({ name: entry.name })).toEqual({ cancelled: true });
    expect(await codeOf(running)).toBe('CANCELLED');
    expect(readdirSync(join(store.dataDir, 'downloads'))).toEqual([`${entry.file.name}.part`]);
  });

  it.runIf(existsSync('/dev/full'))('a full disk gives DISK_FULL', async () => {
    const url = server.url('ok', expected.files['chexnet-jrzech'][0]!);
    expect(await codeOf(downloadToPart(url, { partFile: '/dev/full' }))).toBe('DISK_FULL');
  });
});
