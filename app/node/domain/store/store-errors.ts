import { DenseRayError, lowLevelFailure, STORE_CORRUPT_ADVICE } from '../../shared/errors.ts';

export function storeCorrupt(file: string, problem: string, cause?: unknown): DenseRayError {
  return new DenseRayError('STORE_CORRUPT', `the study store ${file} is damaged (${problem}); ${STORE_CORRUPT_ADVICE}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { file },
  });
}

/** A failure while opening or using the store at `file`, named: damaged → STORE_CORRUPT, full disk → DISK_FULL. */
export function storeFailure(file: string, error: unknown): unknown {
  if (error instanceof DenseRayError) return error;
  const low = lowLevelFailure(error);
  if (low?.code === 'STORE_CORRUPT') return storeCorrupt(file, (error as Error).message, error);
  if (low?.code === 'DISK_FULL')
    return new DenseRayError('DISK_FULL', `${low.message} (writing the study store ${file})`, { cause: error, details: { file } });
  return error;
}
