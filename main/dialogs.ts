import { dialog, type BrowserWindow } from 'electron';
import type { ApiResponse } from '../app/common/contract/api.ts';
import type { ModelInfo } from '../app/common/contract/classify.ts';

/** Native pickers: the desktop app's implementation of app.choosePaths. */
export async function choosePaths(
  window: BrowserWindow | undefined,
  kind: 'files' | 'folder' | 'weights',
): Promise<{ supported: true; paths: string[] }> {
  const options: Electron.OpenDialogOptions =
    kind === 'folder'
      ? { title: 'Open folder of studies', properties: ['openDirectory'] }
      : kind === 'weights'
        ? {
            title: 'Import model weights',
            properties: ['openFile'],
            filters: [{ name: 'Weights', extensions: ['safetensors', 'pth', 'pt', 'bin'] }],
          }
        : {
            title: 'Open studies',
            properties: ['openFile', 'multiSelections'],
            filters: [{ name: 'Chest X-rays', extensions: ['dcm', 'dicom', 'png', 'jpg', 'jpeg', '*'] }],
          };
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return { supported: true, paths: result.canceled ? [] : result.filePaths };
}

/** About: which model and weights are in use, and that this is not a medical device. */
export async function showAbout(
  window: BrowserWindow | undefined,
  about: ApiResponse<'app.about'>,
  engineModel: ModelInfo | null,
): Promise<void> {
  const model = engineModel ?? undefined;
  const detail = [
    `Model: ${model?.name ?? about.activeModel.name} (${model?.id ?? about.activeModel.id})${(model?.demo ?? about.activeModel.demo) ? ' — UNTRAINED DEMO, outputs mean nothing' : ''}`,
    `Weights sha256: ${model?.sha256 ?? about.activeModel.sha256}`,
    `Backend: ${model?.backendDetail ?? 'not started yet'}`,
    `Data folder: ${about.dataDir}`,
    '',
    about.notAMedicalDevice,
  ].join('\n');
  const options = { type: 'info' as const, title: 'About DenseRay', message: `DenseRay ${about.version}`, detail, buttons: ['OK'] };
  if (window) await dialog.showMessageBox(window, options);
  else await dialog.showMessageBox(options);
}
