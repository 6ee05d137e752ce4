import type { Notice } from '../reading/use-reading-room.ts';
import { ErrorText } from './ErrorText.tsx';

/** A message about something the reader did (nothing found, the back end unreachable), closable. */
export function MessageBar({ notice, onDismiss }: { notice: Notice; onDismiss(): void }) {
  return (
    <div className="message-bar" role="alert" data-testid="message-bar">
      <span>{notice.text}</span> {notice.error && <ErrorText error={notice.error} />}
      <button type="button" className="icon-button" onClick={onDismiss} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
