import type { ErrorCode } from '../../../common/errors.ts';
import { DenseRayError } from '../../shared/errors.ts';

export interface ErrorContext {
  /** '(7FE0,0010) PixelData' */
  tag?: string;
  /** Transfer syntax UID (and name when known). */
  syntax?: { uid: string; name?: string };
  cause?: unknown;
}

/** A DenseRayError whose message names the file, the tag and the transfer syntax, like pydicom's. */
export function dicomError(code: ErrorCode, source: string, problem: string, context: ErrorContext = {}): DenseRayError {
  const parts = [`${source}: ${problem}`];
  if (context.tag) parts.push(`tag ${context.tag}`);
  if (context.syntax) {
    const { uid, name } = context.syntax;
    parts.push(`transfer syntax ${name ? `${name} (${uid})` : uid}`);
  }
  const details: Record<string, unknown> = { source };
  if (context.tag) details.tag = context.tag;
  if (context.syntax) details.transferSyntaxUid = context.syntax.uid;
  return new DenseRayError(code, parts.join('; '), { cause: context.cause, details });
}

/** What a thrown value says, whatever it is (dicom-parser throws strings and plain objects). */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (thrown && typeof thrown === 'object' && 'exception' in thrown) return describeThrown((thrown as { exception: unknown }).exception);
  return String(thrown);
}

export const PIXEL_DATA_TAG = '(7FE0,0010) PixelData';
