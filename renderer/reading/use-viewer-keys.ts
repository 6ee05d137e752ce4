import { useEffect, useRef } from 'react';
import { isTyping } from '../viewer/shortcuts.ts';
import { type ViewerCommand, viewerCommand } from './viewer-keys.ts';

/**
 * The viewer's keys, live while the keyboard is in the reading area (the image, its toolbar, the
 * findings) or nowhere in particular — never while typing, in the worklist (which has its own keys)
 * or behind a dialog. A handled key is consumed, so Space never scrolls and T never types a 't'.
 */
export function useViewerKeys(active: boolean, run: (command: ViewerCommand) => void): void {
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    if (!active) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target instanceof HTMLElement ? event.target : null;
      const inReadingArea = target === null || target === document.body || target.closest('[data-keyscope="reading"]') !== null;
      if (!inReadingArea || target?.closest('[role="dialog"]')) return;
      // On a focused button or list, Space and Enter keep their own meaning.
      if (event.key === ' ' && target?.closest('button, select, summary, a')) return;
      const command = viewerCommand(event.key, window.devicePixelRatio || 1);
      if (!command) return;
      event.preventDefault();
      runRef.current(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);
}
