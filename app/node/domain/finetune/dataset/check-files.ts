import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FileProblem } from '../../../../common/contract/finetune.ts';
import { isDicom } from '../../dicom/index.ts';
import { sniffImageFormat } from '../../imaging/decode.ts';
import type { CheckedImage, LabelledImage } from './labelled-image.ts';

/**
 * Opens every listed file once, up front: missing, unreadable and non-image files become problems
 * (the rest of the dataset goes on), duplicates of an already listed file are dropped, and each good
 * file's sha256 is taken — the cache key of its features and part of the dataset fingerprint.
 * Decoding failures can only show when pixels are read; the feature pass reports those.
 */
export async function checkFiles(
  items: readonly LabelledImage[],
  onProgress?: (done: number, total: number) => void,
): Promise<{ checked: CheckedImage[]; problems: FileProblem[] }> {
  const checked: CheckedImage[] = [];
  const problems: FileProblem[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    onProgress?.(i, items.length);
    if (seen.has(item.file)) {
      problems.push({ file: item.name, code: 'duplicate', message: 'listed more than once; the first entry is used' });
      continue;
    }
    seen.add(item.file);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(item.file);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      problems.push({
        file: item.name,
        code: missing ? 'missing' : 'unreadable',
        message: missing ? `no such file: ${item.file}` : `cannot be read: ${(error as Error).message}`,
      });
      continue;
    }
    if (sniffImageFormat(bytes) === undefined && !isDicom(bytes)) {
      problems.push({ file: item.name, code: 'unsupported-format', message: 'not DICOM, PNG or JPEG (by content)' });
      continue;
    }
    checked.push({ ...item, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  onProgress?.(items.length, items.length);
  return { checked, problems };
}
