import { basename } from 'node:path';

/** "1 file", "3 files". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** Exactly `width` characters: padded, or shortened in the middle with "…" so both ends stay readable. */
export function fitText(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (text.length > width) {
    const head = Math.ceil((width - 1) / 2);
    return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
  }
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/** A column width that fits most names without letting one long name push the table off screen. */
export function columnWidth(values: readonly string[], min: number, max: number): number {
  return Math.min(max, Math.max(min, ...values.map((v) => v.length)));
}

/** An error message as a table cell: the file is already named in the row, so its path is dropped. */
export function messageWithoutPath(message: string, path: string): string {
  const withoutPath = message.replaceAll(`${path}: `, '').replaceAll(path, basename(path));
  return withoutPath;
}
