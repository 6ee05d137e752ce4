// Electron main: owns the window, the menus and the worker processes, and routes IPC to the
// back-end handlers. It parses no untrusted file itself: the reader and engine utility processes do,
// and batch jobs and fine-tuning run in the jobs utility process.
import { app, BrowserWindow, ipcMain } from 'electron';
import { z } from 'zod';
import type { ApiEvent } from '../app/common/contract/api.ts';
import type { UiCommand } from '../app/common/contract/ui.ts';
import { createBackend } from '../app/node/services/backend.ts';
import type { Handlers } from '../app/node/services/services.ts';
import { resolveDataDir } from '../app/node/shared/data-dir.ts';
import { choosePaths, showAbout } from './dialogs.ts';
import { utilityTransport } from './engine-host.ts';
import { DROP_CHANNEL, EVENT_CHANNEL } from './ipc/channels.ts';
import { registerApiHandlers, senderCheck } from './ipc/ipc-bridge.ts';
import { buildMenu } from './menu.ts';
import { ENGINE_ENTRY_FILE, JOBS_ENTRY_FILE, READER_ENTRY_FILE, RENDERER_INDEX_URL } from './paths.ts';
import { hardenApp } from './security.ts';
import { createMainWindow } from './window.ts';

const DroppedPaths = z.array(z.string().min(1).max(4096)).min(1).max(1000);

function start(): void {
  hardenApp(RENDERER_INDEX_URL);
  const dataDir = resolveDataDir();
  let window: BrowserWindow | undefined;
  const emit = (event: ApiEvent): void => window?.webContents.send(EVENT_CHANNEL, event);
  // Files are parsed in the reader, the model runs in the engine, and batch jobs and fine-tuning
  // (seconds of CPU per training step) in the jobs utility process: never on main's event loop.
  const backend = createBackend({
    dataDir,
    emit,
    workers: {
      engine: () => utilityTransport(ENGINE_ENTRY_FILE, 'DenseRay engine'),
      reader: () => utilityTransport(READER_ENTRY_FILE, 'DenseRay file reader'),
      jobs: () => utilityTransport(JOBS_ENTRY_FILE, 'DenseRay jobs'),
    },
  });
  const handlers: Handlers = {
    ...backend.handlers,
    'app.choosePaths': ({ kind }) => choosePaths(window, kind),
  };
  const trusted = senderCheck({
    pageUrl: RENDERER_INDEX_URL,
    webContentsIds: () => new Set(BrowserWindow.getAllWindows().map((w) => w.webContents.id)),
  });
  registerApiHandlers(ipcMain, handlers, trusted);
  ipcMain.on(DROP_CHANNEL, (event, payload: unknown) => {
    const paths = DroppedPaths.safeParse(payload);
    if (trusted(event) && paths.success) emit({ channel: 'app.openPaths', payload: { paths: paths.data } });
  });

  const command = (name: UiCommand): void => emit({ channel: 'app.command', payload: { command: name } });
  const open = async (kind: 'files' | 'folder'): Promise<void> => {
    const { paths } = await choosePaths(window, kind);
    if (paths.length > 0) emit({ channel: 'app.openPaths', payload: { paths } });
  };
  buildMenu({
    command,
    openFiles: () => void open('files'),
    openFolder: () => void open('folder'),
    about: () => void handlers['app.about']({}).then((about) => showAbout(window, about, backend.studies.status().model)),
  });

  window = createMainWindow();
  window.on('closed', () => (window = undefined));
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => {
    // A running batch job pauses after its batch in flight (bounded wait), so it resumes cleanly.
    void backend.close().finally(() => app.quit());
  });
}

// One instance: a second launch focuses the first window instead of starting a second engine.
if (!app.requestSingleInstanceLock()) app.quit();
else void app.whenReady().then(start);
