import { StudyStore } from '../../domain/store/study-store.ts';
import { checkStudyStore, setStudyStoreAside, type StoreHealth } from '../../domain/store/store-health.ts';

export type { StoreHealth } from '../../domain/store/store-health.ts';

export interface StoreRebuild {
  file: string;
  /** The damaged files, renamed beside the new store (kept: never deleted). */
  setAside: string[];
  /** What the new store holds: nothing yet. */
  jobs: number;
  /** What to tell the user about getting the results back. */
  nextStep: string;
}

/** `denseray store check`: SQLite's quick_check (or integrity_check with `full`), read-only. */
export function checkStore(dataDir: string, options: { full?: boolean } = {}): StoreHealth {
  return checkStudyStore(dataDir, options);
}

/**
 * `denseray store rebuild`: sets the store's files aside and creates a fresh store. Results are
 * recomputable (the store holds only what a batch derived from the images), so the way back is
 * to run the batch over the same folders again.
 */
export function rebuildStore(dataDir: string): StoreRebuild {
  const aside = setStudyStoreAside(dataDir);
  const store = StudyStore.open(dataDir);
  try {
    return {
      file: aside.file,
      setAside: aside.setAside,
      jobs: store.jobs.list().length,
      nextStep: 'run denseray batch <folders> again to recompute the results (the images were never in the store)',
    };
  } finally {
    store.close();
  }
}
