import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../app/node/domain/store/file-catalog.ts';
import type { JobModelInfo } from '../../app/node/domain/store/job-records.ts';
import { StudyStore } from '../../app/node/domain/store/study-store.ts';
import { seededRandom } from './dicom-mutator.ts';
import { jsonError, runCliInProcess } from './run-measured.ts';

const work = mkdtempSync(join(tmpdir(), 'denseray-hostile-store-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MODEL: JobModelInfo = {
  id: 'm',
  name: 'm',
  version: '1',
  arch: 'densenet121',
  sha256: 'b'.repeat(64),
  demo: true,
  labels: ['A'],
  thresholds: { A: 0.5 },
};
const STUDIES = 58;

/** A store with one finished job of 58 studies, each result carrying a 4 KB thumbnail (so results fill many pages). */
function finishedStore(name: string): string {
  const dataDir = join(work, name);
  const store = StudyStore.open(dataDir);
  const modelKey = store.jobs.modelKey(MODEL);
  const job = store.jobs.create(['/in'], modelKey);
  const files: CatalogEntry[] = Array.from({ length: STUDIES }, (_, i) => ({
    kind: 'study',
    path: `/in/${String(i).padStart(3, '0')}.png`,
    size: 10,
    mtimeMs: 1,
    sha256: i.toString(16).padStart(64, '0'),
    format: 'png',
    identity: {},
  }));
  store.files.record(job.id, modelKey, files);
  const random = seededRandom(7);
  for (const item of store.results.pending(job.id, modelKey, 0, STUDIES)) {
    const thumbnail = new Uint8Array(4096).map(() => Math.floor(random() * 256));
    store.results.commit(job.id, modelKey, item, {
      ok: true,
      probabilities: { A: 0.25 },
      flagged: [],
      triageScore: -0.5,
      guard: { score: 0, suspect: false, reason: null },
      cam: null,
      thumbnail: { blob: thumbnail, size: 64 },
      timingsMs: { decode: 1, preprocess: 1, infer: 1, cam: 0 },
    });
  }
  store.jobs.markDone(job.id);
  store.close(); // checkpoints the WAL into studies.sqlite
  return dataDir;
}

/** Python's sqlite3 (the SQLite library itself, outside Node) says whether the file passes quick_check. */
function referenceQuickCheckOk(file: string): boolean | undefined {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined;
  if (!python) return undefined;
  const script =
    'import sqlite3,sys\ntry:\n print(sqlite3.connect(sys.argv[1]).execute("pragma quick_check").fetchone()[0])\nexcept Exception as e:\n print("error", e)';
  return execFileSync(python, ['-c', script, file], { encoding: 'utf8' }).trim() === 'ok';
}

const cli = (dataDir: string, ...args: string[]) => runCliInProcess([...args, '--data-dir', dataDir]);

const damages: [string, (file: string) => void][] = [
  [
    'garbage over a page in the middle',
    (file) => {
      const size = statSync(file).size;
      const page = Math.floor(size / 4096 / 2);
      const fd = openSync(file, 'r+');
      const random = seededRandom(99);
      writeSync(fd, Buffer.from(new Uint8Array(4096).map(() => Math.floor(random() * 256))), 0, 4096, page * 4096);
    },
  ],
  ['truncated to 60 %', (file) => truncateSync(file, Math.floor((statSync(file).size * 0.6) / 4096) * 4096)],
];

describe('a damaged study store answers STORE_CORRUPT (exit 5) naming the file, never "done" from rows it cannot read', () => {
  for (const [what, damage] of damages) {
    it(what, async () => {
      const dataDir = finishedStore(what.replace(/\W+/g, '-'));
      const file = join(dataDir, 'studies.sqlite');
      const healthy = await cli(dataDir, 'jobs', '--json');
      expect(healthy.code, healthy.stderr).toBe(0);
      expect(healthy.stdout).toContain(`"finished": ${STUDIES}`);

      damage(file);
      expect(referenceQuickCheckOk(file)).not.toBe(true);
      for (const args of [
        ['jobs', '--json'],
        ['jobs', 'show', '1', '--json'],
        ['report', '1', '--json'],
      ]) {
        const run = await cli(dataDir, ...args);
        expect(jsonError(run)?.code, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe('STORE_CORRUPT');
        expect(jsonError(run)?.message).toContain(file);
        expect(run.code).toBe(5);
        expect(run.stdout).not.toContain(`"finished": ${STUDIES}`);
      }
      const check = await cli(dataDir, 'store', 'check', '--json');
      expect(check.code).toBe(5);
      expect(JSON.parse(check.stdout)).toMatchObject({ ok: false, file });

      // Rebuild keeps the damaged file aside and starts afresh; the store then answers again.
      const rebuild = await cli(dataDir, 'store', 'rebuild', '--json');
      expect(rebuild.code, rebuild.stderr).toBe(0);
      const aside = (JSON.parse(rebuild.stdout) as { setAside: string[] }).setAside;
      expect(aside.length).toBeGreaterThan(0);
      expect(aside.every((p) => existsSync(p))).toBe(true);
      expect(readdirSync(dataDir).some((n) => n.startsWith('studies.sqlite.damaged-'))).toBe(true);
      const after = await cli(dataDir, 'jobs', '--json');
      expect(after.code, after.stderr).toBe(0);
      expect(JSON.parse(after.stdout)).toEqual({ ok: true, jobs: [] });
      expect((await cli(dataDir, 'store', 'check', '--json')).code).toBe(0);
    }, 60_000);
  }

  it('a file that is not a database at all: STORE_CORRUPT on open', async () => {
    const dataDir = join(work, 'not-a-db');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'studies.sqlite'), Buffer.alloc(8192, 0x41));
    const run = await cli(dataDir, 'batch', '--resume', '--json');
    expect(jsonError(run)?.code).toBe('STORE_CORRUPT');
    expect(run.code).toBe(5);
  }, 60_000);
});
