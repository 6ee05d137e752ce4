import type { InferenceSession } from 'onnxruntime-node';

/**
 * The CPU session options every inference-path graph (model, calibration, frozen backbone) opens
 * with: all graph optimisations, one op at a time on `threads` intra-op threads (default: all cores).
 *
 * Worker threads spin-wait between ops inside a run (fast hand-offs) but stop when the run ends
 * (`force_spinning_stop`). Left spinning after a run, they take the cores from what comes next:
 * measured here, decoding the next film (sharp) 27 ms instead of 12 ms, and a second session run
 * right after the first 44 ms instead of 24 ms; a batch end to end 32.7 → 36.6 studies/s. Turning
 * spinning off altogether costs 3–4 ms per batch-1 inference (every op pays a thread wake-up).
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
