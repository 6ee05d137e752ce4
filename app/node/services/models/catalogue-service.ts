import type { PinStatus } from '../../../common/contract/catalogue.ts';
import { importModel } from '../../domain/store/import-weights.ts';
import type { ModelStore } from '../../domain/store/model-store.ts';
import { fetchCatalogueModel } from '../../domain/catalogue/fetch-model.ts';
import { installCatalogueFile } from '../../domain/catalogue/install-catalogue-file.ts';
import { loadCatalogue } from '../../domain/catalogue/load-catalogue.ts';
import { PinRecord } from '../../domain/catalogue/pins.ts';
import { downloadProgressLine } from '../../domain/catalogue/progress-text.ts';
import { recognise } from '../../domain/catalogue/recognise.ts';
import { identify } from '../../domain/catalogue/verify.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The catalogue half of `denseray models`: list, fetch, and catalogue-aware import. Prints; errors propagate to the command. */

const out = (text: string): void => void process.stdout.write(text);
const json = (value: unknown): void => out(`${JSON.stringify(value, null, 2)}\n`);

function pinText(pin: PinStatus, sha256: string | null): string {
  if (pin === 'pinned') return `sha256 pinned ${sha256!.slice(0, 12)}`;
  if (pin === 'recorded') return `sha256 unpinned in the catalogue; recorded here ${sha256!.slice(0, 12)}`;
  return 'sha256 unpinned';
}

export function listCatalogue(store: ModelStore, asJson: boolean): void {
  const { catalogue } = loadCatalogue();
  const pins = new PinRecord(store.dataDir);
  const active = store.activeId();
  const rows = catalogue.models.map((e) => {
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
  if (asJson) {
    json({ ok: true, models: rows });
    return;
  }
  for (const r of rows) {
    const state = r.active ? '*' : r.installed ? '+' : ' ';
    const pin = `${pinText(r.pin, r.sha256)}${r.gitBlob && r.pin === 'unpinned' ? ' (git blob id pinned)' : ''}`;
    out(`${state} ${r.name.padEnd(28)} ${String(r.labels).padStart(2)} labels  ${r.inputChannels}ch  ${pin.padEnd(44)} ${r.licence}\n`);
  }
  out('\n* active  + installed.  Fetch one with: denseray models fetch <name> [--activate]\n');
}

export async function fetchFromCatalogue(store: ModelStore, name: string, options: { activate: boolean; json: boolean }): Promise<void> {
  const { catalogue } = loadCatalogue();
  const showBar = !options.json && process.stderr.isTTY === true;
  const started = Date.now();
  let startBytes: number | undefined;
  let lastDraw = 0;
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await fetchCatalogueModel({
      store,
      catalogue,
      pins: new PinRecord(store.dataDir),
      name,
      activate: options.activate,
      signal: controller.signal,
      onProgress: (p) => {
        startBytes ??= p.receivedBytes;
        const now = Date.now();
        if (showBar && p.phase === 'download' && (now - lastDraw > 100 || p.receivedBytes === p.totalBytes)) {
          lastDraw = now;
          process.stderr.write(`\r${downloadProgressLine(p, now - started, startBytes)}`);
        }
        if (showBar && p.phase === 'verify') process.stderr.write('\nverifying and importing…\n');
      },
    });
    if (options.json) return json({ ok: true, ...result });
    out(
      `installed ${result.manifest.id} (${result.manifest.labels.length} labels, ${result.bytes} bytes${result.resumed ? ', resumed' : ''})${result.active ? ', active' : ''}\n`,
    );
    out(
      `sha256 ${result.sha256} — ${result.pin === 'pinned' ? 'matches the catalogue pin' : 'unpinned in the catalogue: recorded on this machine, later downloads must match it'}\n`,
    );
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export interface PlainImportOptions {
  arch?: string;
  labels?: string;
  id?: string;
  name?: string;
  inputSize?: number;
}

/**
 * `models import <file> [--as name]`: a catalogue file (named, or recognised by sha256/structure when
 * no --arch/--labels are given) gets its catalogue manifest; anything else goes to the plain importer.
 */
export function importFile(
  store: ModelStore,
  file: string,
  as: string | undefined,
  plain: PlainImportOptions,
): { id: string; text: string; manifest: unknown } {
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
    const m = r.model.manifest;
    return {
      id: m.id,
      manifest: m,
      text: `imported ${m.id} from the catalogue (recognised by ${r.recognisedBy}; ${m.labels.length} labels; ${pinText(r.pin, r.verified.sha256)})`,
    };
  }
  const model = importModel(store, { file, ...plain });
  const m = model.manifest;
  return {
    id: m.id,
    manifest: m,
    text: `imported ${m.id} (${m.arch}, ${m.labels.length} labels, sha256 ${m.weights.sha256.slice(0, 12)})`,
  };
}
