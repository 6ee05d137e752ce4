import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../helpers/shared.ts';

export type ListenEvent = Record<string, unknown> & { event: string };

/**
 * `denseray listen --json` as a user runs it (bin/denseray.mjs in a child process), its events
 * collected line by line. The port is picked by the listener (--port 0) and read from its
 * 'listening' event.
 */
export class ListenProcess {
  readonly events: ListenEvent[] = [];
  stderr = '';
  port = 0;
  private exit: Promise<number | null>;
  private waiters: (() => void)[] = [];

  private constructor(private readonly child: ChildProcess) {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) {
          try {
            this.events.push(JSON.parse(line) as ListenEvent);
          } catch {
            this.stderr += `(not JSON on stdout) ${line}\n`;
          }
        }
        newline = buffer.indexOf('\n');
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    this.exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static async start(args: string[], dataDir: string): Promise<ListenProcess> {
    const child = spawn(
      process.execPath,
      [join(projectRoot, 'bin', 'denseray.mjs'), 'listen', '--json', '--port', '0', '--bind', '127.0.0.1', '--data-dir', dataDir, ...args],
      {
        cwd: projectRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const listen = new ListenProcess(child);
    const listening = await listen.waitFor((e) => e.event === 'listening', 'the listener to start', 180_000);
    listen.port = Number(listening.port);
    return listen;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The first event (in arrival order, from `from` on) matching `match`. */
  async waitFor(match: (event: ListenEvent) => boolean, what: string, timeoutMs = 120_000, from = 0): Promise<ListenEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (this.child.exitCode !== null)
        throw new Error(`listener exited (${this.child.exitCode}) while waiting for ${what}:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; events so far:\n${this.events.map((e) => JSON.stringify(e)).join('\n')}\n${this.stderr}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `count` events match. */
  async waitForCount(match: (event: ListenEvent) => boolean, count: number, what: string, timeoutMs = 180_000): Promise<ListenEvent[]> {
    await this.waitFor(() => this.events.filter(match).length >= count, what, timeoutMs);
    return this.events.filter(match);
  }

  /** Ctrl-C, as a user stops it; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
    const code = await this.exit;
    clearTimeout(timer);
    return code;
  }
}
