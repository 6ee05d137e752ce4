import { api } from '../../app/common/contract/api.ts';
import { Dialog } from './Dialog.tsx';

/**
 * The home of a feature another area provides (batch jobs, fine-tuning, the model catalogue).
 * It lists the API functions this build offers under the feature's prefix, so the screen is
 * honest about what exists; the full screen is wired once those functions land in the table.
 */
export function FeatureScreen({ title, prefix, description, onClose }: { title: string; prefix: string; description: string; onClose(): void }) {
  const methods = Object.keys(api).filter((m) => m.startsWith(`${prefix}.`));
  return (
    <Dialog title={title} onClose={onClose} testId={`feature-${prefix}`}>
      <p>{description}</p>
      {methods.length === 0 ? (
        <p className="muted">Not available in this build: no <code>{prefix}.*</code> functions are in the API table yet.</p>
      ) : (
        <>
          <p className="muted">Functions available in this build:</p>
          <ul className="mono small">{methods.map((m) => <li key={m}>{m}</li>)}</ul>
        </>
      )}
    </Dialog>
  );
}
