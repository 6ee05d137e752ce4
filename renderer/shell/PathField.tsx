import { useId } from 'react';
import { call, isDesktop } from '../api.ts';

/**
 * A path typed or pasted (browser mode cannot learn where a file lives), or picked with the system
 * dialog in the desktop app: the same `app.choosePaths` the Open folder command uses.
 */
export function PathField({
  label,
  value,
  onChange,
  kind,
  placeholder,
  multiple,
  testId,
  hint,
}: {
  label: string;
  value: string;
  onChange(value: string): void;
  kind: 'files' | 'folder';
  placeholder?: string;
  /** One path per line (a textarea); picked paths are appended. */
  multiple?: boolean;
  testId?: string;
  hint?: string;
}) {
  const id = useId();
  const choose = async (): Promise<void> => {
    const picked = await call('app.choosePaths', { kind });
    if (!picked.supported || picked.paths.length === 0) return;
    if (multiple)
      onChange(
        [
          ...value
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean),
          ...picked.paths,
        ].join('\n'),
      );
    else onChange(picked.paths[0]!);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="path-row">
        {multiple ? (
          <textarea
            id={id}
            rows={2}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            placeholder={placeholder}
            data-testid={testId}
            spellCheck={false}
          />
        ) : (
          <input
            id={id}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            placeholder={placeholder}
            data-testid={testId}
            spellCheck={false}
          />
        )}
        {isDesktop() && (
          <button type="button" className="secondary" onClick={() => void choose()}>
            Choose…
          </button>
        )}
      </div>
      {hint && <span className="muted small">{hint}</span>}
    </div>
  );
}

/** Paths from a one-per-line text. */
export const pathLines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
