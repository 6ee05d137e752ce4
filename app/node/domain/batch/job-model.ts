import type { JobModelInfo } from '../store/job-records.ts';
import { modelIdentity } from '../../../common/manifest.ts';
import { ModelStore } from '../store/model-store.ts';

/**
 * The model a new job will use, from its manifest alone (no weights loaded): an installed id, or
 * the active model (the untrained demo on a fresh install). Thresholds default to 0.5, as the runtime's.
 */
export function jobModelFor(dataDir: string, modelId?: string): JobModelInfo {
  const models = new ModelStore(dataDir);
  const m = models.get(modelId ?? models.activeId()).manifest;
  return modelIdentity(m);
}
