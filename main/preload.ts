// The preload: the page's only view of Electron. It exposes exactly the API table's functions on
// window.denseray (each one IPC invoke on its own channel), an event subscription on
// window.denserayEvents, and turns files dropped on the window into paths for main. It never
// exposes ipcRenderer itself. Built as one CommonJS file: sandboxed preloads cannot load modules.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { api } from '../app/common/contract/api.ts';
import { apiChannel, DROP_CHANNEL, EVENT_CHANNEL } from './ipc/channels.ts';

const bridge: Record<string, (request: unknown) => Promise<unknown>> = {};
for (const method of Object.keys(api)) bridge[method] = (request) => ipcRenderer.invoke(apiChannel(method), request);
contextBridge.exposeInMainWorld('denseray', Object.freeze(bridge));

contextBridge.exposeInMainWorld('denserayEvents', {
  subscribe(listener: (event: unknown) => void): () => void {
    const forward = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, forward);
  },
});

// The part of the page's DOM used here (main/ is typechecked without the DOM library).
interface DropEventLike {
  dataTransfer: { files: ArrayLike<unknown> } | null;
}
const page = (globalThis as unknown as { window: { addEventListener(type: 'drop', listener: (event: DropEventLike) => void): void } })
  .window;

// Sandboxed pages no longer see File.path; webUtils resolves dropped files to paths here, in the preload.
page.addEventListener('drop', (event) => {
  const files = Array.from(event.dataTransfer?.files ?? []) as File[];
  const paths = files.map((file) => webUtils.getPathForFile(file)).filter((path) => path.length > 0);
  if (paths.length > 0) ipcRenderer.send(DROP_CHANNEL, paths);
});
