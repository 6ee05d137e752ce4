import { describe, expect, it } from 'vitest';
import { api } from '../../app/common/contract/api.ts';
import { DenseRayError } from '../../app/node/shared/errors.ts';
import type { Handlers } from '../../app/node/services/services.ts';
import { apiChannel } from './channels.ts';
import { registerApiHandlers, senderCheck, type InvokeEvent, type IpcMainLike } from './ipc-bridge.ts';

const PAGE = 'file:///opt/DenseRay/resources/app.asar/dist/renderer/index.html';
const WINDOW_ID = 7;

/** ipcMain as a map of channel → listener, invoked the way Electron would. */
class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void {
    if (this.listeners.has(channel)) throw new Error(`second handler for ${channel}`);
    this.listeners.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.listeners.delete(channel);
  }
  invoke(channel: string, event: InvokeEvent, ...args: unknown[]): Promise<unknown> {
    return this.listeners.get(channel)!(event, ...args);
  }
}

const fromPage = (overrides: Partial<{ url: string; parent: unknown; id: number }> = {}): InvokeEvent => ({
  senderFrame: { url: overrides.url ?? PAGE, parent: overrides.parent ?? null },
  sender: { id: overrides.id ?? WINDOW_ID },
});

function setup(overrides: Partial<Handlers> = {}) {
  const calls: unknown[] = [];
  const handlers = new Proxy({} as Handlers, {
    get: (_target, method: string) =>
      (overrides as Record<string, unknown>)[method] ??
      (async (request: unknown) => {
        calls.push({ method, request });
        if (method === 'studies.cancel') return { cancelled: true };
        if (method === 'models.activate') return { id: (request as { id: string }).id };
        throw new Error(`unexpected call to ${method}`);
      }),
  });
  const ipc = new FakeIpcMain();
  const unregister = registerApiHandlers(ipc, handlers, senderCheck({ pageUrl: PAGE, webContentsIds: () => new Set([WINDOW_ID]) }));
  return { ipc, calls, unregister };
}

describe('IPC bridge', () => {
  it('registers exactly one handler per API-table function, and removes them all', () => {
    const { ipc, unregister } = setup();
    expect([...ipc.listeners.keys()].sort()).toEqual(Object.keys(api).map(apiChannel).sort());
    unregister();
    expect(ipc.listeners.size).toBe(0);
  });

  it('passes a valid payload to the handler and replies { ok, value }', async () => {
    const { ipc, calls } = setup();
    await expect(ipc.invoke(apiChannel('studies.cancel'), fromPage(), { opId: 'op-1' })).resolves.toEqual({
      ok: true,
      value: { cancelled: true },
    });
    expect(calls).toEqual([{ method: 'studies.cancel', request: { opId: 'op-1' } }]);
  });

  it('rejects payloads that fail the contract before any handler runs', async () => {
    const { ipc, calls } = setup();
    for (const payload of [{ opId: 42 }, { opId: 'has spaces and / slashes' }, 'a string', null]) {
      const reply = (await ipc.invoke(apiChannel('studies.cancel'), fromPage(), payload)) as {
        ok: boolean;
        error: { code: string; message: string };
      };
      expect(reply.ok).toBe(false);
      expect(reply.error.code).toBe('INVALID_ARGUMENT');
      expect(reply.error.message).toContain('studies.cancel');
    }
    const extraArgs = (await ipc.invoke(apiChannel('studies.cancel'), fromPage(), { opId: 'a' }, 'extra')) as { error: { code: string } };
    expect(extraArgs.error.code).toBe('INVALID_ARGUMENT');
    expect(calls).toEqual([]);
  });

  it('refuses senders other than our page in its top frame in our window', async () => {
    const { ipc, calls } = setup();
    const strangers: InvokeEvent[] = [
      fromPage({ url: 'https://example.com/' }),
      fromPage({ url: 'file:///tmp/other.html' }),
      fromPage({ parent: {} }), // a subframe
      fromPage({ id: 99 }), // another web contents
      { senderFrame: null, sender: { id: WINDOW_ID } }, // a frame that navigated away or was destroyed
    ];
    for (const event of strangers) {
      await expect(ipc.invoke(apiChannel('studies.cancel'), event, { opId: 'op' })).resolves.toMatchObject({
        ok: false,
        error: { code: 'UNAUTHORIZED' },
      });
    }
    expect(calls).toEqual([]);
    // Query strings and fragments on our own page are still our page.
    await expect(ipc.invoke(apiChannel('studies.cancel'), fromPage({ url: `${PAGE}#/viewer` }), { opId: 'op' })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('maps thrown errors to coded data, never a stack', async () => {
    const { ipc } = setup({
      'models.activate': async () => {
        throw new DenseRayError('MODEL_NOT_FOUND', 'no model "x"');
      },
      'studies.cancel': async () => {
        throw new TypeError('boom at /home/someone/secret.ts:12');
      },
    });
    await expect(ipc.invoke(apiChannel('models.activate'), fromPage(), { id: 'x' })).resolves.toEqual({
      ok: false,
      error: { code: 'MODEL_NOT_FOUND', message: 'no model "x"' },
    });
    const internal = (await ipc.invoke(apiChannel('studies.cancel'), fromPage(), { opId: 'op' })) as {
      ok: false;
      error: Record<string, unknown>;
    };
    expect(internal.error.code).toBe('INTERNAL');
    expect(Object.keys(internal.error).sort()).toEqual(['code', 'message']);
    expect(JSON.stringify(internal)).not.toContain('    at ');
  });

  it('checks responses against the contract too', async () => {
    const { ipc } = setup({ 'studies.cancel': async () => ({ cancelled: 'yes' }) as unknown as { cancelled: boolean } });
    await expect(ipc.invoke(apiChannel('studies.cancel'), fromPage(), { opId: 'op' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });

  it('returns typed arrays as typed arrays (structured clone carries them), not number lists', async () => {
    const values = new Float32Array([1.5, -2, 3]);
    const { ipc } = setup({
      'studies.pixels': async ({ id }) => ({
        id,
        frame: 0,
        width: 3,
        height: 1,
        values,
        unit: 'stored value',
        min: -2,
        max: 3,
        invert: false,
        windows: [{ label: 'Full range', center: 0.5, width: 6, source: 'full-range' }],
        defaultWindow: 0,
      }),
    });
    const reply = (await ipc.invoke(apiChannel('studies.pixels'), fromPage(), { id: 's1' })) as {
      ok: true;
      value: { values: unknown; frame: number };
    };
    expect(reply.value.values).toBeInstanceOf(Float32Array);
    expect(reply.value.values).toBe(values);
    expect(reply.value.frame).toBe(0);
  });
});
