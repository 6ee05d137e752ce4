import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '../../../../common/contract/finetune.ts';
import { DenseRayError } from '../../../shared/errors.ts';
import { writeFileAtomic } from '../../../shared/atomic-write.ts';
import type { WeightMap } from '../../model/tensor.ts';
import { readSafetensors, writeSafetensors } from '../../model/weights/safetensors.ts';
import type { ScheduleState } from './schedule.ts';

/** Where training stands after a finished epoch: enough to resume exactly. */
export interface TrainingState {
  epoch: number;
  schedule: ScheduleState;
  history: EpochRecord[];
  adamStep: number;
}

const LAST = 'last.safetensors';
const BEST = 'best.safetensors';

/**
 * A job's checkpoints: `last` (trained parameters + Adam moments + state, rewritten after every
 * epoch, for resume) and `best` (the parameters of the best validation epoch, what a cancel keeps).
 * Both are safetensors written atomically, so a crash mid-write leaves the previous one readable.
 */
export class CheckpointDir {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  saveLast(weights: WeightMap, adam: { first: WeightMap; second: WeightMap }, state: TrainingState): void {
    const all: WeightMap = new Map();
    for (const [k, v] of weights) all.set(`param/${k}`, v);
    for (const [k, v] of adam.first) all.set(`adam.m/${k}`, v);
    for (const [k, v] of adam.second) all.set(`adam.v/${k}`, v);
    writeFileAtomic(
      join(this.dir, LAST),
      writeSafetensors(all, { state: JSON.stringify(state, (_, v: unknown) => (v === Number.NEGATIVE_INFINITY ? '-Infinity' : v)) }),
    );
  }

  saveBest(weights: WeightMap): void {
    writeFileAtomic(join(this.dir, BEST), writeSafetensors(weights));
  }

  hasLast(): boolean {
    return existsSync(join(this.dir, LAST));
  }

  loadLast(): { weights: WeightMap; first: Map<string, Float32Array>; second: Map<string, Float32Array>; state: TrainingState } {
    const path = join(this.dir, LAST);
    if (!existsSync(path)) throw new DenseRayError('INVALID_ARGUMENT', `no checkpoint to resume from in ${this.dir}`);
    const { tensors, metadata } = readSafetensors(readFileSync(path), path);
    const weights: WeightMap = new Map();
    const first = new Map<string, Float32Array>();
    const second = new Map<string, Float32Array>();
    for (const [k, v] of tensors) {
      if (k.startsWith('param/')) weights.set(k.slice(6), v);
      else if (k.startsWith('adam.m/')) first.set(k.slice(7), v.data);
      else if (k.startsWith('adam.v/')) second.set(k.slice(7), v.data);
    }
    const state = JSON.parse(metadata.state ?? 'null', (_, v: unknown) =>
      v === '-Infinity' ? Number.NEGATIVE_INFINITY : v,
    ) as TrainingState | null;
    if (!state) throw new DenseRayError('INVALID_ARGUMENT', `${path} has no training state`);
    return { weights, first, second, state };
  }

  loadBest(): WeightMap | undefined {
    const path = join(this.dir, BEST);
    return existsSync(path) ? readSafetensors(readFileSync(path), path).tensors : undefined;
  }
}
