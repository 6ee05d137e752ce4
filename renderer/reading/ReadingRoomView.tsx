import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { HeatmapScale } from '../../app/common/contract/studies.ts';
import { FindingsPanel } from '../findings/FindingsPanel.tsx';
import { findingRows } from '../findings/finding-rows.ts';
import { ErrorText } from '../shell/ErrorText.tsx';
import { HEATMAP_MODES } from '../viewer/heatmap-layer.ts';
import { usePixels } from '../viewer/pixel-cache.ts';
import { TagBrowser } from '../viewer/TagBrowser.tsx';
import { usePreparedHeatmap } from '../viewer/use-heatmap.ts';
import { initialView, type ViewContext, type ViewOp } from '../viewer/view-state.ts';
import { ViewerToolbar } from '../viewer/ViewerToolbar.tsx';
import { initialViewerState, viewerReducer } from '../viewer/viewer-state.ts';
import { Viewport } from '../viewer/Viewport.tsx';
import type { WorklistEntry } from '../worklist/worklist-model.ts';
import { useCine } from './use-cine.ts';
import { useToolbarHeight } from './use-toolbar-height.ts';
import type { ReadingRoom } from './use-reading-room.ts';
import { useViewerKeys } from './use-viewer-keys.ts';
import type { ViewerCommand } from './viewer-keys.ts';

/** Whether a finding's heatmap may be drawn without the reader asking: flagged, on an input the guard trusts. */
function heatmapAllowed(entry: WorklistEntry | undefined, label: string | undefined, showAnyway: boolean): boolean {
  if (!entry || !label) return false;
  if (showAnyway) return true;
  const row = findingRows(entry.result, entry.model, undefined).find((r) => r.label === label);
  return row?.flagged === true;
}

/**
 * The open study: toolbar, image (or the prior and the current side by side, linked), findings,
 * and the tag browser. Owns the viewer's state and its keyboard.
 */
