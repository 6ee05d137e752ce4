import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { ListenProcess } from './listen-process.ts';
import { dicomNodeSkip } from './orthanc.ts';
import { echoscu, type GeneratedStudy, makeStudies, storescu } from './tools.ts';

/**
 * A real full disk under the listener: its data folder on a small tmpfs (root only; skipped with
 * the reason elsewhere, never faked). The C-STORE is refused with Out of Resources naming
 * DISK_FULL, the listener keeps running, and once space is freed the same film is stored.
 */
const root = mkdtempSync(join(tmpdir(), 'denseray-node-full-'));
const disk = join(root, 'disk');
let skipReason = dicomNodeSkip('test/dicom-node/disk-full') ?? '';
let mounted = false;
if (!skipReason && process.getuid?.() !== 0) skipReason = 'not root: cannot mount a tmpfs';
if (!skipReason) {
  mkdirSync(disk);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', disk], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    skipReason = `mount -t tmpfs failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
}
if (!mounted) console.warn(`test/dicom-node/disk-full skipped: ${skipReason}`);

const filler = join(disk, 'filler');
function fillLeaving(bytes: number): void {
  const { bavail, bsize } = statfsSync(disk);
  writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - bytes)));
}

describe.runIf(mounted)('denseray listen on a full disk', () => {
  let listen: ListenProcess;
  let films: GeneratedStudy[];
  const dataDir = join(disk, 'data');

  beforeAll(async () => {
    films = await makeStudies(join(root, 'in'), 2, { prefix: 'FULL', bits: 16, full: true });
    listen = await ListenProcess.start(['--allow', 'MODALITY'], dataDir);
  }, 300_000);

  afterAll(async () => {
    await listen?.stop();
    if (mounted) execFileSync('umount', ['-l', disk]);
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('refuses the C-STORE with Out of Resources (DISK_FULL), keeps listening, and stores the film once space is free', async () => {
    fillLeaving(256 * 1024); // far less than a 1024² 16-bit film
    const refused = await storescu(listen.port, [films[0]!.path], { extra: ['-v'] });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/Refused: OutOfResources|0xa700/i);
    const problem = await listen.waitFor((e) => e.event === 'problem' && e.code === 'DISK_FULL', 'the DISK_FULL problem');
    expect(String(problem.message)).toMatch(/disk is full/);
    expect((await echoscu(listen.port)).code).toBe(0);

    rmSync(filler);
    const stored = await storescu(listen.port, [films[0]!.path]);
    expect(stored.code, stored.stderr).toBe(0);
    const triaged = await listen.waitFor(
      (e) => e.event === 'triaged' && e.sopInstanceUid === films[0]!.sop,
      'triage after space was freed',
    );
    expect(triaged.state).toBe('triaged');
    const log = await runCli(['jobs', 'transfers', '--json', '--data-dir', dataDir]);
    const { counts } = JSON.parse(log.stdout) as { counts: Record<string, number> };
    expect(counts.received).toBe(1);
  });
});
