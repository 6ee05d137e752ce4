import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { CatalogueEntry, PinStatus } from '../../../common/contract/catalogue.ts';
import { writeFileAtomic } from '../../shared/atomic-write.ts';

/**
 * sha256s recorded on this machine by the first verified download of a catalogue file whose
 * catalogue entry pins none: later downloads and imports must match them (trust on first use),
 * and the lead can copy them into the catalogue to pin them for everyone.
 */
const RecordedPin = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
  url: z.string(),
  recordedAt: z.string(),
});
const PinFile = z.record(z.string(), RecordedPin);
export type RecordedPin = z.infer<typeof RecordedPin>;

export interface ExpectedFile {
  status: PinStatus;
  sha256: string | null;
  bytes: number | null;
}

export class PinRecord {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'catalogue-pins.json');
  }

  all(): Record<string, RecordedPin> {
    if (!existsSync(this.path)) return {};
    try {
      const parsed = PinFile.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {}; // A damaged record only loses trust-on-first-use; the catalogue's own pins still apply.
    }
  }

  record(name: string, pin: RecordedPin): void {
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileAtomic(this.path, `${JSON.stringify({ ...this.all(), [name]: pin }, null, 2)}\n`);
  }

  /** What a download of `entry` must be: the catalogue's pin first, then this machine's record. */
  expected(entry: CatalogueEntry): ExpectedFile {
    if (entry.file.sha256 !== null) return { status: 'pinned', sha256: entry.file.sha256, bytes: entry.file.bytes };
    const local = this.all()[entry.name];
    if (local && local.url === entry.url) return { status: 'recorded', sha256: local.sha256, bytes: entry.file.bytes ?? local.bytes };
    return { status: 'unpinned', sha256: null, bytes: entry.file.bytes };
  }
}
