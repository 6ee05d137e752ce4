import { z } from 'zod';
import { ModelManifest } from '../manifest.ts';
import { JobProgress } from './batch.ts';
import { FetchProgress } from './catalogue.ts';
import { dicomNodeEvents } from './dicom-node.ts';
import { FinetuneEvent } from './finetune.ts';

/** Contract pieces for the desktop shell and the Models screen (the studies API lives in studies.ts). */

/** Native pickers exist only in the desktop app; browser mode answers `supported: false` and the UI asks for a path. */
export const ChoosePathsRequest = z.object({ kind: z.enum(['files', 'folder', 'weights']) });
export const ChoosePathsResponse = z.object({ supported: z.boolean(), paths: z.array(z.string()) });

export const ImportModelRequest = z.object({
  path: z.string().min(1).max(4096),
  arch: z.enum(['densenet121', 'densenet169', 'densenet201', 'densenet264', 'custom']).optional(),
  /** `chexnet14` or a labels.json path; default: chexnet14 for 14 outputs. */
  labels: z.string().max(4096).optional(),
  name: z.string().max(200).optional(),
  activate: z.boolean().default(false),
});
export const ModelIdRequest = z.object({ id: z.string().min(1).max(80) });
export const ModelDetails = z.object({ manifest: ModelManifest, active: z.boolean(), card: z.string() });

/** Commands the desktop menu sends to the UI (the UI owns the screens). */
export const UiCommand = z.enum(['open-files', 'open-folder', 'export-report', 'models', 'finetune', 'jobs', 'about', 'help']);
export type UiCommand = z.infer<typeof UiCommand>;

/** The events the UI listens to, by channel; each payload is parsed on arrival. */
export const UiEvents = {
  /** Progress of a long operation started with an opId. */
  'studies.progress': z.object({ opId: z.string(), phase: z.enum(['open', 'classify']), done: z.number().int(), total: z.number().int() }),
  /** Files or folders to open, from a menu dialog or a drop onto the window. */
  'app.openPaths': z.object({ paths: z.array(z.string()).min(1) }),
  'app.command': z.object({ command: UiCommand }),
  /** Batch jobs (contract/batch.ts JOB_PROGRESS_CHANNEL): throttled while running, once per state change. */
  'jobs.progress': JobProgress,
  /** Fine-tuning (contract/finetune.ts FINETUNE_PROGRESS_CHANNEL): prepared, caching, step, epoch, finished, failed. */
  'finetune.progress': FinetuneEvent,
  /** Catalogue fetches (contract/catalogue.ts FETCH_PROGRESS_CHANNEL). */
  'catalogue.progress': FetchProgress,
  /** The DICOM node (contract/dicom-node.ts): listener status, and each study it stored and triaged. */
  ...dicomNodeEvents,
} as const;
export type UiEventChannel = keyof typeof UiEvents;
export type UiEventPayload<C extends UiEventChannel> = z.infer<(typeof UiEvents)[C]>;
