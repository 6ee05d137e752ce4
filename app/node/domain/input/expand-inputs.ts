import { open, stat } from 'node:fs/promises';
import { isDicom } from '../dicom/index.ts';
import { sniffImageFormat } from '../imaging/decode.ts';
import { walkFiles } from './walk-files.ts';

/** Whether the first bytes of a file say DICOM, PNG or JPEG (content, never the extension). */
export async function looksLikeStudyFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(512);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    return sniffImageFormat(bytes) !== undefined || isDicom(bytes);
  } finally {
    await handle.close();
  }
}

/**
 * Files named are kept as given (a bad one becomes an error result); folders are walked as batch
 * jobs walk them (depth first in name order, symbolic links followed, no folder twice), keeping
 * the files whose content is DICOM/PNG/JPEG.
 */
export async function expandInputs(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const isFolder = await stat(path).then(
      (info) => info.isDirectory(),
      () => false,
    );
    if (!isFolder) {
      out.push(path);
      continue;
    }
    for await (const entry of walkFiles([path])) {
      if (entry.kind === 'file' && (await looksLikeStudyFile(entry.path).catch(() => false))) out.push(entry.path);
    }
  }
  return out;
}
