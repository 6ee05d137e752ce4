import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';

export function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
}

/** A long-lived PyTorch process the bench asks for timings, so runs interleave with ours. */
export class TorchWorker {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly rl: Interface,
  ) {}

  static async start(weights: string, threads: number): Promise<TorchWorker> {
    const script = fileURLToPath(new URL('./torch_worker.py', import.meta.url));
    const child = spawn(PYTHON, [script, weights, String(threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(`[torch] ${d}`));
    const rl = createInterface({ input: child.stdout });
    const worker = new TorchWorker(child, rl[Symbol.asyncIterator](), rl);
    await worker.next();
    return worker;
  }

  /** Mean seconds per forward pass for a batch. */
  async time(variant: 'eager' | 'tuned', batch: number, iters: number): Promise<number> {
    this.child.stdin.write(`${JSON.stringify({ variant, batch, iters })}\n`);
    const reply = (await this.next()) as { seconds: number };
    return reply.seconds;
  }

  close(): void {
    this.rl.close();
    this.child.stdin.end();
    this.child.kill();
  }

  private async next(): Promise<unknown> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error('torch worker exited');
    return JSON.parse(value) as unknown;
  }
}
