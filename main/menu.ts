import { app, Menu, type MenuItemConstructorOptions } from 'electron';
import type { UiCommand } from '../app/common/contract/ui.ts';

export interface MenuActions {
  /** Screens and actions the renderer owns. */
  command(command: UiCommand): void;
  openFiles(): void;
  openFolder(): void;
  about(): void;
}

/** File / View / Help with the shortcuts a desktop user expects; the renderer's own keys are under `?`. */
export function buildMenu(actions: MenuActions): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Files…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFiles() },
        { label: 'Open Folder…', accelerator: 'CmdOrCtrl+Shift+O', click: () => actions.openFolder() },
        { type: 'separator' },
        { label: 'Export Report…', accelerator: 'CmdOrCtrl+E', click: () => actions.command('export-report') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'Models',
      submenu: [
        { label: 'Models…', accelerator: 'CmdOrCtrl+M', click: () => actions.command('models') },
        { label: 'Fine-tune…', accelerator: 'CmdOrCtrl+Shift+F', click: () => actions.command('finetune') },
        { label: 'Batch Jobs…', accelerator: 'CmdOrCtrl+J', click: () => actions.command('jobs') },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'togglefullscreen' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        ...(app.isPackaged ? [] : [{ type: 'separator' as const }, { role: 'reload' as const }, { role: 'toggleDevTools' as const }]),
      ],
    },
    {
      label: 'Help',
      submenu: [
        { label: 'Keyboard Shortcuts', accelerator: 'Shift+/', click: () => actions.command('help') },
        { label: 'About DenseRay', click: () => actions.about() },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
