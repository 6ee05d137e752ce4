import type { OpenFailure } from '../../app/common/contract/studies.ts';
import { ErrorText } from '../shell/ErrorText.tsx';

/** Files that could not be opened: one readable line each (details on request), closable. */
export function FailuresBox({ failures, onDismiss }: { failures: readonly OpenFailure[]; onDismiss(): void }) {
  return (
    <section className="failures" data-testid="open-failures" aria-label="Files that could not be opened">
      <header>
        <h3>
          {failures.length} file{failures.length === 1 ? '' : 's'} could not be opened
        </h3>
        <button
          type="button"
          className="icon-button"
          onClick={onDismiss}
          aria-label="Close this list"
          title="Close"
          data-testid="dismiss-failures"
        >
          ×
        </button>
      </header>
      <ul>
        {failures.map((f, i) => (
          // The same name can fail twice (opened again): the position keeps keys unique.
          // biome-ignore lint/suspicious/noArrayIndexKey: append-only list, never reordered
          <li key={`${f.name}-${i}`} data-testid="open-failure" data-code={f.error.code}>
            <span className="failure-name">{f.name}</span>
            <ErrorText error={f.error} />
          </li>
        ))}
      </ul>
    </section>
  );
}
