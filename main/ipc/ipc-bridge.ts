import { api } from '../../app/common/contract/api.ts';
import type { Result } from '../../app/common/errors.ts';
import { callApi } from '../../app/node/services/call-api.ts';
import type { Handlers } from '../../app/node/services/services.ts';
import { apiChannel } from './channels.ts';

/** The part of Electron's IpcMainInvokeEvent we rely on (a fake in tests). */
export interface InvokeEvent {
  senderFrame: { url: string; parent: unknown } | null;
  sender: { id: number };
}

/** The part of Electron's ipcMain we use. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export type SenderCheck = (event: InvokeEvent) => boolean;

/**
 * Only our own page, in its top frame, inside a window we created, may call the back end: a
 * navigated-away page or an injected subframe gets UNAUTHORIZED and reaches no handler.
 */
export function senderCheck(options: { pageUrl: string; webContentsIds: () => ReadonlySet<number> }): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    const url = frame.url.split('#')[0]!.split('?')[0];
    return url === options.pageUrl && options.webContentsIds().has(event.sender.id);
  };
}

/**
 * One IPC handler for one API function: sender check, then the contract's zod parse, then the
 * handler; every reply is `{ ok, value } | { ok: false, error: { code, message } }` and typed
 * arrays in it travel by structured clone.
 */
export function ipcHandler(
  method: string,
  handlers: Handlers,
  trusted: SenderCheck,
): (event: InvokeEvent, ...args: unknown[]) => Promise<Result<unknown>> {
  return async (event, ...args) => {
    if (!trusted(event))
      return { ok: false, error: { code: 'UNAUTHORIZED', message: `${method}: call from a frame that is not DenseRay's window` } };
    if (args.length !== 1) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `${method} takes exactly one options object` } };
    return (await callApi(handlers, method, args[0])).result;
  };
}

/** Registers a handler for every function in the API table; returns the unregister. */
export function registerApiHandlers(ipcMain: IpcMainLike, handlers: Handlers, trusted: SenderCheck): () => void {
  const methods = Object.keys(api);
  for (const method of methods) ipcMain.handle(apiChannel(method), ipcHandler(method, handlers, trusted));
  return () => {
    for (const method of methods) ipcMain.removeHandler(apiChannel(method));
  };
}
