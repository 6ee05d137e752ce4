import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/shared.ts';

export interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
  /** Peak resident memory (VmHWM) last read from /proc while the child lived, in MiB; 0 where /proc is absent. */
  peakRssMiB: number;
  /** Killed at the time limit. */
  timedOut: boolean;
}

function highWaterMiB(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined; // gone already
  }
}

/**
 * Runs `denseray …` in a child as a user would and measures it: exit code, output, wall time and
 * peak RSS (the kernel's high-water mark, polled; the mark only grows, so the last read before exit
 * holds the peak up to then). Killed at `timeoutMs`: a hang is the bug these tests look for.
 */
export function runCliMeasured(args: string[], options: { dataDir?: string; timeoutMs?: number } = {}): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(options.dataDir ? { DENSERAY_DATA_DIR: options.dataDir } : {}) };
    const started = Date.now();
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'denseray.mjs'), ...args], { cwd: projectRoot, env });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => {
      if (child.pid !== undefined) peak = Math.max(peak, highWaterMiB(child.pid) ?? 0);
    }, 25);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, peakRssMiB: peak, timedOut });
    });
  });
}

/** The `{ ok: false, error }` a `--json` command printed, or undefined. */
export function jsonError(run: { stdout: string }): { code: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(run.stdout) as { error?: { code: string; message: string } };
    return parsed.error;
  } catch {
    return undefined;
  }
}

/**
 * Runs `denseray …` inside the test process (same code path as the binary, without a child's
 * start-up cost): for cases where neither memory nor a crash of the process is under test.
 */
export async function runCliInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../app/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
