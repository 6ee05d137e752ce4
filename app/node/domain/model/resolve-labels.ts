import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CHEXNET14_LABELS } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';

const LabelsFile = z.array(z.string().min(1)).min(1);

/** `chexnet14`, or a JSON file holding an array of label names in output order. */
export function resolveLabels(option: string | undefined, outputs: number): string[] {
  let labels: string[];
  if (option === undefined || option === 'chexnet14') {
    if (option === undefined && outputs !== CHEXNET14_LABELS.length) {
      throw new DenseRayError(
        'INVALID_ARGUMENT',
        `the weights have ${outputs} outputs; name them with --labels labels.json (a JSON array in output order)`,
      );
    }
    labels = [...CHEXNET14_LABELS];
  } else {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(option, 'utf8'));
    } catch (cause) {
      throw new DenseRayError('INVALID_ARGUMENT', `--labels ${option}: not a readable JSON file`, { cause });
    }
    const parsed = LabelsFile.safeParse(raw);
    if (!parsed.success) throw new DenseRayError('INVALID_ARGUMENT', `--labels ${option}: expected a JSON array of label names`);
    labels = parsed.data;
  }
  if (labels.length !== outputs) {
    throw new DenseRayError('WEIGHTS_MISMATCH', `${labels.length} labels given but the classifier has ${outputs} outputs`);
  }
  if (new Set(labels).size !== labels.length) throw new DenseRayError('INVALID_ARGUMENT', 'labels must be unique');
  return labels;
}
