import type { ViewOp } from '../viewer/view-state.ts';
import type { Tool } from '../viewer/viewer-state.ts';

/** What a key does in the viewer (the map the `?` help lists is in viewer/shortcuts.ts). */
export type ViewerCommand =
  | { kind: 'view'; op: ViewOp }
  | { kind: 'tool'; tool: Tool }
  | { kind: 'study'; by: 1 | -1 }
  | { kind: 'frame'; by: 1 | -1 }
  | { kind: 'cine' }
  | { kind: 'heatmap' }
  | { kind: 'heatmapMode' }
  | { kind: 'finding'; by: 1 | -1 }
  | { kind: 'compare' }
  | { kind: 'tags' }
  | { kind: 'unread' }
  | { kind: 'unmeasure' };

const TOOL_KEYS: Readonly<Record<string, Tool>> = { w: 'window', m: 'ruler', e: 'ellipse', b: 'rect' };

/** The command for a key event's `key` (letters as typed: Shift+C arrives as 'C'). */
export function viewerCommand(key: string, devicePixelRatio: number): ViewerCommand | undefined {
  if (key >= '1' && key <= '5' && key.length === 1) return { kind: 'view', op: { kind: 'preset', index: Number(key) - 1 } };
  const tool = TOOL_KEYS[key];
  if (tool) return { kind: 'tool', tool };
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return { kind: 'study', by: 1 };
    case 'ArrowLeft':
    case 'ArrowUp':
      return { kind: 'study', by: -1 };
    case 'i':
      return { kind: 'view', op: { kind: 'invert' } };
    case '+':
    case '=':
      return { kind: 'view', op: { kind: 'zoom', factor: 1.25, px: 0, py: 0 } };
    case '-':
      return { kind: 'view', op: { kind: 'zoom', factor: 0.8, px: 0, py: 0 } };
    case 'f':
      return { kind: 'view', op: { kind: 'fit' } };
    case '0':
      return { kind: 'view', op: { kind: 'actual', devicePixelRatio } };
    case 'r':
      return { kind: 'view', op: { kind: 'rotate', by: 90 } };
    case 'l':
      return { kind: 'view', op: { kind: 'rotate', by: -90 } };
    case 'h':
      return { kind: 'view', op: { kind: 'flipH' } };
    case 'v':
      return { kind: 'view', op: { kind: 'flipV' } };
    case ' ':
      return { kind: 'view', op: { kind: 'reset' } };
    case 'PageDown':
    case ']':
      return { kind: 'frame', by: 1 };
    case 'PageUp':
    case '[':
      return { kind: 'frame', by: -1 };
    case 'p':
      return { kind: 'cine' };
    case 'c':
      return { kind: 'heatmap' };
    case 'C':
      return { kind: 'heatmapMode' };
    case ',':
      return { kind: 'finding', by: -1 };
    case '.':
      return { kind: 'finding', by: 1 };
    case 'x':
      return { kind: 'compare' };
    case 't':
      return { kind: 'tags' };
    case 'u':
      return { kind: 'unread' };
    case 'Delete':
    case 'Backspace':
      return { kind: 'unmeasure' };
    default:
      return undefined;
  }
}
