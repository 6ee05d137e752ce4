import { DenseRayError } from '../../../shared/errors.ts';
import { SeededRandom } from '../../model/seeded-random.ts';
import { SPLITS, type LabelledImage, type SplitName } from './labelled-image.ts';

export interface SplitFractions {
  val: number;
  test: number;
}

/**
 * Assigns every image a split so that all images of one patient land in the same split.
 * A fixed split from the data is respected (and checked: a patient across two splits is refused).
 * Otherwise patients are stratified by their rarest positive label (or "none") and, within each
 * stratum in seeded random order, each patient goes to the split furthest behind its target share
 * of that stratum — so rare labels reach val and test where there are enough patients to allow it.
 */
export function splitByPatient(
  items: readonly LabelledImage[],
  fractions: SplitFractions,
  seed: number,
): { splits: SplitName[]; method: 'stratified-patient' | 'file' } {
  const patients = groupByPatient(items);
  if (items.length > 0 && items.every((i) => i.fixedSplit !== undefined)) {
    for (const [patient, indices] of patients) {
      const used = new Set(indices.map((i) => items[i]!.fixedSplit));
      if (used.size > 1)
        throw new DenseRayError(
          'INVALID_ARGUMENT',
          `patient ${patient} is in more than one split (${[...used].join(', ')}): the given split leaks patients`,
        );
    }
    return { splits: items.map((i) => i.fixedSplit!), method: 'file' };
  }
  const share: Record<SplitName, number> = { train: 1 - fractions.val - fractions.test, val: fractions.val, test: fractions.test };
  if (share.train <= 0)
    throw new DenseRayError('INVALID_ARGUMENT', `val (${fractions.val}) and test (${fractions.test}) fractions leave nothing to train on`);

  const labelCount = items[0]?.targets.length ?? 0;
  const frequency = Array.from({ length: labelCount }, (_, k) => items.reduce((n, i) => n + i.targets[k]!, 0));
  const strata = new Map<string, string[]>();
  for (const [patient, indices] of patients) {
    let rarest = -1;
    for (const i of indices)
      items[i]!.targets.forEach((t, k) => {
        if (t === 1 && (rarest < 0 || frequency[k]! < frequency[rarest]! || (frequency[k] === frequency[rarest] && k < rarest))) rarest = k;
      });
    const key = rarest < 0 ? 'none' : String(rarest);
    strata.set(key, [...(strata.get(key) ?? []), patient]); // few strata, so copying is cheap
  }

  const random = new SeededRandom(seed ^ 0x5eed5);
  const splits: SplitName[] = new Array(items.length);
  for (const key of [...strata.keys()].sort()) {
    const members = shuffle([...strata.get(key)!].sort(), random);
    const assigned: Record<SplitName, number> = { train: 0, val: 0, test: 0 };
    members.forEach((patient, n) => {
      // Largest deficit against the target share of the first n+1 patients; ties favour train.
      let best: SplitName = 'train';
      for (const s of SPLITS) if (share[s] * (n + 1) - assigned[s] > share[best] * (n + 1) - assigned[best] + 1e-9) best = s;
      assigned[best]++;
      for (const i of patients.get(patient)!) splits[i] = best;
    });
  }
  return { splits, method: 'stratified-patient' };
}

export function groupByPatient(items: readonly LabelledImage[]): Map<string, number[]> {
  const patients = new Map<string, number[]>();
  items.forEach((item, i) => {
    const list = patients.get(item.patientId);
    if (list) list.push(i);
    else patients.set(item.patientId, [i]);
  });
  return patients;
}

/** Fisher–Yates with the given generator (the same seed gives the same order everywhere). */
export function shuffle<T>(values: T[], random: SeededRandom): T[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}
