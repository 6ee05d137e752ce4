import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './shared.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `denseray …` exactly as a user would (bin/denseray.mjs), with its own data folder. */
export function runCli(args: string[], options: { dataDir?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(options.dataDir ? { DENSERAY_DATA_DIR: options.dataDir } : {}) };
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'denseray.mjs'), ...args], { cwd: projectRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
