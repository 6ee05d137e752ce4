import { app, BrowserWindow } from 'electron';
import { PRELOAD_FILE, RENDERER_INDEX_FILE } from './paths.ts';

/** The one app window: isolated, sandboxed, no Node in the page, our preload as its only bridge. */
export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'DenseRay',
    backgroundColor: '#0b0d10',
    webPreferences: {
      preload: PRELOAD_FILE,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadFile(RENDERER_INDEX_FILE);
  return window;
}
