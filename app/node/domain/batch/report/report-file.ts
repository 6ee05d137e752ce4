import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a report piece by piece (an HTML report of thousands of studies is never one string in
 * memory) to a temporary file renamed into place, so a reader never sees half a report.
 */
export function writeReportFile(path: string, produce: (write: (chunk: string) => void) => void): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w');
  let open = true;
  try {
    produce((chunk) => {
      writeSync(fd, chunk);
    });
    closeSync(fd);
    open = false;
    renameSync(tmp, path);
  } catch (error) {
    // Close once: a second close would throw EBADF and hide the real failure (a full disk, say).
    if (open) closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
}
