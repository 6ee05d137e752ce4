import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { Prepared, type PrepareTask, prepareFile } from './prepare.ts';

interface Job {
  id: number;
  task: PrepareTask;
  resolve: (prepared: Prepared) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Sent to this thread and not answered yet, by id; the thread works through them in order. */
  jobs: Map<number, Job>;
}

/**
 * Files handed to one thread ahead of its answers. Inference runs synchronously on the calling
 * thread (onnxruntime-node), so the pool only gets to hand out work between runs: with one file
 * per thread at a time, a thread finished its file early in a 300 ms batch and then sat idle
 * (measured: the inference thread waited on decoding 11% of a 1-thread batch).
 */
const IN_FLIGHT_PER_THREAD = 16;

const Reply = z.union([z.object({ ready: z.literal(true) }), z.object({ id: z.number(), prepared: Prepared })]);

/**
 * Decode + preprocess on worker threads, so files are read while the backend's own threads run
 * the network and the caller's event loop stays free. Tasks queue in order and go to whichever
 * thread is idle; a thread that dies fails only its own file (one error result) and is replaced.
 * If threads cannot start at all (a platform without worker support, a broken bundle), every
 * task runs on the calling thread through the same prepareFile: slower, never wrong.
 */
export class PreparePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private inThread = false;
  private closed = false;

  /** Threads for decoding: the cores inference leaves free, never fewer than one. */
  static sizeFor(inferenceThreads: number | undefined): number {
    const cores = availableParallelism();
    return Math.max(1, cores - Math.min(cores, inferenceThreads ?? cores));
  }

  constructor(readonly size: number) {}

  /** Whether tasks run on worker threads (false after a failed start: on the calling thread). */
  get threaded(): boolean {
    return !this.inThread;
  }

  /** Starts every thread now (each loads the decoders once), so the first file does not wait for it. */
  warm(): void {
    while (this.slots.length < this.size && !this.inThread && !this.closed) this.start();
  }

  prepare(task: PrepareTask): Promise<Prepared> {
    if (this.closed) return Promise.resolve({ ok: false, error: { code: 'CANCELLED', message: 'the engine was closed' } });
    if (this.inThread) return prepareFile(task);
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, task, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve({ ok: false, error: { code: 'CANCELLED', message: 'the engine was closed' } });
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private pump(): void {
    while (this.slots.length < this.size && this.queue.length > 0 && !this.inThread) this.start();
    // Each file to the ready thread with the fewest in hand: filling the first thread up to
    // IN_FLIGHT_PER_THREAD before the next gave a two-batch queue (16 files) to one thread alone.
    while (this.queue.length > 0) {
      const slot = this.leastLoaded();
      if (!slot) break;
      const job = this.queue.shift()!;
      slot.jobs.set(job.id, job);
      slot.worker.postMessage({ id: job.id, task: job.task });
    }
    if (this.inThread) for (const job of this.queue.splice(0)) void prepareFile(job.task).then(job.resolve);
    this.holdProcessWhileBusy();
  }

  private leastLoaded(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots)
      if (slot.ready && slot.jobs.size < IN_FLIGHT_PER_THREAD && (!best || slot.jobs.size < best.jobs.size)) best = slot;
    return best;
  }

  /** Files handed to each started thread and not answered yet (tests, diagnostics). */
  get inFlight(): number[] {
    return this.slots.map((slot) => slot.jobs.size);
  }

  /** Threads started and ready for files. */
  get readyThreads(): number {
    return this.slots.filter((slot) => slot.ready).length;
  }

  /**
   * Threads hold the process open only while a file waits on them (queued behind a thread that is
   * still starting, or being decoded); idle threads never keep a finished CLI from exiting.
   */
  private holdProcessWhileBusy(): void {
    const waiting = this.queue.length > 0;
    for (const slot of this.slots) {
      if (waiting || slot.jobs.size > 0) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  private start(): void {
    let worker: Worker;
    try {
      worker = startPrepareWorker();
    } catch {
      this.inThread = true;
      return;
    }
    const slot: Slot = { worker, ready: false, jobs: new Map() };
    this.slots.push(slot);
    worker.on('message', (raw: unknown) => {
      const reply = Reply.safeParse(raw);
      if (!reply.success) return;
      if ('ready' in reply.data) slot.ready = true;
      else {
        const job = slot.jobs.get(reply.data.id);
        slot.jobs.delete(reply.data.id);
        job?.resolve(reply.data.prepared);
      }
      this.pump();
    });
    const lost = (reason: string): void => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return;
      this.slots.splice(index, 1);
      void worker.terminate();
      if (!slot.ready) this.inThread = true; // cannot start threads here: stay on this thread
      const jobs = [...slot.jobs.values()];
      slot.jobs.clear();
      for (const job of jobs)
        job.resolve({ ok: false, error: { code: 'INTERNAL', message: `${job.task.file}: the decoding thread failed (${reason})` } });
      if (!this.closed) this.pump();
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    // Set after the listeners (adding a 'message' listener refs the worker's port again).
    this.holdProcessWhileBusy();
  }
}

/**
 * Starts prepare-worker beside this file: `.js` once built, `.ts` from source, where the thread
 * first registers tsx (the process's own loader hooks do not reach worker threads).
 */
function startPrepareWorker(): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./prepare-worker${ext}`, import.meta.url).href;
  if (ext !== '.ts') return new Worker(new URL(entry));
  const boot = `import(${JSON.stringify(tsxEsmApi())}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}

/** tsx's ES-module API (its CommonJS twin registers hooks by a path that breaks inside a worker). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  return new URL(exports['./esm/api']!.import.default, pathToFileURL(manifest)).href;
}
