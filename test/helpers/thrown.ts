import { DenseRayError } from '../../app/node/shared/errors.ts';

/** The DenseRayError `fn` throws (anything else is rethrown; not throwing fails the test). */
export function thrown(fn: () => unknown): DenseRayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DenseRayError) return e;
    throw e;
  }
  throw new Error('expected a DenseRayError');
}
