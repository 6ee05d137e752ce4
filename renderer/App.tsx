import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiResponse } from '../app/common/contract/api.ts';
import type { HeatmapScale, StudyPixels } from '../app/common/contract/studies.ts';
import type { UiCommand } from '../app/common/contract/ui.ts';
import type { ErrorInfo } from '../app/common/errors.ts';
import { ApiError, call, isDesktop, onEvent } from './api.ts';
import { DicomNodeScreen } from './dicom-node/DicomNodeScreen.tsx';
import { useNodeArrivals } from './dicom-node/use-node-arrivals.ts';
import { FindingsPanel, type HeatmapSettings } from './findings/FindingsPanel.tsx';
import { FinetuneScreen, type FinetuneSession } from './finetune/FinetuneScreen.tsx';
import { JobsScreen } from './jobs/JobsScreen.tsx';
import { ModelsScreen } from './models/ModelsScreen.tsx';
import { AboutDialog } from './shell/AboutDialog.tsx';
import { ErrorText } from './shell/ErrorText.tsx';
import { HelpOverlay } from './shell/HelpOverlay.tsx';
import { ModelBar } from './shell/ModelBar.tsx';
import { OpenPathDialog } from './shell/OpenPathDialog.tsx';
import { download, worklistReport } from './shell/report.ts';
import { StatusBar } from './shell/StatusBar.tsx';
import { useOperations } from './shell/use-operations.ts';
import { isTyping } from './viewer/shortcuts.ts';
import { TagBrowser } from './viewer/TagBrowser.tsx';
import { Viewer, type HeatmapOverlay } from './viewer/Viewer.tsx';
import { orderWorklist, type Worklist as WorklistData } from './worklist/worklist-model.ts';
import { Worklist } from './worklist/Worklist.tsx';
import { thresholdOf } from '../app/common/defaults.ts';

type Screen = 'open-files' | 'open-folder' | 'models' | 'help' | 'about' | 'finetune' | 'jobs' | 'catalogue' | 'dicom-node';

const FALLBACK_NOTICE = 'DenseRay is research software, not a medical device. Every result needs review by a qualified reader.';
const asInfo = (e: unknown): ErrorInfo =>
  e instanceof ApiError ? e.info : { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };

