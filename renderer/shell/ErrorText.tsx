import type { ErrorInfo } from '../../app/common/errors.ts';
import { readableError } from './error-messages.ts';

/**
 * A coded error as a reader sees it: the plain sentence and the code first; the technical detail
 * (a parser's own words, a path) only on request.
 */
export function ErrorText({ error }: { error: ErrorInfo }) {
  return (
    <span className="error-text" data-testid="error-text" data-code={error.code}>
      <span className="error-sentence">{readableError(error)}</span> <code className="error-code">{error.code}</code>
      {error.message && (
        <details className="error-detail">
          <summary>Details</summary>
          <span>{error.message}</span>
        </details>
      )}
    </span>
  );
}
