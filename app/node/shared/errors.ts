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

/** Node's errno codes for "no space": the disk is full, or the user's quota is. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);
/** SQLite result codes (better-sqlite3 puts the extended name in `code`) that mean "no space". */
const SQLITE_NO_SPACE = /^SQLITE_FULL(_|$)/;
/** SQLite result codes that mean the database file is damaged or not a database at all. */
const SQLITE_DAMAGED = /^SQLITE_(CORRUPT|NOTADB)(_|$)/;

export const DISK_FULL_ADVICE = 'nothing already stored was lost; free some space and run the same command again';
export const STORE_CORRUPT_ADVICE =
  'check it with `denseray store check`; `denseray store rebuild` sets the damaged file aside and starts a fresh store ' +
  '(results are recomputed by running the batch again)';

/**
 * What a low-level failure (a Node errno, an SQLite result code) means in the contract's terms, or
 * undefined when it has no meaning of its own. The one place these codes are interpreted.
 */
export function lowLevelFailure(error: unknown): ErrorInfo | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return undefined;
  const detail = error instanceof Error ? error.message : code;
  if (NO_SPACE.has(code) || SQLITE_NO_SPACE.test(code)) {
    return { code: 'DISK_FULL', message: `the disk is full (${detail}); ${DISK_FULL_ADVICE}`, details: { cause: code } };
  }
  if (SQLITE_DAMAGED.test(code)) {
    return {
      code: 'STORE_CORRUPT',
      message: `the study store (studies.sqlite in the data folder) is damaged (${detail}); ${STORE_CORRUPT_ADVICE}`,
      details: { cause: code },
    };
  }
  return undefined;
}

/** The first low-level failure with a meaning of its own in an error's cause chain (bounded: causes may loop). */
function lowLevelInChain(error: unknown): ErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    const found = lowLevelFailure(current);
    if (found) return found;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/**
 * Turns anything thrown into contract data, the one funnel every door uses. A DenseRayError keeps
 * its code unless it is a generic INTERNAL wrapper around a full disk or a damaged store; a raw
 * errno/SQLite failure becomes DISK_FULL or STORE_CORRUPT; anything else becomes `fallback`.
 */
export function toErrorInfo(error: unknown, fallback: ErrorCode = 'INTERNAL'): ErrorInfo {
  if (error instanceof DenseRayError) {
    if (error.code === 'INTERNAL') return lowLevelInChain(error.cause) ?? error.toInfo();
    return error.toInfo();
  }
  const lowLevel = lowLevelInChain(error);
  if (lowLevel) return lowLevel;
  const message = error instanceof Error ? error.message : String(error);
  return { code: fallback, message };
}