export function ReadingRoomView({ room, scale, keysActive }: { room: ReadingRoom; scale: HeatmapScale | undefined; keysActive: boolean }) {
  const [viewer, dispatch] = useReducer(viewerReducer, initialViewerState);
  const [tagsOpen, setTagsOpen] = useState(false);
  const [activeSide, setActiveSide] = useState<'current' | 'prior'>('current');
  const open = room.open;
  const prior = room.prior;
  const openId = open?.summary.id;
  const priorId = prior?.summary.id;
  const frameOf = (id: string | undefined): number => (id ? (viewer.frames[id] ?? 0) : 0);
  const current = usePixels(openId, frameOf(openId));
  const before = usePixels(priorId, frameOf(priorId));
  const contexts = useRef<Record<string, ViewContext>>({});
  const areaRef = useRef<HTMLElement>(null);
  const toolbarHeight = useToolbarHeight(areaRef, tagsOpen);

  // A newly opened study starts without a finding chosen, on the current image.
  useEffect(() => {
    if (!openId) return;
    dispatch({ type: 'studyOpened' });
    setActiveSide('current');
  }, [openId]);
  // Every open (the same study again too) takes the keyboard: the worklist keeps it only while the reader browses it.
  const opens = room.state.opens;
  useEffect(() => {
    if (opens > 0) areaRef.current?.focus();
  }, [opens]);

  const onContext = useCallback((id: string, ctx: ViewContext) => {
    contexts.current[id] = ctx;
    dispatch({ type: 'ensureView', id, ctx });
  }, []);
  const contextCallbacks = useRef(new Map<string, (ctx: ViewContext) => void>());
  const contextFor = (id: string): ((ctx: ViewContext) => void) => {
    let cb = contextCallbacks.current.get(id);
    if (!cb) {
      cb = (ctx) => onContext(id, ctx);
      contextCallbacks.current.set(id, cb);
    }
    return cb;
  };

  const applyView = useCallback(
    (sourceId: string | undefined, op: ViewOp) => {
      if (!sourceId) return;
      const ids = viewer.linked && openId && priorId ? [openId, priorId] : [sourceId];
      const targets = ids.flatMap((id) => (contexts.current[id] ? [{ id, ctx: contexts.current[id]! }] : []));
      dispatch({ type: 'view', targets, op });
    },
    [viewer.linked, openId, priorId],
  );
  const activeId = activeSide === 'prior' && priorId ? priorId : openId;
  const activeEntry = activeSide === 'prior' && prior ? prior : open;

  const stepFrame = useCallback(
    (id: string | undefined, count: number, by: 1 | -1) => {
      if (!id || count < 2) return;
      dispatch({ type: 'frame', id, frame: ((viewer.frames[id] ?? 0) + by + count) % count });
    },
    [viewer.frames],
  );
  useCine(
    openId,
    open?.summary.frames ?? 1,
    frameOf(openId),
    viewer.cine,
    (frame) => openId && dispatch({ type: 'frame', id: openId, frame }),
  );

  const rows = open ? findingRows(open.result, open.model, undefined) : [];
  const toggleFinding = (label: string): void => {
    if (viewer.selected === label && viewer.heatmap.on) dispatch({ type: 'heatmap', settings: { on: false } });
    else dispatch({ type: 'select', label });
  };

  const run = (command: ViewerCommand): void => {
    if (!open) return;
    switch (command.kind) {
      case 'view':
        applyView(activeId, command.op);
        break;
      case 'tool':
        dispatch({ type: 'tool', tool: command.tool });
        break;
      case 'study':
        room.step(command.by);
        break;
      case 'frame':
        stepFrame(activeId, activeEntry?.summary.frames ?? 1, command.by);
        break;
      case 'cine':
        dispatch({ type: 'cine', on: !viewer.cine });
        break;
      case 'heatmap':
        dispatch({ type: 'heatmap', settings: { on: !viewer.heatmap.on } });
        break;
      case 'heatmapMode': {
        const next = HEATMAP_MODES[(HEATMAP_MODES.indexOf(viewer.heatmap.mode) + 1) % HEATMAP_MODES.length]!;
        dispatch({ type: 'heatmap', settings: { mode: next, on: true } });
        break;
      }
      case 'finding': {
        const at = rows.findIndex((r) => r.label === viewer.selected);
        const next = rows[(at + command.by + rows.length) % rows.length];
        if (next) dispatch({ type: 'select', label: next.label });
        break;
      }
      case 'compare':
        room.compare(room.state.compareWith ? undefined : room.state.priors?.list[0]?.summary.id);
        break;
      case 'tags':
        setTagsOpen((t) => !t);
        break;
      case 'unread':
        room.dispatch({ type: 'markUnread', id: open.summary.id });
        break;
      case 'unmeasure':
        if (activeId) dispatch({ type: 'unmeasure', id: activeId });
        break;
    }
  };
  useViewerKeys(keysActive && open !== undefined && !tagsOpen, run);

  // The model scored the first frame: its map belongs on that frame only.
  const heatmapFor = (entry: WorklistEntry | undefined) =>
    entry?.result?.ok && viewer.heatmap.on && frameOf(entry.summary.id) === 0 && heatmapAllowed(entry, viewer.selected, viewer.showAnyway)
      ? entry.result.heatmaps
      : undefined;
  const heatCurrent = usePreparedHeatmap(heatmapFor(open), open?.model, viewer.selected, viewer.heatmap, scale);
  const heatPrior = usePreparedHeatmap(heatmapFor(prior), prior?.model, viewer.selected, viewer.heatmap, scale);

  if (!open) return null;
  const viewport = (entry: WorklistEntry, side: 'current' | 'prior', state: typeof current) => {
    const id = entry.summary.id;
    if (state.error)
      return (
        <div className="viewport-message">
          <ErrorText error={state.error} />
        </div>
      );
    const view = viewer.views[id];
    if (!state.pixels || state.pixels.id !== id)
      return (
        <div className="viewport-message">
          <span className="spinner" /> Loading image…
        </div>
      );
    return (
      <Viewport
        key={id}
        study={entry.summary}
        pixels={state.pixels}
        view={view ?? initialView(state.pixels)}
        tool={viewer.tool}
        heatmap={side === 'current' ? heatCurrent : heatPrior}
        legend={side === 'current'}
        measurements={viewer.measurements[id] ?? []}
        frame={{ index: frameOf(id), count: entry.summary.frames }}
        model={entry.model}
        role={priorId ? side : undefined}
        active={!priorId || activeSide === side}
        testId={side === 'current' ? 'viewport-current' : 'viewport-prior'}
        onActivate={() => setActiveSide(side)}
        onView={(op) => applyView(id, op)}
        onMeasure={(shape) => dispatch({ type: 'measure', id, shape })}
        onFrameStep={(by) => stepFrame(id, entry.summary.frames, by)}
        onContext={contextFor(id)}
      />
    );
  };

  const activePixels = activeSide === 'prior' && prior ? before.pixels : current.pixels;
  const activeView = activeId ? viewer.views[activeId] : undefined;
  return (
    <>
      <section className="viewer-area" data-keyscope="reading" tabIndex={-1} ref={areaRef} aria-label="Image viewer" data-testid="viewer">
        {activePixels && (
          <ViewerToolbar
            windows={activePixels.windows}
            preset={activeView?.preset ?? null}
            invert={activeView?.invert ?? false}
            tool={viewer.tool}
            frames={activeEntry ? { index: frameOf(activeId), count: activeEntry.summary.frames, playing: viewer.cine } : undefined}
            priors={room.state.priors?.list}
            compareWith={room.state.compareWith}
            linked={viewer.linked}
            tagsOpen={tagsOpen}
            onView={(op) => applyView(activeId, op)}
            onTool={(tool) => dispatch({ type: 'tool', tool })}
            onClearMeasurement={() => activeId && dispatch({ type: 'unmeasure', id: activeId })}
            onFrame={(by) => stepFrame(activeId, activeEntry?.summary.frames ?? 1, by)}
            onCine={(on) => dispatch({ type: 'cine', on })}
            onCompare={(id) => {
              room.compare(id);
              areaRef.current?.focus(); // the keys belong to the images again, not to the list box
            }}
            onLinked={(on) => dispatch({ type: 'linked', on })}
            onTags={() => setTagsOpen((t) => !t)}
          />
        )}
        <div className={`viewports${prior ? ' compare' : ''}`}>
          {prior && viewport(prior, 'prior', before)}
          {viewport(open, 'current', current)}
        </div>
      </section>
      <div className="right-column" data-keyscope="reading">
        <FindingsPanel
          entry={open}
          prior={prior}
          selected={viewer.selected}
          showAnyway={viewer.showAnyway}
          heatmap={viewer.heatmap}
          scale={scale}
          onToggleFinding={toggleFinding}
          onShowAnyway={() => dispatch({ type: 'showAnyway' })}
          onHeatmap={(settings) => dispatch({ type: 'heatmap', settings })}
        />
        {tagsOpen && (
          <TagBrowser
            top={toolbarHeight}
            studyId={activeId ?? open.summary.id}
            onClose={() => {
              setTagsOpen(false);
              areaRef.current?.focus();
            }}
          />
        )}
      </div>
    </>
  );
}
