import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shared } from '../helpers/shared.ts';
import { jsonError, runCliInProcess, runCliMeasured } from './run-measured.ts';

/**
 * A real full disk: a small tmpfs mounted for the test (root only). Elsewhere the suite is skipped
 * with the reason printed, never faked with a stub.
 */
const root = mkdtempSync(join(tmpdir(), 'denseray-hostile-full-'));
const disk = join(root, 'disk');
let mounted = false;
let skipReason = '';
if (process.getuid?.() !== 0) skipReason = 'not root: cannot mount a tmpfs';
else {
  mkdirSync(disk);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', disk], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    skipReason = `mount -t tmpfs failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
}
if (!mounted) console.warn(`test/hostile/disk-full skipped: ${skipReason}`);

afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', disk]);
  rmSync(root, { recursive: true, force: true });
});

const dataDir = join(disk, 'data');
const filler = join(disk, 'filler');
const input = join(root, 'in');
const STUDIES = 24;

/** Leaves `bytes` free on the tmpfs by writing one filler file over the rest. */
function fillLeaving(bytes: number): void {
  const { bavail, bsize } = statfsSync(disk);
  writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - bytes)));
}

describe.runIf(mounted)('a full disk gives DISK_FULL (exit 4) and loses nothing', () => {
  beforeAll(async () => {
    mkdirSync(input);
    const images = shared('cxr', 'images256');
    for (const name of readdirSync(images).sort().slice(0, STUDIES)) symlinkSync(join(images, name), join(input, name));
    // The demo model's weights (~28 MB) go onto the small disk first, while there is room.
    expect((await runCliInProcess(['models', 'list', '--json', '--data-dir', dataDir])).code).toBe(0);
  }, 120_000);

  it('batch stops with DISK_FULL as JSON (no stack trace); after space is freed, --resume finishes every study once', async () => {
    fillLeaving(800 * 1024);
    const full = await runCliMeasured(['batch', input, '--backend', 'onnx', '--json'], { dataDir, timeoutMs: 180_000 });
    expect(full.timedOut).toBe(false);
    expect(jsonError(full)?.code, full.stdout + full.stderr).toBe('DISK_FULL');
    expect(full.code).toBe(4);
    expect(full.stderr).not.toMatch(/SqliteError|at .+\.ts:\d+/);

    const mid = JSON.parse((await runCliInProcess(['jobs', '--json', '--data-dir', dataDir])).stdout) as {
      jobs: { state: string; counts: { finished: number } }[];
    };
    // Stopped part-way and resumable (its process is gone): the commits before the disk filled are kept.
    expect(mid.jobs[0]!.state).toBe('interrupted');
    expect(mid.jobs[0]!.counts.finished).toBeGreaterThan(0); // the disk filled while results were being committed
    expect(mid.jobs[0]!.counts.finished).toBeLessThan(STUDIES);
    console.log(`disk full after ${mid.jobs[0]!.counts.finished}/${STUDIES} studies: ${jsonError(full)?.message}`);

    // The other write paths on the same full disk.
    const report = await runCliInProcess(['report', '1', '--out', join(disk, 'worklist.html'), '--json', '--data-dir', dataDir]);
    expect([jsonError(report)?.code, report.code]).toEqual(['DISK_FULL', 4]);
    const firstList = await runCliInProcess(['models', 'list', '--json', '--data-dir', join(disk, 'other')]);
    expect([jsonError(firstList)?.code, firstList.code]).toEqual(['DISK_FULL', 4]);

    rmSync(filler);
    const resumed = await runCliMeasured(['batch', '--resume', '--json'], { dataDir, timeoutMs: 180_000 });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const job = (JSON.parse(resumed.stdout) as { job: { state: string; counts: Record<string, number> } }).job;
    expect(job.state).toBe('done');
    expect(job.counts).toMatchObject({ filesSeen: STUDIES, studies: STUDIES, finished: STUDIES, failed: 0 });
  }, 400_000);
});
