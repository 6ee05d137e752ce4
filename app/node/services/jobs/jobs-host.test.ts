// Batch jobs and fine-tuning through the host's handlers, run in the jobs process: the host's
// event loop stays free while they work, progress reaches the host's emit, and a dead process
// fails the calls in flight with a coded error, then comes back on the next call.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { installTinyModel, tempDir, TINY_MODEL_ID, writeBrightnessDataset } from '../../../../test/finetune/fixtures.ts';
import type { ApiEvent, ApiMethod } from '../../../common/contract/api.ts';
import { JOB_PROGRESS_CHANNEL, JobProgress } from '../../../common/contract/batch.ts';
import { FINETUNE_PROGRESS_CHANNEL, FinetuneEvent } from '../../../common/contract/finetune.ts';
import type { Result } from '../../../common/errors.ts';
import { callApi } from '../call-api.ts';
import { createBackend } from '../backend.ts';
import { forkChild, type ChildTransport } from '../../shared/process/child-transport.ts';
import { JOBS_ENTRY } from './jobs-host.ts';

/** What "the UI does not freeze" means here: a cheap call always answers within this. */
const RESPONSIVE_MS = 200;

const dataDir = tempDir('jobs-host');
const models = installTinyModel(dataDir);
models.setActive(TINY_MODEL_ID); // else the first app.about would generate the demo model, which takes a second
const csv = writeBrightnessDataset(tempDir('jobs-host-data'), 30, 5);

const events: ApiEvent[] = [];
const waiters = new Set<{ match: (e: ApiEvent) => boolean; resolve: (e: ApiEvent) => void }>();
const emit = (event: ApiEvent): void => {
  events.push(event);
  for (const w of waiters) {
    if (!w.match(event)) continue;
    waiters.delete(w);
    w.resolve(event);
  }
};
const nextEvent = (match: (e: ApiEvent) => boolean): Promise<ApiEvent> => new Promise((resolve) => waiters.add({ match, resolve }));

let child: ChildTransport | undefined;
/** Set to keep the next call from reaching the process, so it is surely in flight when the process dies. */
let holdNextCall = false;
/** How many jobs processes the host has started (restarts = starts − 1). */
let starts = 0;
const backend = createBackend({
  dataDir,
  emit,
  workers: {
    jobs: () => {
      starts++;
      const transport = forkChild(JOBS_ENTRY);
      child = transport;
      return {
        ...transport,
        post: (message) => {
          const isCall = (message as { type?: string }).type === 'call';
          if (isCall && holdNextCall) holdNextCall = false;
          else transport.post(message);
        },
      };
    },
  },
});
const { handlers } = backend;
afterAll(() => backend.close());

/** As a transport calls: payload parsed with the contract, errors as data. */
const call = async (method: ApiMethod, payload: unknown): Promise<Result<unknown>> => (await callApi(handlers, method, payload)).result;

/** Calls `app.about` back to back (25 ms apart) until `until` settles; each answer's latency and when it was asked. */
async function probeWhile(until: Promise<unknown>): Promise<{ at: number; ms: number }[]> {
  let settled = false;
  void until.finally(() => (settled = true));
  const samples: { at: number; ms: number }[] = [];
  while (!settled) {
    const at = performance.now();
    const about = await call('app.about', {});
    expect(about.ok).toBe(true);
    samples.push({ at, ms: performance.now() - at });
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return samples;
}

const finetuneEvent = (type: FinetuneEvent['type']) => (e: ApiEvent) =>
  e.channel === FINETUNE_PROGRESS_CHANNEL && FinetuneEvent.parse(e.payload).type === type;
const jobState = (states: string[]) => (e: ApiEvent) =>
  e.channel === JOB_PROGRESS_CHANNEL && states.includes(JobProgress.parse(e.payload).state);

describe('jobs process behind the host handlers', () => {
  it('fine-tunes in the jobs process while app.about keeps answering', async () => {
    const finished = nextEvent((e) => finetuneEvent('finished')(e) || finetuneEvent('failed')(e));
    let trainingFrom = Number.POSITIVE_INFINITY;
    void nextEvent(finetuneEvent('step')).then(() => (trainingFrom = performance.now()));

    const started = await call('finetune.start', {
      data: csv,
      parentId: TINY_MODEL_ID,
      mode: 'full',
      hyperParameters: { epochs: 3, learningRate: 0.05, batchSize: 8 },
    });
    if (!started.ok) throw new Error(started.error.message);
    const { jobId } = started.value as { jobId: string };
    const samples = await probeWhile(finished);

    expect(FinetuneEvent.parse((await finished).payload).type).toBe('finished');
    const duringTraining = samples.filter((s) => s.at >= trainingFrom);
    expect(duringTraining.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...samples.map((s) => s.ms))).toBeLessThan(RESPONSIVE_MS);
    // Progress crossed the process boundary in order, parsed on both ends.
    const types = events.filter((e) => e.channel === FINETUNE_PROGRESS_CHANNEL).map((e) => FinetuneEvent.parse(e.payload).type);
    expect(types[0]).toBe('prepared');
    expect(types.filter((t) => t === 'epoch')).toHaveLength(3);
    const status = await call('finetune.status', { jobId });
    expect(status).toMatchObject({ ok: true, value: { jobId, state: 'finished' } });
    // The model the jobs process installed is visible to the host's store.
    const modelId = (status as { value: { result: { modelId: string } } }).value.result.modelId;
    expect(models.has(modelId)).toBe(true);
  });

  it('fails calls in flight when the process dies; the next call starts a new one, and the batch job resumes', async () => {
    const startsBefore = starts;
    const working = nextEvent(jobState(['importing', 'running']));
    const started = await call('jobs.start', { roots: [join(csv, '..', 'img')], modelId: TINY_MODEL_ID });
    if (!started.ok) throw new Error(started.error.message);
    const jobId = (started.value as { id: number }).id;
    await working;

    holdNextCall = true; // otherwise the process may answer before the kill lands
    const inFlight = call('jobs.list', {});
    child!.kill(); // SIGKILL: what a crash in a decoder or the training backend looks like
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/jobs process exited/) } });
    expect(await call('jobs.list', {})).toMatchObject({ ok: true });
    expect(starts).toBe(startsBefore + 1);

    const after = await call('jobs.get', { jobId });
    expect(after).toMatchObject({ ok: true, value: { job: { id: jobId, state: 'interrupted' } } });
    const done = nextEvent(jobState(['done', 'failed']));
    const resumed = await call('jobs.resume', { jobId });
    expect(resumed.ok).toBe(true);
    const samples = await probeWhile(done);
    expect(JobProgress.parse((await done).payload).state).toBe('done');
    expect(Math.max(...samples.map((s) => s.ms))).toBeLessThan(RESPONSIVE_MS);
    const page = await call('jobs.get', { jobId, limit: 5 });
    expect(page).toMatchObject({ ok: true, value: { job: { state: 'done', counts: { studies: 60, finished: 60 } }, totalRows: 60 } });
  });

  it('rejects a payload that breaks the contract before it reaches the jobs process', async () => {
    expect(await call('jobs.start', { roots: [] })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await call('finetune.status', { jobId: 'NOT AN ID' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});
