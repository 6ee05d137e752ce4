/** The keyboard map, in one place: the handlers read it and the `?` overlay lists it. */
export interface Shortcut {
  keys: string[];
  /** How the key is written in the help. */
  label: string;
  action: string;
  scope: 'worklist' | 'viewer' | 'app';
}

export const SHORTCUTS: Shortcut[] = [
  { keys: ['j', 'ArrowDown'], label: 'J / ↓', action: 'Next study in the list', scope: 'worklist' },
  { keys: ['k', 'ArrowUp'], label: 'K / ↑', action: 'Previous study in the list', scope: 'worklist' },
  { keys: ['Home', 'End'], label: 'Home / End', action: 'First / last study', scope: 'worklist' },
  { keys: ['Enter'], label: 'Enter (or click)', action: 'Open the study', scope: 'worklist' },
  { keys: ['/'], label: '/', action: 'Filter the worklist', scope: 'worklist' },
  { keys: ['ArrowRight', 'ArrowDown'], label: '→ / ↓', action: 'Next study', scope: 'viewer' },
  { keys: ['ArrowLeft', 'ArrowUp'], label: '← / ↑', action: 'Previous study', scope: 'viewer' },
  { keys: ['1', '2', '3', '4', '5'], label: '1 – 5', action: 'Window presets (stored windows, auto, full range)', scope: 'viewer' },
  { keys: ['i'], label: 'I', action: 'Invert', scope: 'viewer' },
  { keys: ['+', '='], label: '+', action: 'Zoom in', scope: 'viewer' },
  { keys: ['-'], label: '−', action: 'Zoom out', scope: 'viewer' },
  { keys: ['f'], label: 'F', action: 'Fit to the window', scope: 'viewer' },
  { keys: ['0'], label: '0', action: 'Actual size (1:1)', scope: 'viewer' },
  { keys: ['r'], label: 'R', action: 'Rotate right', scope: 'viewer' },
  { keys: ['l'], label: 'L', action: 'Rotate left', scope: 'viewer' },
  { keys: ['h'], label: 'H', action: 'Flip horizontally', scope: 'viewer' },
  { keys: ['v'], label: 'V', action: 'Flip vertically', scope: 'viewer' },
  { keys: [' '], label: 'Space', action: 'Reset the view', scope: 'viewer' },
  { keys: ['w'], label: 'W', action: 'Tool: window / level (drag)', scope: 'viewer' },
  { keys: ['m'], label: 'M', action: 'Tool: ruler (mm)', scope: 'viewer' },
  { keys: ['e'], label: 'E', action: 'Tool: ellipse ROI (mean ± SD)', scope: 'viewer' },
  { keys: ['b'], label: 'B', action: 'Tool: rectangle ROI (mean ± SD)', scope: 'viewer' },
  { keys: ['Delete', 'Backspace'], label: 'Del', action: 'Remove the last measurement', scope: 'viewer' },
  { keys: ['PageDown', ']'], label: 'PgDn / ]', action: 'Next frame (multi-frame files; also the wheel)', scope: 'viewer' },
  { keys: ['PageUp', '['], label: 'PgUp / [', action: 'Previous frame', scope: 'viewer' },
  { keys: ['p'], label: 'P', action: 'Cine: play / pause the frames', scope: 'viewer' },
  { keys: ['c'], label: 'C', action: 'Heatmap on / off', scope: 'viewer' },
  { keys: ['C'], label: 'Shift + C', action: 'Heatmap: fill → outline → tint', scope: 'viewer' },
  { keys: [',', '.'], label: ', / .', action: 'Heatmap of the previous / next finding', scope: 'viewer' },
  { keys: ['x'], label: 'X', action: 'Compare with the prior study (same Patient ID)', scope: 'viewer' },
  { keys: ['t'], label: 'T', action: 'DICOM tag browser', scope: 'viewer' },
  { keys: ['u'], label: 'U', action: 'Mark unread', scope: 'viewer' },
  { keys: ['Escape'], label: 'Esc', action: 'Close a panel or dialog, else back to the worklist', scope: 'app' },
  { keys: ['?'], label: '?', action: 'This help', scope: 'app' },
];

export const MOUSE_HELP: [string, string][] = [
  ['Click the image', 'Keyboard to the viewer'],
  ['Left drag', 'The tool: window / level (→ wider, ↑ brighter), ruler, ROI'],
  ['Right drag or Shift + drag', 'Pan'],
  ['Wheel', 'Zoom about the cursor; frames in a multi-frame file (Ctrl + wheel zooms)'],
];

/** Inputs that take text: every key typed there is theirs. */
const TEXT_INPUTS = new Set(['text', 'search', 'email', 'number', 'password', 'url', 'tel', '']);

/**
 * Whether a key event belongs to a form control (then no shortcut fires): every key in a text
 * field, list box or editable text; in a radio group, checkbox or slider only the keys that
 * operate it (arrows, Space, Home/End, Page keys), so a letter there still reaches the viewer.
 */
export function isTyping(event: KeyboardEvent | { target: EventTarget | null; key?: string }): boolean {
  const target = event.target as HTMLElement | null;
  if (target === null || typeof target.tagName !== 'string') return false;
  if (target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable) return true;
  if (target.tagName !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type?.toLowerCase() ?? '';
  if (TEXT_INPUTS.has(type)) return true;
  return /^(Arrow|Page|Home|End)|^ $/.test(event.key ?? '');
}
