/**
 * One optimiser step per fine-tuning mode, DenseRay beside PyTorch on the same DenseNet-121 weights in
 * the same run: each side is its own process (so each reports its own peak RSS), both warm up, then
 * they take turns, `--rounds` times, and the medians are compared. The machine is shared: uptime is
 * printed beside the numbers.
 *
 *   node --import tsx bench/finetune/run.ts [--modes head,last-block,full] [--batch 16] [--size 224]
 *        [--rounds 3] [--steps 3] [--threads 1] [--engine onnxruntime|tfjs] [--micro-batch n]
 *
 * Both sides get the same thread count. PyTorch is Debian's python3-torch (/usr/bin/python3).
 */
import { type ChildProcessWithoutNullStreams, execSync, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { shared } from '../../test/helpers/shared.ts';

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'head,last-block,full' },
    batch: { type: 'string', default: '16' },
    size: { type: 'string', default: '224' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    engine: { type: 'string', default: 'onnxruntime' },
    'micro-batch': { type: 'string' },
  },
});
const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

class Worker {
  private readonly lines: AsyncIterator<string>;
  private readonly rl: Interface;
  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.rl = createInterface({ input: child.stdout });
    this.lines = this.rl[Symbol.asyncIterator]();
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      if (!/W:onnxruntime|MaxListeners|trace-warnings/.test(text)) process.stderr.write(text);
    });
  }
  async next(): Promise<Record<string, unknown>> {
    for (;;) {
      const { value, done } = await this.lines.next();
      if (done) throw new Error('worker exited');
      if (value.startsWith('{')) return JSON.parse(value) as Record<string, unknown>;
    }
  }
  async ask(command: string): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${command}\n`);
    return this.next();
  }
  close(): void {
    this.child.stdin.end();
    this.rl.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gb = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GB`;
const time = (seconds: number): string => (seconds < 0.1 ? `${(seconds * 1000).toFixed(2)} ms` : `${seconds.toFixed(3)} s`);

const batch = values.batch;
const threads = values.threads;
console.log(
  `DenseNet-121 (reference synthetic weights), batch ${batch}, ${values.size}×${values.size}, ${threads} thread(s) each; one Adam step, BatchNorm statistics frozen, BCE with pos_weight`,
);
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
console.log(
  `${'mode'.padEnd(11)} ${'denseray'.padStart(11)} ${'pytorch'.padStart(11)} ${'ratio'.padStart(6)}  ${'peak RSS denseray / pytorch'.padEnd(28)} plan`,
);
for (const mode of values.modes.split(',')) {
  const ours = new Worker(
    spawn(process.execPath, [
      '--import',
      'tsx',
      here('./denseray_step.ts'),
      mode,
      batch,
      values.size,
      threads,
      values.engine,
      ...(values['micro-batch'] ? [values['micro-batch']] : []),
    ]),
  );
  const torch = new Worker(
    spawn(
      '/usr/bin/python3',
      [here('./torch_step.py'), shared('reference', 'densenet121-synthetic14.safetensors'), mode, batch, values.size, threads],
      {
        env: { ...process.env, OMP_NUM_THREADS: threads },
      },
    ),
  );
  const ready = await ours.next();
  await torch.next();
  const plan = ready.plan as { engine: string; microBatch: number; estimatedBytes: number | null };
  // Warm-up: onnxruntime's arena and PyTorch's allocator reach their steady state (and V8 compiles the
  // host side: head steps take well under a millisecond, so they run by the hundred).
  const head = mode === 'head';
  await ours.ask(head ? '1000' : '2');
  await torch.ask(head ? '1000' : '1');
  const mine: number[] = [];
  const theirs: number[] = [];
  const steps = mode === 'full' ? '1' : head ? '500' : values.steps;
  for (let r = 0; r < Number(values.rounds); r++) {
    mine.push(...((await ours.ask(steps)).seconds as number[]));
    theirs.push(...((await torch.ask(steps)).seconds as number[]));
  }
  const rssOurs = (await ours.ask('rss')).rss as number;
  const rssTorch = (await torch.ask('rss')).rss as number;
  ours.close();
  torch.close();
  const a = median(mine);
  const b = median(theirs);
  console.log(
    `${mode.padEnd(11)} ${time(a).padStart(11)} ${time(b).padStart(11)} ${(a / b).toFixed(2).padStart(5)}×  ${`${gb(rssOurs)} / ${gb(rssTorch)}`.padEnd(28)} ${plan.engine}, micro-batch ${plan.microBatch}${plan.estimatedBytes ? `, estimate ${gb(plan.estimatedBytes)}` : ''}`,
  );
}
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
console.log('ratio = DenseRay / PyTorch median step time (lower is faster); medians over interleaved rounds.');
