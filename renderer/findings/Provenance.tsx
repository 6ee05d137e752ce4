import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { StudyResult } from '../../app/common/contract/studies.ts';
import { precisionOf } from '../../app/common/model-precision.ts';
import { formatTime } from '../shell/format.ts';

/** Which model and weights made these numbers, and whether they were read from a batch job's store or scored now. */
export function Provenance({ result, model }: { result: StudyResult | undefined; model: ModelInfo | undefined }) {
  if (!result?.ok || !model) return null;
  // A stored result names the model and weights the job recorded (the same key the lookup matched).
  const stored = result.stored;
  return (
    <p className="provenance small" data-testid="provenance" data-source={stored ? 'store' : 'scored'}>
      {stored ? (
        <>
          From batch job {stored.jobId ?? '?'} ({formatTime(stored.storedAt)}) ·{' '}
        </>
      ) : (
        'Scored now · '
      )}
      <span title={`weights sha256 ${stored?.weightsSha256 ?? model.sha256}`}>
        {stored?.modelId ?? model.id} · {(stored?.weightsSha256 ?? model.sha256).slice(0, 8)}
      </span>{' '}
      · {stored ? 'backend not recorded by the job' : `${model.backend} · ${precisionOf(model)}`}
    </p>
  );
}
