import type { ErrorInfo } from '../../app/common/errors.ts';
import { ApiError } from '../api.ts';

/** Anything a call threw, as the coded error every screen shows. */
export function asErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof ApiError) return error.info;
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
