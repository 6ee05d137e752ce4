import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { FileProblem } from '../../../../common/contract/finetune.ts';
import { DenseRayError } from '../../../shared/errors.ts';
import { findColumn, parseCsv } from './csv.ts';
import type { LabelledImage, ListedDataset, SplitName } from './labelled-image.ts';

export interface ReadDatasetOptions {
  data: string;
  images?: string | undefined;
  labels?: string[] | undefined;
  keep: 'all' | 'labelled-or-no-finding';
  splitFile?: string | undefined;
}

const IMAGE_COLUMNS = ['image index', 'image', 'path', 'image path', 'image_path', 'file', 'filename', 'file name'];
const PATIENT_COLUMNS = ['patient id', 'patient_id', 'patientid', 'patient', 'subject', 'subject_id'];
const SPLIT_COLUMNS = ['split', 'fold', 'set'];
const NIH_FINDINGS = ['finding labels'];
export const NO_FINDING = 'No Finding';
/** Folder names that mean "none of the labels" in a folder-per-class dataset. */
const NEGATIVE_FOLDER = /^(no[ _-]?finding|normal|negative|none)$/i;

/**
 * Lists a dataset without opening any image: a CSV (one 0/1 column per label, or NIH's
 * `Finding Labels` with `|`) or a folder with one sub-folder per class. Rows that cannot be used are
 * reported in `problems` and left out; only a dataset that cannot be read at all throws.
 */
export function readDataset(options: ReadDatasetOptions): ListedDataset {
  const source = resolve(options.data);
  if (!existsSync(source)) throw new DenseRayError('FILE_NOT_FOUND', `${source}: no such file or folder`);
  const listed = statSync(source).isDirectory() ? readFolders(source, options) : readCsv(source, options);
  if (options.splitFile) applySplitFile(listed, resolve(options.splitFile));
  if (listed.items.length === 0)
    throw new DenseRayError('INVALID_ARGUMENT', `${source}: no usable images (${listed.problems.length} problems)`, {
      details: { problems: listed.problems.slice(0, 20) },
    });
  return listed;
}

function readCsv(source: string, options: ReadDatasetOptions): ListedDataset {
  const rows = parseCsv(readFileSync(source, 'utf8'));
  const header = rows.shift();
  if (!header) throw new DenseRayError('INVALID_ARGUMENT', `${source}: empty CSV`);
  const imagesDir = resolve(options.images ?? dirname(source));
  const imageCol = Math.max(0, findColumn(header, IMAGE_COLUMNS));
  const patientCol = findColumn(header, PATIENT_COLUMNS);
  const splitCol = findColumn(header, SPLIT_COLUMNS);
  const findingsCol = findColumn(header, NIH_FINDINGS);
  const problems: FileProblem[] = [];
  const items: LabelledImage[] = [];
  const width = header.length;

  let labels: string[];
  let targetsOf: (row: string[], name: string) => Uint8Array | undefined;
  if (findingsCol >= 0) {
    const findings = (row: string[]): string[] =>
      (row[findingsCol] ?? '')
        .split('|')
        .map((f) => f.trim())
        .filter((f) => f !== '');
    const seen = [...new Set(rows.flatMap(findings))].filter((f) => f !== NO_FINDING).sort();
    labels = options.labels ?? seen;
    const missing = labels.filter((l) => !seen.includes(l));
    if (missing.length > 0)
      throw new DenseRayError('INVALID_ARGUMENT', `${source}: no image has the label(s) ${missing.join(', ')}; found: ${seen.join(', ')}`);
    targetsOf = (row, name) => {
      const f = findings(row);
      if (f.length === 0) {
        problems.push({ file: name, code: 'no-label', message: 'empty Finding Labels' });
        return undefined;
      }
      const t = Uint8Array.from(labels, (l) => (f.includes(l) ? 1 : 0));
      if (options.keep === 'labelled-or-no-finding' && !t.some((v) => v === 1) && !(f.length === 1 && f[0] === NO_FINDING))
        return undefined;
      return t;
    };
  } else {
    const reserved = new Set([imageCol, patientCol, splitCol]);
    // A label column holds 0/1 in at least 80% of its cells; the odd other value ("-1", "maybe") is then reported per row.
    const binary = header.map(
      (_, c) => !reserved.has(c) && rows.filter((r) => /^\s*(0|1|0\.0|1\.0)\s*$/.test(r[c] ?? '')).length >= 0.8 * rows.length,
    );
    const columns = options.labels
      ? options.labels.map((l) => {
          const c = findColumn(header, [l.toLowerCase()]);
          if (c < 0) throw new DenseRayError('INVALID_ARGUMENT', `${source}: no column named "${l}"`);
          return c;
        })
      : header.map((_, c) => c).filter((c) => binary[c]);
    if (columns.length === 0)
      throw new DenseRayError('INVALID_ARGUMENT', `${source}: no label columns (columns holding only 0/1) and no "Finding Labels" column`);
    labels = columns.map((c) => header[c]!.trim());
    targetsOf = (row, name) => {
      const values = columns.map((c) => (row[c] ?? '').trim());
      const bad = values.findIndex((v) => !/^(0|1|0\.0|1\.0)$/.test(v));
      if (bad >= 0) {
        problems.push({ file: name, code: 'unknown-label', message: `label ${labels[bad]} is "${values[bad]}", expected 0 or 1` });
        return undefined;
      }
      // An all-zero row is a negative for every label (the CSV's "No Finding"), so `keep` drops nothing here.
      return Uint8Array.from(values, (v) => (v.startsWith('1') ? 1 : 0));
    };
  }

  rows.forEach((row, r) => {
    const name = (row[imageCol] ?? '').trim();
    if (row.length !== width || name === '') {
      problems.push({
        file: name || `row ${r + 2}`,
        code: 'bad-row',
        message: `row ${r + 2} has ${row.length} fields, the header ${width}`,
      });
      return;
    }
    const targets = targetsOf(row, name);
    if (!targets) return;
    const split = splitCol >= 0 ? parseSplit(row[splitCol]) : undefined;
    if (splitCol >= 0 && split === undefined) {
      problems.push({ file: name, code: 'split-unknown', message: `split "${row[splitCol]}" is not train, val or test` });
      return;
    }
    const patient = patientCol >= 0 ? (row[patientCol] ?? '').trim() : '';
    items.push({
      file: resolve(imagesDir, name),
      name,
      patientId: patient === '' ? `image:${name}` : patient,
      targets,
      ...(split ? { fixedSplit: split } : {}),
    });
  });
  return {
    source,
    format: findingsCol >= 0 ? 'nih-csv' : 'csv',
    labels,
    items,
    patientIds: patientCol >= 0 ? 'column' : 'per-image',
    problems,
  };
}

