// Issue 12: one study through the three front doors a user has — the `denseray classify` command,
// the browser-mode HTTP API of `denseray serve`, and the desktop app's IPC handler table (with a
// fake ipcMain, as Electron would call it) — gives byte-identical results and heatmaps.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, WIRE_CONTENT_TYPE } from '../../app/common/contract/wire.ts';
import { apiChannel } from '../../main/ipc/channels.ts';
import { type InvokeEvent, type IpcMainLike, registerApiHandlers, senderCheck } from '../../main/ipc/ipc-bridge.ts';
import { type Backend, createBackend } from '../../app/node/services/backend.ts';
import { startServe, type ServeProcess } from '../e2e/serve-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { shared } from '../helpers/shared.ts';

/** The commonest clinical encoding, and the one that reached the model scrambled. */
const STUDY = shared('dicom', 'cxr_dx_mono2_12in16_implicit_le.dcm');
const PAGE = 'file:///opt/DenseRay/resources/app.asar/dist/renderer/index.html';

interface DoorResult {
  probabilities: Record<string, number>;
  guard: unknown;
  /** Heatmap PNG per flagged finding. */
  heatmaps: Map<string, Buffer>;
}

type Call = (method: string, payload: unknown) => Promise<unknown>;

/** What the app does: open the file, classify it, export each flagged finding's heatmap. */
async function throughApi(call: Call): Promise<DoorResult> {
  const opened = (await call('studies.open', { paths: [STUDY] })) as { studies: { id: string }[] };
  const id = opened.studies[0]!.id;
  const classified = (await call('studies.classify', { ids: [id] })) as {
    results: { ok: boolean; prediction: { probabilities: Record<string, number>; guard: unknown; flagged: string[] } }[];
  };
  const prediction = classified.results[0]!.prediction;
  const heatmaps = new Map<string, Buffer>();
  for (const label of prediction.flagged) {
    const { png } = (await call('studies.heatmapPng', { id, label })) as { png: Uint8Array };
    heatmaps.set(label, Buffer.from(png));
  }
  return { probabilities: prediction.probabilities, guard: prediction.guard, heatmaps };
}

/** ipcMain as Electron calls it: one listener per channel, invoked with the sender's frame. */
class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void {
    this.listeners.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.listeners.delete(channel);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'denseray-doors-'));
let serve: ServeProcess | undefined;
let backend: Backend | undefined;

beforeAll(async () => {
  serve = await startServe(dataDir);
});
afterAll(async () => {
  await serve?.stop();
  await backend?.close();
});

describe('one study through the CLI, browser mode and the desktop IPC table', () => {
  it('gives byte-identical results and heatmaps', async () => {
    const heatmapDir = mkdtempSync(join(tmpdir(), 'denseray-doors-heatmaps-'));
    const cli = await runCli(['classify', STUDY, '--json', '--heatmaps', heatmapDir], { dataDir });
    expect(cli.code, cli.stderr).toBe(0);
    const cliJson = JSON.parse(cli.stdout) as { results: { probabilities: Record<string, number>; guard: unknown }[] };
    const fromCli: DoorResult = {
      probabilities: cliJson.results[0]!.probabilities,
      guard: cliJson.results[0]!.guard,
      heatmaps: new Map(readdirSync(heatmapDir).map((f) => [f.split('.').slice(-2, -1)[0]!, readFileSync(join(heatmapDir, f))])),
    };

    const fromHttp = await throughApi(async (method, payload) => {
      const response = await fetch(`${serve!.origin}/api/call/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': WIRE_CONTENT_TYPE, Authorization: `Bearer ${serve!.token}` },
        body: encodeEnvelope(payload),
      });
      const reply = decodeEnvelope(new Uint8Array(await response.arrayBuffer())) as { ok: boolean; value?: unknown; error?: unknown };
      if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
      return reply.value;
    });

    backend = createBackend({ dataDir, emit: () => undefined });
    const ipc = new FakeIpcMain();
    registerApiHandlers(ipc, backend.handlers, senderCheck({ pageUrl: PAGE, webContentsIds: () => new Set([1]) }));
    const event: InvokeEvent = { senderFrame: { url: PAGE, parent: null }, sender: { id: 1 } };
    const fromIpc = await throughApi(async (method, payload) => {
      const reply = (await ipc.listeners.get(apiChannel(method))!(event, payload)) as { ok: boolean; value?: unknown; error?: unknown };
      if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
      return reply.value;
    });

    // The demo model flags this film's findings near 0.5, so there are heatmaps to compare.
    expect(fromCli.heatmaps.size).toBeGreaterThan(0);
    for (const door of [fromHttp, fromIpc]) {
      expect(door.probabilities).toEqual(fromCli.probabilities);
      expect(door.guard).toEqual(fromCli.guard);
      expect([...door.heatmaps.keys()].sort()).toEqual([...fromCli.heatmaps.keys()].sort());
      for (const [label, png] of fromCli.heatmaps) expect(door.heatmaps.get(label)!.equals(png), `${label} heatmap`).toBe(true);
    }
  });
});
