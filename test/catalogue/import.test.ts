// `models import <file> [--as name]` for air-gapped machines: recognised by sha256 or structure, or named.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installCatalogueFile } from '../../app/node/domain/catalogue/install-catalogue-file.ts';
import { PinRecord } from '../../app/node/domain/catalogue/pins.ts';
import { recognise } from '../../app/node/domain/catalogue/recognise.ts';
import { identify } from '../../app/node/domain/catalogue/verify.ts';
import { ModelStore } from '../../app/node/domain/store/model-store.ts';
import { runCli } from '../helpers/run-cli.ts';
import { shared } from '../helpers/shared.ts';
import { expected, fixtureDir, tinyCatalogue } from './fixtures.ts';
import { startLoopback } from './loopback-server.ts';
import { thrown } from '../helpers/thrown.ts';

const root = mkdtempSync(join(tmpdir(), 'denseray-catalogue-import-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshStore = (): ModelStore => new ModelStore(join(root, `data-${n++}`));
const { catalogue } = tinyCatalogue();
const fixture = (family: keyof typeof expected.files): string => join(fixtureDir, expected.files[family][0]!);

describe('recognising a carried file', () => {
  it('by structure: the CheXNet layouts are unique', () => {
    const store = freshStore();
    const pins = new PinRecord(store.dataDir);
    for (const [family, name] of [
      ['chexnet-jrzech', 'chexnet-jrzech'],
      ['chexnet-arnoweng', 'chexnet-arnoweng'],
    ] as const) {
      const r = installCatalogueFile({ store, catalogue, pins, file: fixture(family) });
      expect([r.entry.name, r.recognisedBy]).toEqual([name, 'structure']);
    }
    const legacy = join(fixtureDir, expected.files['chexnet-jrzech'][0]!);
    const zip = join(fixtureDir, expected.files['chexnet-jrzech'][1]!);
    for (const f of [legacy, zip])
      expect(recognise(catalogue, readFileSync(f), identify(readFileSync(f)), pins, f)?.entry.name).toBe('chexnet-jrzech');
  });

  it('the seven TorchXRayVision weights share one structure: ambiguous without --as, then known by the sha256 recorded on import', () => {
    const store = freshStore();
    const pins = new PinRecord(store.dataDir);
    const e = thrown(() => installCatalogueFile({ store, catalogue, pins, file: fixture('torchxrayvision') }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.details?.candidates).toHaveLength(7);
    expect(installCatalogueFile({ store, catalogue, pins, file: fixture('torchxrayvision'), as: 'densenet121-res224-rsna' }).pin).toBe(
      'recorded',
    );
    const again = installCatalogueFile({ store, catalogue, pins, file: fixture('torchxrayvision') });
    expect([again.entry.name, again.recognisedBy, again.pin]).toEqual(['densenet121-res224-rsna', 'sha256', 'recorded']);
    expect(again.model.manifest.labels).toEqual(['Pneumonia', 'Lung Opacity']);
  });

  it('a file that is no catalogue model is not recognised (the plain importer takes it)', () => {
    const bytes = readFileSync(shared('reference', 'tiny-densenet.pth'));
    expect(recognise(catalogue, bytes, identify(bytes), new PinRecord(freshStore().dataDir), 'tiny')).toBeUndefined();
  });

  it('--as with the wrong network is refused and installs nothing', () => {
    const store = freshStore();
    const e = thrown(() =>
      installCatalogueFile({
        store,
        catalogue,
        pins: new PinRecord(store.dataDir),
        file: fixture('torchxrayvision'),
        as: 'chexnet-jrzech',
      }),
    );
    expect(e.code).toBe('WEIGHTS_MISMATCH');
    expect(store.list()).toEqual([]);
  });

  it('--as with bytes that differ from a pinned sha256 is CHECKSUM_MISMATCH', () => {
    const store = freshStore();
    const pinned = {
      ...catalogue,
      models: catalogue.models.map((m) => (m.name === 'chexnet-arnoweng' ? { ...m, file: { ...m.file, sha256: 'a'.repeat(64) } } : m)),
    };
    expect(
      thrown(() =>
        installCatalogueFile({
          store,
          catalogue: pinned,
          pins: new PinRecord(store.dataDir),
          file: fixture('chexnet-arnoweng'),
          as: 'chexnet-arnoweng',
        }),
      ).code,
    ).toBe('CHECKSUM_MISMATCH');
  });
});

describe('denseray models (CLI)', () => {
  it('catalogue, fetch --activate from a loopback mirror, and import recognising a file', async () => {
    const file = expected.files['chexnet-arnoweng'][0]!;
    const server = await startLoopback(new Map([[file, readFileSync(join(fixtureDir, file))]]));
    try {
      const mirror = join(root, 'mirror-catalogue.json');
      writeFileSync(
        mirror,
        JSON.stringify(tinyCatalogue((e) => server.url('ok', e.family === 'chexnet-arnoweng' ? file : 'absent')).catalogue),
      );
      process.env.DENSERAY_CATALOGUE = mirror;
      const dataDir = join(root, 'cli');
      const list = await runCli(['models', 'catalogue', '--json'], { dataDir });
      expect(list.code, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout).models).toHaveLength(9);
      const fetched = await runCli(['models', 'fetch', 'chexnet-arnoweng', '--activate', '--json'], { dataDir });
      expect(fetched.code, fetched.stderr).toBe(0);
      expect(JSON.parse(fetched.stdout)).toMatchObject({ ok: true, pin: 'recorded', active: true, manifest: { id: 'chexnet-arnoweng' } });
      const missing = await runCli(['models', 'fetch', 'chexnet-jrzech'], { dataDir });
      expect(missing.code).toBe(3);
      expect(missing.stderr).toContain('DOWNLOAD_NOT_FOUND');
      const imported = await runCli(['models', 'import', fixture('chexnet-jrzech')], { dataDir });
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain('imported chexnet-jrzech from the catalogue (recognised by structure');
    } finally {
      delete process.env.DENSERAY_CATALOGUE;
      await server.close();
    }
  });
});
