import { open, readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { isDicom } from '../dicom/index.ts';
import { sniffImageFormat } from '../imaging/decode.ts';

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
 * Files named on the command line are kept as given (a bad one becomes an error result);
 * folders are walked recursively, in sorted order, keeping files whose content is DICOM/PNG/JPEG.
 */
export async function expandInputs(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let info: Stats;
    try {
      info = await stat(path);
    } catch {
      out.push(path);
      continue;
    }
    if (info.isDirectory()) await walk(path, out);
    else out.push(path);
  }
  return out;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (entry.isFile() && (await looksLikeStudyFile(path).catch(() => false))) out.push(path);
  }
}
