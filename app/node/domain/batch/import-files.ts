import type { CatalogEntry } from '../store/file-catalog.ts';
import type { StudyStore } from '../store/study-store.ts';
import { identifyFile, SKIP_UNREADABLE } from './identify-file.ts';
import { walkFiles } from '../input/walk-files.ts';

/** Files recorded per transaction: small enough that a crash re-reads little, large enough to be cheap. */
const SLICE = 64;

/**
 * Walks the job's roots and records every file, its study and the job's worklist. Safe to run
 * again at any point: files already recorded for the job (same size and mtime) cost one stat.
 * Returns false when stopped by the signal (the job stays in the import phase).
 */
export async function importRoots(
  store: StudyStore,
  jobId: number,
  modelKey: number,
  roots: string[],
  options: { signal?: AbortSignal; onSlice?: () => void } = {},
): Promise<boolean> {
  let slice: CatalogEntry[] = [];
  const flush = (): void => {
    if (slice.length === 0) return;
    store.files.record(jobId, modelKey, slice);
    slice = [];
    options.onSlice?.();
  };
  for await (const entry of walkFiles(roots)) {
    if (options.signal?.aborted) {
      flush();
      return false;
    }
    slice.push(
      entry.kind === 'file'
        ? await identifyFile(entry.path, store.files)
        : { kind: 'skipped', path: entry.path, size: 0, mtimeMs: 0, reason: SKIP_UNREADABLE, code: 'FILE_UNREADABLE' },
    );
    if (slice.length >= SLICE) flush();
  }
  flush();
  return true;
}
