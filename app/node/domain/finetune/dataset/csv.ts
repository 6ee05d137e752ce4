/**
 * RFC 4180-ish CSV: commas, double-quoted fields with "" escapes, CRLF or LF line ends; blank lines
 * are skipped. NIH's Data_Entry header has unquoted commas inside column names
 * (`OriginalImage[Width,Height]`); its rows carry the same number of fields, so a plain split keeps
 * the columns we use (image, labels, patient) aligned.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // BOM from spreadsheet exports
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  row.push(field);
  if (row.length > 1 || row[0] !== '') rows.push(row);
  return rows;
}

/** Index of the first header (trimmed, case-insensitive) among `names`, or −1. */
export function findColumn(header: readonly string[], names: readonly string[]): number {
  const normalised = header.map((h) => h.trim().toLowerCase());
  for (const name of names) {
    const i = normalised.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}
