import type { InferenceSession } from 'onnxruntime-node';

/**
 * The CPU session options every inference-path graph (model, calibration, frozen backbone) opens
 * with: all graph optimisations, one op at a time on `threads` intra-op threads (default: all cores).
 *
 * Worker threads spin-wait between ops inside a run (fast hand-offs) but stop when the run ends
 * (`force_spinning_stop`). Left spinning after a run, they take the cores from what comes next:
 * measured here, two sessions run in turn took 41–42 ms per run instead of 21–22 (with the stop:
 * 21–22), and a batch end to end went 32.7 → 36.6 studies/s. Turning spinning off altogether costs
 * ~3 ms per batch-1 inference (24.9 vs 21.6 ms: every op pays a thread wake-up).
 */
export function cpuSessionOptions(threads?: number): InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    extra: { session: { force_spinning_stop: '1' } },
    ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
  };
}
