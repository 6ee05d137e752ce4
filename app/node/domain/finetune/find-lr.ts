import { FinetuneRequest, type FinetuneEvent, type LrRangeResult } from '../../../common/contract/finetune.ts';
import { openSession, openTrainingPath } from './session.ts';
import { lrRangeTest } from './train/lr-range.ts';

/** `--find-lr`: the range test on the same data and mode a fine-tune would use (features cached as usual); installs nothing. */
export async function findLearningRate(o: {
  dataDir: string;
  request: FinetuneRequest;
  signal?: AbortSignal;
  onEvent?: (e: FinetuneEvent) => void;
  steps?: number;
}): Promise<LrRangeResult> {
  const request = FinetuneRequest.parse(o.request);
  const session = await openSession({ dataDir: o.dataDir, request, jobId: 'find-lr', signal: o.signal, onEvent: o.onEvent });
  const path = await openTrainingPath(session, request);
  try {
    return await lrRangeTest(path, session.data, {
      batchSize: session.hp.batchSize,
      seed: session.hp.seed,
      weightDecay: session.hp.weightDecay,
      signal: o.signal,
      ...(o.steps ? { steps: o.steps } : {}),
    });
  } finally {
    await path.dispose();
  }
}
