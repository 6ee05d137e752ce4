import type { ErrorInfo } from '../../app/common/errors.ts';
import { readableError } from './error-messages.ts';

/** A coded error as a reader sees it: the plain sentence, then the code and the technical detail. */
export function ErrorText({ error }: { error: ErrorInfo }) {
  return (
    <span className="error-text" data-testid="error-text" data-code={error.code}>
      <span className="error-sentence">{readableError(error)}</span> <code className="error-code">{error.code}</code>
      <span className="error-detail" title={error.message}>
        {error.message}
      </span>
    </span>
  );
}