function readFolders(source: string, options: ReadDatasetOptions): ListedDataset {
  const classes = readdirSync(source, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
  const positives = classes.filter((c) => !NEGATIVE_FOLDER.test(c));
  const labels = options.labels ?? positives;
  const problems: FileProblem[] = [];
  const items: LabelledImage[] = [];
  for (const cls of classes) {
    const negative = NEGATIVE_FOLDER.test(cls);
    const known = negative || labels.includes(cls);
    for (const file of walkFiles(join(source, cls))) {
      const name = relative(source, file);
      if (!known) {
        problems.push({ file: name, code: 'unknown-label', message: `folder "${cls}" is not one of the labels ${labels.join(', ')}` });
        continue;
      }
      // No patient ids in a folder layout: each image is its own patient (the summary says so).
      items.push({ file, name, patientId: `image:${name}`, targets: Uint8Array.from(labels, (l) => (!negative && l === cls ? 1 : 0)) });
    }
  }
  const missing = labels.filter((l) => !classes.includes(l));
  if (missing.length > 0) throw new DenseRayError('INVALID_ARGUMENT', `${source}: no folder for label(s) ${missing.join(', ')}`);
  return { source, format: 'folders', labels, items, patientIds: 'per-image', problems };
}

function walkFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.name.startsWith('.') ? [] : e.isDirectory() ? walkFiles(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

function parseSplit(value: string | undefined): SplitName | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === 'train' || v === 'training') return 'train';
  if (v === 'val' || v === 'valid' || v === 'validation') return 'val';
  if (v === 'test') return 'test';
  return undefined;
}

/** A split file (`image,split`) fixes each listed image's split; unlisted images are reported and dropped. */
function applySplitFile(listed: ListedDataset, path: string): void {
  if (!existsSync(path)) throw new DenseRayError('FILE_NOT_FOUND', `${path}: no such split file`);
  const rows = parseCsv(readFileSync(path, 'utf8'));
  const header = rows.shift() ?? [];
  const imageCol = Math.max(0, findColumn(header, IMAGE_COLUMNS));
  const splitCol = findColumn(header, SPLIT_COLUMNS);
  if (splitCol < 0) throw new DenseRayError('INVALID_ARGUMENT', `${path}: no "split" column`);
  const byName = new Map(rows.map((r) => [(r[imageCol] ?? '').trim(), parseSplit(r[splitCol])]));
  listed.items = listed.items.filter((item) => {
    const split = byName.get(item.name);
    if (split === undefined) {
      listed.problems.push({ file: item.name, code: 'split-unknown', message: `not assigned a train/val/test split in ${path}` });
      return false;
    }
    item.fixedSplit = split;
    return true;
  });
}
