import { useState } from 'react';
import { Dialog } from './Dialog.tsx';

/**
 * Browser mode cannot show a native file picker that yields paths, so the reader types or pastes
 * the path of a file or folder on this machine (the desktop app uses the system dialog instead).
 */
export function OpenPathDialog({ kind, onOpen, onClose }: { kind: 'files' | 'folder'; onOpen(paths: string[]): void; onClose(): void }) {
  const [text, setText] = useState('');
  const paths = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    <Dialog title={kind === 'folder' ? 'Open folder' : 'Open files'} onClose={onClose} testId="open-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (paths.length > 0) onOpen(paths);
        }}
      >
        <p className="muted">
          {kind === 'folder'
            ? 'Path of a folder on this computer; DICOM, PNG and JPEG files in it and its subfolders are opened.'
            : 'Paths of DICOM, PNG or JPEG files, one per line.'}
        </p>
        <textarea
          rows={kind === 'folder' ? 1 : 4}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={kind === 'folder' ? '/home/me/studies' : '/home/me/studies/chest.dcm'}
          autoFocus
          data-testid="open-path-input"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (kind === 'folder' || e.ctrlKey) && paths.length > 0) {
              e.preventDefault();
              onOpen(paths);
            }
          }}
        />
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={paths.length === 0} data-testid="open-path-submit">
            Open
          </button>
        </div>
      </form>
    </Dialog>
  );
}
