import { readFileSync } from 'node:fs';

/** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

export interface ManifestRow {
  file: string;
  expect: string;
  errorCode: string;
  transferSyntax: string;
  photometric: string;
  rows: number;
  cols: number;
  frames: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  samplesPerPixel: number;
  modality: string;
  lossy: boolean;
  storedSha256: string;
  storedMin: number;
  storedMax: number;
  storedMean: number;
  notes: string;
}

const COLUMNS = [
  'file',
  'expect',
  'error_code',
  'transfer_syntax',
  'photometric',
  'rows',
  'cols',
  'frames',
  'bits_allocated',
  'bits_stored',
  'pixel_representation',
  'planar_configuration',
  'samples_per_pixel',
  'modality',
  'lossy',
  'stored_sha256',
  'stored_min',
  'stored_max',
  'stored_mean',
  'source',
  'license',
  'notes',
] as const;

/** The corpus manifest, typed; throws if its columns are not the documented ones. */
export function readManifest(path: string): ManifestRow[] {
  const [header, ...records] = parseCsv(readFileSync(path, 'utf8'));
  if (!header || header.join(',') !== COLUMNS.join(',')) throw new Error(`unexpected manifest header: ${header?.join(',')}`);
  return records.map((record) => {
    if (record.length !== COLUMNS.length) throw new Error(`manifest row has ${record.length} fields: ${record[0]}`);
    const get = (name: (typeof COLUMNS)[number]) => record[COLUMNS.indexOf(name)]!;
    const num = (name: (typeof COLUMNS)[number]) => (get(name) === '' ? Number.NaN : Number(get(name)));
    return {
      file: get('file'),
      expect: get('expect'),
      errorCode: get('error_code'),
      transferSyntax: get('transfer_syntax'),
      photometric: get('photometric'),
      rows: num('rows'),
      cols: num('cols'),
      frames: num('frames'),
      bitsAllocated: num('bits_allocated'),
      bitsStored: num('bits_stored'),
      pixelRepresentation: num('pixel_representation'),
      samplesPerPixel: num('samples_per_pixel'),
      modality: get('modality'),
      lossy: get('lossy') === 'true',
      storedSha256: get('stored_sha256'),
      storedMin: num('stored_min'),
      storedMax: num('stored_max'),
      storedMean: num('stored_mean'),
      notes: get('notes'),
    };
  });
}
