import type { ReactNode } from 'react';
import type { ApiResponse } from '../../app/common/contract/api.ts';
import type { ModelInfo } from '../../app/common/contract/classify.ts';
import { DicomNodeScreen } from '../dicom-node/DicomNodeScreen.tsx';
import { FinetuneScreen } from '../finetune/FinetuneScreen.tsx';
import { setFinetuneSession, useFinetuneSession } from '../finetune/finetune-session.ts';
import { JobsScreen } from '../jobs/JobsScreen.tsx';
import { ModelsScreen } from '../models/ModelsScreen.tsx';
import { AboutDialog } from './AboutDialog.tsx';
import { HelpOverlay } from './HelpOverlay.tsx';
import { OpenPathDialog } from './OpenPathDialog.tsx';

/** What a screen may use from the shell; screens own their state (each in its own module). */
export interface ScreenContext {
  about: ApiResponse<'app.about'> | undefined;
  /** The model behind the numbers on screen (the worklist's), if any has run yet. */
  model: ModelInfo | undefined;
  close(): void;
  /** The active model changed: refresh what the app says about it and score the worklist again. */
  modelChanged(): void;
  openPaths(paths: string[]): void;
  /** A file from a batch job, opened into the worklist and shown. */
  openFile(path: string): void;
}

export interface ScreenDefinition {
  id: string;
  /** A button in the top bar; screens without one open from a menu, a key or another screen. */
  nav?: { label: string; testId: string };
  render(ctx: ScreenContext): ReactNode;
}

function Finetune({ ctx }: { ctx: ScreenContext }) {
  const session = useFinetuneSession();
  return (
    <FinetuneScreen about={ctx.about} session={session} onSession={setFinetuneSession} onActivated={ctx.modelChanged} onClose={ctx.close} />
  );
}

/**
 * Every screen the shell can show over the reading room, in top-bar order. Another area adds its
 * screen here (e.g. the DICOM node's panel), not to App.
 */
export const SCREENS: readonly ScreenDefinition[] = [
  {
    id: 'models',
    nav: { label: 'Models', testId: 'open-models' },
    render: (c) => <ModelsScreen onClose={c.close} onChanged={c.modelChanged} />,
  },
  {
    id: 'jobs',
    nav: { label: 'Batch jobs', testId: 'open-jobs' },
    render: (c) => <JobsScreen about={c.about} onOpenFile={c.openFile} onClose={c.close} />,
  },
  { id: 'finetune', nav: { label: 'Fine-tune', testId: 'open-finetune' }, render: (c) => <Finetune ctx={c} /> },
  { id: 'dicom-node', nav: { label: 'DICOM node', testId: 'open-dicom-node' }, render: (c) => <DicomNodeScreen onClose={c.close} /> },
  { id: 'catalogue', render: (c) => <ModelsScreen initialTab="catalogue" onClose={c.close} onChanged={c.modelChanged} /> },
  { id: 'open-files', render: (c) => <OpenPathDialog kind="files" onOpen={c.openPaths} onClose={c.close} /> },
  { id: 'open-folder', render: (c) => <OpenPathDialog kind="folder" onOpen={c.openPaths} onClose={c.close} /> },
  { id: 'help', render: (c) => <HelpOverlay onClose={c.close} /> },
  { id: 'about', render: (c) => <AboutDialog about={c.about} model={c.model} onClose={c.close} /> },
];

export const screenById = (id: string | undefined): ScreenDefinition | undefined => SCREENS.find((s) => s.id === id);
