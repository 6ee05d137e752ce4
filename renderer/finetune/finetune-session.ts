import { useSyncExternalStore } from 'react';

/** The fine-tune job this app last started: kept while the screen is closed, so reopening it finds the job. */
export interface FinetuneSession {
  jobId: string;
}

let current: FinetuneSession | undefined;
const listeners = new Set<() => void>();

export function setFinetuneSession(session: FinetuneSession | undefined): void {
  current = session;
  for (const listener of listeners) listener();
}

export function useFinetuneSession(): FinetuneSession | undefined {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}
