import { useCallback, useEffect, useState } from 'react';
import type { ApiResponse } from '../app/common/contract/api.ts';
import type { HeatmapScale } from '../app/common/contract/studies.ts';
import type { UiCommand } from '../app/common/contract/ui.ts';
import { NOT_A_MEDICAL_DEVICE } from '../app/common/product.ts';
import { call, isDesktop, onEvent } from './api.ts';
import { useNodeArrivals } from './dicom-node/use-node-arrivals.ts';
import { EmptyState } from './reading/EmptyState.tsx';
import { ReadingRoomView } from './reading/ReadingRoomView.tsx';
import { type Notice, useReadingRoom } from './reading/use-reading-room.ts';
import { asErrorInfo } from './shell/errors.ts';
import { MessageBar } from './shell/MessageBar.tsx';
import { ModelBar } from './shell/ModelBar.tsx';
import { download, worklistReport } from './shell/report.ts';
import { type ScreenContext, screenById } from './shell/screens.tsx';
import { StatusBar } from './shell/StatusBar.tsx';
import { TopBar } from './shell/TopBar.tsx';
import { useOperations } from './shell/use-operations.ts';
import { isTyping } from './viewer/shortcuts.ts';
import { Worklist } from './worklist/Worklist.tsx';

/**
 * The shell: top bar, the reading room (worklist, viewer, findings), the status bar, and whichever
 * screen from the registry (shell/screens.tsx) is open over it. State lives in the reading room's
 * and each screen's own modules; this file only wires them.
 */
export function App() {
  const [about, setAbout] = useState<ApiResponse<'app.about'>>();
  const [scale, setScale] = useState<HeatmapScale>();
  const [screen, setScreen] = useState<string>();
  const [notice, setNotice] = useState<Notice>();
  const [listHidden, setListHidden] = useState(false);
  const ops = useOperations();
  const room = useReadingRoom(ops, setNotice);

  const refreshAbout = useCallback(() => {
    call('app.about', {})
      .then(setAbout)
      .catch((e: unknown) => setNotice({ text: 'Could not reach the DenseRay back end.', error: asErrorInfo(e) }));
  }, []);
  useEffect(() => {
    refreshAbout();
    call('viewer.heatmapScale', {})
      .then(setScale)
      .catch(() => undefined);
  }, [refreshAbout]);

  const model = room.open?.model ?? room.state.entries.find((e) => e.model)?.model;
  const openPaths = useCallback(
    (paths: string[]) => {
      setScreen(undefined);
      void room.openPaths(paths);
    },
    [room.openPaths],
  );
  const chooseAndOpen = useCallback(
    async (kind: 'files' | 'folder') => {
      if (!isDesktop()) return setScreen(kind === 'files' ? 'open-files' : 'open-folder');
      const picked = await call('app.choosePaths', { kind });
      if (picked.paths.length > 0) openPaths(picked.paths);
    },
    [openPaths],
  );
  const exportReport = useCallback(() => {
    download(
      `denseray-report-${new Date().toISOString().slice(0, 10)}.csv`,
      worklistReport(room.ordered, model, about?.notAMedicalDevice ?? NOT_A_MEDICAL_DEVICE),
    );
  }, [room.ordered, model, about]);

  const runCommand = useCallback(
    (command: UiCommand) => {
      if (command === 'open-files' || command === 'open-folder') void chooseAndOpen(command === 'open-files' ? 'files' : 'folder');
      else if (command === 'export-report') exportReport();
      else setScreen(command);
    },
    [chooseAndOpen, exportReport],
  );
  // Studies the DICOM node received (or pulled from a PACS) join the worklist with their result.
  const { dispatch } = room;
  useNodeArrivals(useCallback(({ study, result, model }) => dispatch({ type: 'arrived', study, result, model }), [dispatch]));
  // Desktop menus and drops arrive as events; browser mode simply never sends them.
  useEffect(() => onEvent('app.openPaths', ({ paths }) => openPaths(paths)), [openPaths]);
  useEffect(() => onEvent('app.command', ({ command }) => runCommand(command)), [runCommand]);
  useEffect(() => {
    const onDrop = (event: DragEvent): void => {
      event.preventDefault();
      // In the desktop app the preload turns drops into paths; a browser page is never told where a file lives.
      if (event.type === 'drop' && !isDesktop())
        setNotice({ text: 'Browser mode cannot open dropped files: use Open folder and type the path.' });
    };
    window.addEventListener('dragover', onDrop);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDrop);
      window.removeEventListener('drop', onDrop);
    };
  }, []);

  // Keys that work everywhere: ? for help; Esc back to the worklist (panels and dialogs close themselves first).
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (screen || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === '?' && !isTyping(event)) {
        event.preventDefault();
        setScreen('help');
      } else if (event.key === 'Escape') {
        setListHidden(false);
        requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-testid="worklist"] button.row-open[tabindex="0"]')?.focus());
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [screen]);

  const ctx: ScreenContext = {
    about,
    model,
    close: () => setScreen(undefined),
    modelChanged: () => {
      refreshAbout();
      void room.classify(room.state.entries.map((e) => e.summary.id)); // new model, new scores
    },
    openPaths,
    openFile: (path) =>
      void room.openPaths([path]).then((ids) => {
        setScreen(undefined);
        if (ids[0]) room.openStudy(ids[0]);
      }),
  };
  const active = screenById(screen);
  return (
    <div className="app">
      <TopBar
        canExport={room.state.entries.length > 0}
        onOpen={(kind) => void chooseAndOpen(kind)}
        onExport={exportReport}
        onScreen={setScreen}
        modelBar={
          <ModelBar
            about={about}
            model={model}
            scoring={ops.visible.some((op) => op.label === 'Scoring studies')}
            onModels={() => setScreen('models')}
          />
        }
      />
      {notice && <MessageBar notice={notice} onDismiss={() => setNotice(undefined)} />}
      <main className={`workspace${listHidden ? ' list-hidden' : ''}${room.open ? '' : ' nothing-open'}`}>
        {listHidden ? (
          <button
            type="button"
            className="list-tab"
            onClick={() => setListHidden(false)}
            title="Show the worklist"
            data-testid="show-worklist"
          >
            »
          </button>
        ) : (
          <Worklist room={room} onHide={() => setListHidden(true)} />
        )}
        {room.open ? (
          <ReadingRoomView room={room} scale={scale} keysActive={!screen} />
        ) : (
          <EmptyState hasStudies={room.state.entries.length > 0} onOpen={(kind) => void chooseAndOpen(kind)} />
        )}
      </main>
      <StatusBar
        operations={ops.visible}
        notice={about?.notAMedicalDevice ?? NOT_A_MEDICAL_DEVICE}
        onCancel={(id) => void call('studies.cancel', { opId: id }).catch(() => undefined)}
      />
      {active?.render(ctx)}
    </div>
  );
}
