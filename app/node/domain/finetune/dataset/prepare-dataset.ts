import { createHash } from 'node:crypto';
import { DatasetRequest, type DatasetSummary, type SplitPart } from '../../../../common/contract/finetune.ts';
import { checkFiles } from './check-files.ts';
import { SPLITS, type CheckedImage, type SplitName } from './labelled-image.ts';
import { splitByPatient } from './patient-split.ts';
import { readDataset } from './read-dataset.ts';

/** A dataset ready for training: checked images, each with its split, and the summary shown before training. */
export interface PreparedDataset {
  labels: string[];
  images: CheckedImage[];
  splits: SplitName[];
  summary: DatasetSummary;
}

/** List → check every file → split by patient → summarise. Never aborts on a bad file; see `summary.problems`. */
export async function prepareDataset(
  request: DatasetRequest,
  onProgress?: (done: number, total: number) => void,
): Promise<PreparedDataset> {
  const r = DatasetRequest.parse(request);
  const listed = readDataset({ data: r.data, images: r.images, labels: r.labels, keep: r.keep, splitFile: r.splitFile });
  const { checked, problems } = await checkFiles(listed.items, onProgress);
  const { splits, method } = splitByPatient(checked, { val: r.valFraction, test: r.testFraction }, r.seed);
  const part = (s: SplitName): SplitPart => {
    const members = checked.filter((_, i) => splits[i] === s);
    return {
      images: members.length,
      patients: new Set(members.map((m) => m.patientId)).size,
      positives: Object.fromEntries(listed.labels.map((l, k) => [l, members.reduce((n, m) => n + m.targets[k]!, 0)])),
    };
  };
  const summary: DatasetSummary = {
    source: listed.source,
    format: listed.format,
    labels: listed.labels,
    images: checked.length,
    patients: new Set(checked.map((c) => c.patientId)).size,
    patientIds: listed.patientIds,
    split: { train: part('train'), val: part('val'), test: part('test'), method },
    problems: [...listed.problems, ...problems],
    fingerprint: fingerprint(listed.labels, checked, splits),
  };
  return { labels: listed.labels, images: checked, splits, summary };
}

/** Content-addressed: renaming or moving files keeps it, changing a pixel, label, patient or split changes it. */
function fingerprint(labels: readonly string[], images: readonly CheckedImage[], splits: readonly SplitName[]): string {
  const rows = images.map((img, i) => `${img.sha256}\t${img.patientId}\t${img.targets.join('')}\t${splits[i]}`).sort();
  return createHash('sha256')
    .update(`labels\t${labels.join('|')}\n${rows.join('\n')}`)
    .digest('hex');
}

export function indicesOf(splits: readonly SplitName[], split: SplitName): number[] {
  const out: number[] = [];
  splits.forEach((s, i) => s === split && out.push(i));
  return out;
}

export { SPLITS };