export function App() {
  const [about, setAbout] = useState<ApiResponse<'app.about'>>();
  const [scale, setScale] = useState<HeatmapScale>();
  const [worklist, setWorklist] = useState<WorklistData>({ entries: [], failures: [] });
  const [cursor, setCursor] = useState<string>();
  const [openId, setOpenId] = useState<string>();
  const [pixels, setPixels] = useState<StudyPixels>();
  const [pixelsError, setPixelsError] = useState<ErrorInfo>();
  const [selected, setSelected] = useState<string>();
  const [showAnyway, setShowAnyway] = useState(false);
  const [heatmap, setHeatmap] = useState<HeatmapSettings>({ on: true, opacity: 0.45, mode: 'sigmoid' });
  const [screen, setScreen] = useState<Screen>();
  const [tagsOpen, setTagsOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const [flaggedOnly, setFlaggedOnly] = useState(false);
  const [message, setMessage] = useState<{ text: string; error?: ErrorInfo }>();
  const [finetuneSession, setFinetuneSession] = useState<FinetuneSession>();
  const ops = useOperations();
  const knownIds = useRef(new Set<string>());

  const refreshAbout = useCallback(() => {
    call('app.about', {})
      .then(setAbout)
      .catch((e: unknown) => setMessage({ text: 'Could not reach the DenseRay back end.', error: asInfo(e) }));
  }, []);
  useEffect(() => {
    refreshAbout();
    call('viewer.heatmapScale', {})
      .then((s) => {
        setScale(s);
        setHeatmap((h) => ({ ...h, mode: s.defaultMode }));
      })
      .catch(() => undefined);
  }, [refreshAbout]);

  const ordered = useMemo(() => orderWorklist(worklist.entries, filter, flaggedOnly), [worklist.entries, filter, flaggedOnly]);
  const openEntry = worklist.entries.find((e) => e.summary.id === openId);
  const model = openEntry?.model ?? worklist.entries.find((e) => e.model)?.model;

  const classify = useCallback(
    async (ids: string[]) => {
      if (ids.length === 0) return;
      const op = ops.start('Scoring studies');
      try {
        const response = await call('studies.classify', { ids, opId: op });
        const byId = new Map(response.results.map((r) => [r.id, r]));
        setWorklist((w) => ({
          ...w,
          entries: w.entries.map((e) => (byId.has(e.summary.id) ? { ...e, result: byId.get(e.summary.id), model: response.model } : e)),
        }));
      } catch (e) {
        const error = asInfo(e);
        // The engine failing (or being restarted) fails these studies with its code; the others stay as they are.
        setWorklist((w) => ({
          ...w,
          entries: w.entries.map((entry) =>
            ids.includes(entry.summary.id) ? { ...entry, result: { id: entry.summary.id, ok: false, error } } : entry,
          ),
        }));
      } finally {
        ops.finish(op);
      }
    },
    [ops.start, ops.finish],
  );

  /** Opens files and folders into the worklist and scores the new ones; resolves with the ids of every study opened. */
  const openPaths = useCallback(
    async (paths: string[]): Promise<string[]> => {
      setScreen(undefined);
      const op = ops.start('Opening files');
      let fresh: string[] = [];
      let opened: string[] = [];
      try {
        const response = await call('studies.open', { paths, opId: op });
        opened = response.studies.map((s) => s.id);
        // Studies opened before keep their place and their score; only new ones are added and scored.
        const added = response.studies.filter((s) => !knownIds.current.has(s.id));
        for (const s of added) knownIds.current.add(s.id);
        fresh = added.map((s) => s.id);
        setWorklist((w) => ({
          entries: [...w.entries, ...added.map((summary) => ({ summary, read: false }))],
          failures: [...w.failures, ...response.failures],
        }));
        if (response.studies.length === 0 && response.failures.length === 0)
          setMessage({ text: 'No DICOM, PNG or JPEG files were found there.' });
      } catch (e) {
        setMessage({ text: 'Could not open those files.', error: asInfo(e) });
      } finally {
        ops.finish(op);
      }
      await classify(fresh);
      return opened;
    },
    [classify, ops.start, ops.finish],
  );

  const chooseAndOpen = useCallback(
    async (kind: 'files' | 'folder') => {
      if (!isDesktop()) {
        setScreen(kind === 'files' ? 'open-files' : 'open-folder');
        return;
      }
      const picked = await call('app.choosePaths', { kind });
      if (picked.paths.length > 0) await openPaths(picked.paths);
    },
    [openPaths],
  );

  const openStudy = useCallback((id: string) => {
    setOpenId(id);
    setCursor(id);
    setSelected(undefined);
    setShowAnyway(false);
    setPixels(undefined);
    setPixelsError(undefined);
    setWorklist((w) => ({ ...w, entries: w.entries.map((e) => (e.summary.id === id ? { ...e, read: true } : e)) }));
    call('studies.pixels', { id, frame: 0 })
      .then(setPixels)
      .catch((e: unknown) => setPixelsError(asInfo(e)));
  }, []);

  /** A study from a batch job's results: opened into the worklist and shown in the viewer. */
  const openJobFile = useCallback(
    async (path: string) => {
      const ids = await openPaths([path]);
      if (ids[0]) openStudy(ids[0]);
    },
    [openPaths, openStudy],
  );

  const exportReport = useCallback(() => {
    download(
      `denseray-report-${new Date().toISOString().slice(0, 10)}.csv`,
      worklistReport(ordered, model, about?.notAMedicalDevice ?? FALLBACK_NOTICE),
    );
  }, [ordered, model, about]);

  const runCommand = useCallback(
    (command: UiCommand) => {
      switch (command) {
        case 'open-files':
          return void chooseAndOpen('files');
        case 'open-folder':
          return void chooseAndOpen('folder');
        case 'export-report':
          return exportReport();
        default:
          return setScreen(command);
      }
    },
    [chooseAndOpen, exportReport],
  );

  // Studies the DICOM node received (or pulled from a PACS) join the worklist with their result.
  useNodeArrivals(
    useCallback((arrival) => {
      if (knownIds.current.has(arrival.study.id)) return;
      knownIds.current.add(arrival.study.id);
      setWorklist((w) => ({
        ...w,
        entries: [...w.entries, { summary: arrival.study, result: arrival.result, model: arrival.model, read: false }],
      }));
    }, []),
  );

  // Desktop menus and drops arrive as events; browser mode simply never sends them.
  useEffect(() => onEvent('app.openPaths', ({ paths }) => void openPaths(paths)), [openPaths]);
  useEffect(() => onEvent('app.command', ({ command }) => runCommand(command)), [runCommand]);

  useEffect(() => {
    const onDrop = (event: DragEvent): void => {
      event.preventDefault();
      // In the desktop app the preload turns drops into paths; a browser page is never told where a file lives.
      if (event.type === 'drop' && !isDesktop())
        setMessage({ text: 'Browser mode cannot open dropped files: use Open folder and type the path.' });
    };
    window.addEventListener('dragover', onDrop);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDrop);
      window.removeEventListener('drop', onDrop);
    };
  }, []);

  const step = useCallback(
    (by: 1 | -1) => {
      const index = ordered.findIndex((e) => e.summary.id === openId);
      const next = ordered[index + by];
      if (next) openStudy(next.summary.id);
    },
    [ordered, openId, openStudy],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (isTyping(event) || event.ctrlKey || event.metaKey || event.altKey || screen) return;
      const inWorklist = (event.target as HTMLElement | null)?.closest?.('[data-keyscope="worklist"]');
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      if (key === '?') return void setScreen('help');
      if (key === 'Escape') {
        if (tagsOpen) setTagsOpen(false);
        else document.querySelector<HTMLElement>('[data-keyscope="worklist"]')?.focus();
        return;
      }
      if (inWorklist || !openId) return;
      if (key === 'ArrowRight' || key === 'ArrowDown') return void (event.preventDefault(), step(1));
      if (key === 'ArrowLeft' || key === 'ArrowUp') return void (event.preventDefault(), step(-1));
      if (key === 'c') return setHeatmap((h) => ({ ...h, on: !h.on }));
      if (key === 't') return setTagsOpen((t) => !t);
      if (key === 'u')
        return setWorklist((w) => ({ ...w, entries: w.entries.map((e) => (e.summary.id === openId ? { ...e, read: false } : e)) }));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [screen, tagsOpen, openId, step]);

  const overlay = useMemo((): HeatmapOverlay | undefined => {
    const r = openEntry?.result;
    const m = openEntry?.model;
    if (!selected || !heatmap.on || !scale || !r?.ok || !r.heatmaps || !m) return undefined;
    const p = r.prediction.probabilities[selected] ?? 0;
    const t = thresholdOf(m.thresholds, selected);
    if (p < t && !showAnyway) return undefined; // a heatmap on a negative finding misleads: only on request
    const k = m.labels.indexOf(selected);
    const cells = r.heatmaps.width * r.heatmaps.height;
    const maps = r.heatmaps[heatmap.mode];
    return {
      label: selected,
      map: maps.subarray(k * cells, (k + 1) * cells),
      width: r.heatmaps.width,
      height: r.heatmaps.height,
      region: r.heatmaps.region,
      opacity: heatmap.opacity,
      lut: scale.lut,
    };
  }, [openEntry, selected, heatmap, scale, showAnyway]);

  const notice = about?.notAMedicalDevice ?? FALLBACK_NOTICE;
  return (
    <div className="app">
      <header className="top-bar">
        <div className="brand" title="DenseRay">
          <span className="brand-mark" aria-hidden="true" />
          DenseRay
        </div>
        <nav className="actions" aria-label="Main">
          <button type="button" onClick={() => void chooseAndOpen('files')} data-testid="open-files">
            Open files
          </button>
          <button type="button" onClick={() => void chooseAndOpen('folder')} data-testid="open-folder">
            Open folder
          </button>
          <button type="button" onClick={exportReport} disabled={worklist.entries.length === 0}>
            Export report
          </button>
          <span className="divider" />
          <button type="button" onClick={() => setScreen('models')} data-testid="open-models">
            Models
          </button>
          <button type="button" onClick={() => setScreen('jobs')} data-testid="open-jobs">
            Batch jobs
          </button>
          <button type="button" onClick={() => setScreen('finetune')} data-testid="open-finetune">
            Fine-tune
          </button>
          <button type="button" onClick={() => setScreen('dicom-node')} data-testid="open-dicom-node">
            DICOM node
          </button>
        </nav>
        <ModelBar about={about} model={model} onModels={() => setScreen('models')} />
        <button
          type="button"
          className="icon-button"
          onClick={() => setScreen('help')}
          title="Keyboard shortcuts (?)"
          data-testid="help-button"
        >
          ?
        </button>
        <button type="button" className="icon-button" onClick={() => setScreen('about')} title="About DenseRay">
          i
        </button>
      </header>

      {message && (
        <div className="message-bar" role="alert">
          <span>{message.text}</span> {message.error && <ErrorText error={message.error} />}
          <button type="button" className="icon-button" onClick={() => setMessage(undefined)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}

      <main className="workspace">
        <Worklist
          worklist={worklist}
          ordered={ordered}
          cursor={cursor}
          openId={openId}
          filter={filter}
          flaggedOnly={flaggedOnly}
          onFilter={setFilter}
          onFlaggedOnly={setFlaggedOnly}
          onCursor={setCursor}
          onOpen={openStudy}
        />
        <section className="viewer-area">
          {openEntry && pixels && pixels.id === openEntry.summary.id ? (
            <Viewer study={openEntry.summary} pixels={pixels} overlay={overlay} keysActive={!screen} />
          ) : openEntry && pixelsError ? (
            <div className="empty-state">
              <ErrorText error={pixelsError} />
            </div>
          ) : openEntry ? (
            <div className="empty-state">
              <span className="spinner" /> Loading image…
            </div>
          ) : (
            <div className="empty-state" data-testid="empty-state">
              <h1>Open chest X-rays to begin</h1>
              <p className="muted">DICOM, PNG or JPEG — files or whole folders. Everything stays on this computer.</p>
              <div className="empty-actions">
                <button type="button" className="primary" onClick={() => void chooseAndOpen('folder')}>
                  Open folder
                </button>
                <button type="button" className="secondary" onClick={() => void chooseAndOpen('files')}>
                  Open files
                </button>
              </div>
              <p className="muted small">
                {isDesktop() ? 'Or drop files and folders onto this window.' : 'Browser mode: type the path of a folder on this machine.'}{' '}
                Press <kbd>?</kbd> for shortcuts.
              </p>
            </div>
          )}
        </section>
        {openEntry ? (
          <FindingsPanel
            study={openEntry.summary}
            result={openEntry.result}
            model={openEntry.model}
            selected={selected}
            showAnyway={showAnyway}
            heatmap={heatmap}
            scale={scale}
            onSelect={(label) => {
              setSelected(label);
              setShowAnyway(false);
              setHeatmap((h) => ({ ...h, on: true }));
            }}
            onShowAnyway={() => setShowAnyway(true)}
            onHeatmap={setHeatmap}
          />
        ) : (
          <aside className="findings empty">
            <p className="muted">Findings appear here when a study is open.</p>
          </aside>
        )}
        {tagsOpen && openId && <TagBrowser studyId={openId} onClose={() => setTagsOpen(false)} />}
      </main>

      <StatusBar
        operations={ops.visible}
        notice={notice}
        onCancel={(id) => void call('studies.cancel', { opId: id }).catch(() => undefined)}
      />

      {(screen === 'open-files' || screen === 'open-folder') && (
        <OpenPathDialog
          kind={screen === 'open-files' ? 'files' : 'folder'}
          onOpen={(paths) => void openPaths(paths)}
          onClose={() => setScreen(undefined)}
        />
      )}
      {(screen === 'models' || screen === 'catalogue') && (
        <ModelsScreen
          initialTab={screen === 'catalogue' ? 'catalogue' : 'installed'}
          onClose={() => setScreen(undefined)}
          onChanged={() => {
            refreshAbout();
            void classify(worklist.entries.map((e) => e.summary.id)); // new model, new scores
          }}
        />
      )}
      {screen === 'dicom-node' && <DicomNodeScreen onClose={() => setScreen(undefined)} />}
      {screen === 'help' && <HelpOverlay onClose={() => setScreen(undefined)} />}
      {screen === 'about' && <AboutDialog about={about} model={model} onClose={() => setScreen(undefined)} />}
      {screen === 'jobs' && <JobsScreen about={about} onOpenFile={(path) => void openJobFile(path)} onClose={() => setScreen(undefined)} />}
      {screen === 'finetune' && (
        <FinetuneScreen
          about={about}
          session={finetuneSession}
          onSession={setFinetuneSession}
          onActivated={() => {
            refreshAbout();
            void classify(worklist.entries.map((e) => e.summary.id)); // new model, new scores
          }}
          onClose={() => setScreen(undefined)}
        />
      )}
    </div>
  );
}
