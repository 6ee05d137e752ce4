/** The keyboard map, in one place: the handlers read it and the `?` overlay lists it. */
export interface Shortcut {
  keys: string[];
  /** How the key is written in the help. */
  label: string;
  action: string;
  scope: 'worklist' | 'viewer' | 'app';
}

export const SHORTCUTS: Shortcut[] = [
  { keys: ['ArrowUp', 'ArrowDown'], label: '↑ / ↓', action: 'Move through the worklist', scope: 'worklist' },
  { keys: ['Enter'], label: 'Enter', action: 'Open the selected study', scope: 'worklist' },
  { keys: ['ArrowLeft', 'ArrowUp'], label: '← / ↑', action: 'Previous study', scope: 'viewer' },
  { keys: ['ArrowRight', 'ArrowDown'], label: '→ / ↓', action: 'Next study', scope: 'viewer' },
  { keys: ['i'], label: 'I', action: 'Invert', scope: 'viewer' },
  { keys: [' '], label: 'Space', action: 'Reset the view', scope: 'viewer' },
  { keys: ['+'], label: '+', action: 'Zoom in', scope: 'viewer' },
  { keys: ['-'], label: '−', action: 'Zoom out', scope: 'viewer' },
  { keys: ['='], label: '=', action: 'Fit to window', scope: 'viewer' },
  { keys: ['0'], label: '0', action: 'Actual size (1:1)', scope: 'viewer' },
  { keys: ['r'], label: 'R', action: 'Rotate right', scope: 'viewer' },
  { keys: ['l'], label: 'L', action: 'Rotate left', scope: 'viewer' },
  { keys: ['h'], label: 'H', action: 'Flip horizontally', scope: 'viewer' },
  { keys: ['v'], label: 'V', action: 'Flip vertically', scope: 'viewer' },
  { keys: ['1', '2', '3', '4', '5'], label: '1 – 5', action: 'Window presets (stored windows, auto, full range)', scope: 'viewer' },
  { keys: ['c'], label: 'C', action: 'Heatmap on / off', scope: 'viewer' },
  { keys: ['t'], label: 'T', action: 'DICOM tag browser', scope: 'viewer' },
  { keys: ['u'], label: 'U', action: 'Mark unread', scope: 'viewer' },
  { keys: ['Escape'], label: 'Esc', action: 'Close a dialog / back to the worklist', scope: 'app' },
  { keys: ['?'], label: '?', action: 'This help', scope: 'app' },
];

export const MOUSE_HELP: [string, string][] = [
  ['Left drag', 'Window / level (→ wider, ↑ brighter)'],
  ['Right drag or Shift + drag', 'Pan'],
  ['Wheel', 'Zoom about the cursor'],
];

/** Whether a key event belongs to a text field (then no shortcut fires). */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  return (
    target !== null &&
    (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable)
  );
}
