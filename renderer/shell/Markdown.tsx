import type { ReactNode } from 'react';

/**
 * Enough Markdown for model cards — headings, paragraphs, bullet lists, block quotes, pipe tables,
 * `code`, **bold** and *emphasis* — rendered as React elements (never as HTML, so a card cannot
 * inject markup).
 */
export function Markdown({ text, className }: { text: string; className?: string }) {
  const blocks: ReactNode[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  let list: string[] = [];
  let quote: string[] = [];
  let table: string[][] = [];
  const flush = (): void => {
    if (paragraph.length > 0) blocks.push(<p key={blocks.length}>{inline(paragraph.join(' '))}</p>);
    if (list.length > 0)
      blocks.push(
        <ul key={blocks.length}>
          {list.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a static document rendered once; a position is the identity
            <li key={i}>{inline(item)}</li>
          ))}
        </ul>,
      );
    if (quote.length > 0) blocks.push(<blockquote key={blocks.length}>{inline(quote.join(' '))}</blockquote>);
    if (table.length > 0) {
      const [head, ...body] = table;
      blocks.push(
        <table key={blocks.length} className="md-table">
          <thead>
            <tr>
              {head!.map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a static document rendered once; a position is the identity
                <th key={i}>{inline(c)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {body.map((row, r) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a static document rendered once; a position is the identity
              <tr key={r}>
                {row.map((c, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a static document rendered once; a position is the identity
                  <td key={i}>{inline(c)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>,
      );
    }
    paragraph = [];
    list = [];
    quote = [];
    table = [];
  };
  for (const line of lines) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    const quoted = /^\s*>\s?(.*)$/.exec(line);
    if (/^\s*\|.*\|\s*$/.test(line)) {
      if (table.length === 0) flush();
      const cells = line
        .trim()
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim());
      if (!cells.every((c) => /^:?-{3,}:?$/.test(c))) table.push(cells); // the |---| rule is dropped
    } else if (quoted) {
      if (quote.length === 0) flush();
      quote.push(quoted[1]!);
    } else if (heading) {
      flush();
      const level = heading[1]!.length;
      blocks.push(
        level === 1 ? (
          <h4 key={blocks.length} className="md-title">
            {inline(heading[2]!)}
          </h4>
        ) : (
          <h5 key={blocks.length}>{inline(heading[2]!)}</h5>
        ),
      );
    } else if (bullet) {
      if (paragraph.length > 0 || quote.length > 0 || table.length > 0) flush();
      list.push(bullet[1]!);
    } else if (line.trim() === '') {
      flush();
    } else if (list.length > 0 && /^\s+/.test(line)) {
      list[list.length - 1] += ` ${line.trim()}`;
    } else {
      if (list.length > 0 || quote.length > 0 || table.length > 0) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return <div className={`markdown${className ? ` ${className}` : ''}`}>{blocks}</div>;
}

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*)/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const t = m[0];
    if (t.startsWith('`')) out.push(<code key={out.length}>{t.slice(1, -1)}</code>);
    else if (t.startsWith('**')) out.push(<strong key={out.length}>{t.slice(2, -2)}</strong>);
    else out.push(<em key={out.length}>{t.slice(1, -1)}</em>);
    last = m.index + t.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The first paragraph under a `## <title>` heading of a card, or undefined. */
export function cardSection(card: string, title: string): string | undefined {
  const lines = card.replace(/\r\n?/g, '\n').split('\n');
  const start = lines.findIndex((l) => new RegExp(`^#{2,6}\\s+${title}\\s*$`, 'i').test(l));
  if (start < 0) return undefined;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,6}\s/.test(line)) break;
    if (line.trim() === '' && body.length > 0) break;
    if (line.trim() !== '') body.push(line.trim());
  }
  return body.join(' ') || undefined;
}
