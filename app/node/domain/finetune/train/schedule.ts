/**
 * Reduce-on-plateau and early stopping, both watching validation mean AUROC (higher is better).
 * Plain serialisable state so a resumed job continues exactly where it stopped.
 */
export interface ScheduleState {
  learningRate: number;
  /** Best validation mean AUROC so far and the epoch it came from (−1 before any). */
  best: number;
  bestEpoch: number;
  /** Epochs since the rate was last reduced or the score last improved. */
  sincePlateauReset: number;
}

export interface ScheduleOptions {
  plateauPatience: number;
  plateauFactor: number;
  minLearningRate: number;
  patience: number;
}

export function initialSchedule(learningRate: number): ScheduleState {
  return { learningRate, best: Number.NEGATIVE_INFINITY, bestEpoch: -1, sincePlateauReset: 0 };
}

/**
 * Feeds one epoch's score. Returns the new state, whether this epoch is the best so far and whether
 * to stop. An undefined score (NaN: a validation split without both classes) never counts as better,
 * so such runs stop by patience and keep the first epoch.
 */
export function afterEpoch(
  state: ScheduleState,
  epoch: number,
  score: number,
  o: ScheduleOptions,
): { state: ScheduleState; improved: boolean; stop: boolean } {
  const improved = Number.isFinite(score) ? score > state.best + 1e-6 : state.bestEpoch < 0;
  const next: ScheduleState = improved
    ? { ...state, best: Number.isFinite(score) ? score : state.best, bestEpoch: epoch, sincePlateauReset: 0 }
    : { ...state, sincePlateauReset: state.sincePlateauReset + 1 };
  if (!improved && next.sincePlateauReset >= o.plateauPatience) {
    next.learningRate = Math.max(o.minLearningRate, next.learningRate * o.plateauFactor);
    next.sincePlateauReset = 0;
  }
  const stop = epoch - next.bestEpoch >= o.patience;
  return { state: next, improved, stop };
}
