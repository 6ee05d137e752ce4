import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { STUDY_DB_FILE } from '../../domain/store/database.ts';
import type { StoredResults } from '../../domain/store/stored-results.ts';
import { StudyStore } from '../../domain/store/study-store.ts';

/**
 * The study store's read side for the app, opened on first use and only if a batch job ever created
 * it (opening would create an empty one). A store that cannot be opened (damaged, newer schema) is
 * tried again on the next call: the viewer then simply scores studies itself.
 */
export interface StoredResultsSource {
  read(): StoredResults | undefined;
  close(): void;
}

export function openStoredResults(dataDir: string): StoredResultsSource {
  let store: StudyStore | undefined;
  return {
    read: () => {
      if (store) return store.stored;
      if (!existsSync(join(dataDir, STUDY_DB_FILE))) return undefined;
      try {
        store = StudyStore.open(dataDir);
        return store.stored;
      } catch {
        return undefined;
      }
    },
    close: () => store?.close(),
  };
}
