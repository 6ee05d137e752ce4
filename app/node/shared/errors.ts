import type { ErrorCode, ErrorInfo } from '../../common/errors.ts';

/** The one error class thrown inside app/node: a contract code, a readable message, the cause. */
export class DenseRayError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DenseRayError';
    this.code = code;
    this.details = options?.details;
  }

  toInfo(): ErrorInfo {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** Turns anything thrown into contract data; unknown failures become INTERNAL with their message. */
export function toErrorInfo(error: unknown, fallback: ErrorCode = 'INTERNAL'): ErrorInfo {
  if (error instanceof DenseRayError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  return { code: fallback, message };
}
