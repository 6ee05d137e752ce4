// The job runner with a stand-in classifier (no model): walk + import, chunks, pause through the
// store, resume, a finished job doing nothing, another model side by side, a bad file never stopping the job.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileResult, ModelInfo } from '../../app/common/contract/classify.ts';
import type { StudyClassifier } from '../../app/node/domain/batch/classifier.ts';
import { rankedStudies } from '../../app/node/domain/batch/study-rows.ts';
import { runJob } from '../../app/node/domain/batch/run-job.ts';
import { findOrCreateJob } from '../../app/node/domain/batch/start-job.ts';
import type { JobModelInfo } from '../../app/node/domain/store/job-records.ts';
import { StudyStore } from '../../app/node/domain/store/study-store.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function model(sha: string): JobModelInfo {
  return {
    id: 'fake',
    name: 'fake',
    version: '1',
    arch: 'densenet121',
    sha256: sha,
    demo: true,
    labels: ['A', 'B'],
    thresholds: { A: 0.5, B: 0.5 },
  };
}

/** Classifies by file name: a number in [0,1) from its characters; names starting with "bad" fail. */
function fakeClassifier(m: JobModelInfo, log: string[], onEach?: (count: number) => void): StudyClassifier {
  const info: ModelInfo = { ...m, backend: 'onnx', backendDetail: 'fake', precision: 'fp32' };
  let count = 0;
  return {
    model: info,
    close: async () => undefined,
    classify: async (files, { signal, onResult }) => {
      for (const [i, file] of files.entries()) {
        if (signal?.aborted) return;
        await new Promise((r) => setImmediate(r));
        log.push(file);
        const name = file.split('/').pop()!;
        const p = ([...name].reduce((s, c) => s + c.charCodeAt(0), 0) % 97) / 97;
        const result: FileResult = name.startsWith('bad')
          ? { file, ok: false, error: { code: 'IMAGE_DECODE_FAILED', message: 'broken' } }
          : {
              file,
              ok: true,
              prediction: {
                probabilities: { A: p, B: 1 - p },
                logits: [0, 0],
                flagged: p >= 0.5 ? ['A'] : ['B'],
                triageScore: Math.abs(p - 0.5) * 2,
                guard: { score: 0, suspect: false, reason: null },
                geometry: { width: 256, height: 256, region: { x: 0, y: 0, width: 256, height: 256 } },
                timingsMs: { decode: 0, preprocess: 0, infer: 0, cam: 0 },
              },
            };
        onResult(result, i);
        onEach?.(++count);
      }
    },
  };
}

function folder(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'denseray-runjob-'));
  mkdirSync(join(dir, 'sub'));
  for (let i = 0; i < n; i++)
    writeFileSync(
      join(dir, i % 3 ? 'sub' : '', `img${String(i).padStart(3, '0')}.png`),
      Buffer.concat([PNG_SIGNATURE, Buffer.from(`image ${i}`)]),
    );
  writeFileSync(join(dir, 'bad-stream.png'), Buffer.concat([PNG_SIGNATURE, Buffer.from('bad')]));
  writeFileSync(join(dir, 'sub', 'copy-of-0.png'), Buffer.concat([PNG_SIGNATURE, Buffer.from('image 0')]));
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
  return dir;
}

describe('runJob', () => {
  it('pauses through the store, resumes without repeating a study, and a finished job does nothing', async () => {
    const dir = folder(40);
    const store = StudyStore.open(':memory:');
    const m = model('1'.repeat(64));
    const { job } = findOrCreateJob(store, [dir], m);
    const log: string[] = [];
    // First run: another process asks for a pause after 15 studies.
    const paused = await runJob(store, job.id, {
      chunkSize: 8,
      openClassifier: async () => fakeClassifier(m, log, (n) => n === 15 && store.jobs.requestControl(job.id, 'pause')),
    });
    expect(paused.state).toBe('paused');
    expect(paused.counts.finished).toBeGreaterThanOrEqual(15);
    expect(paused.counts.finished).toBeLessThan(41);
    const resumed = await runJob(store, job.id, { chunkSize: 8, openClassifier: async () => fakeClassifier(m, log) });
    expect(resumed.state).toBe('done');
    expect(resumed.counts).toEqual({ filesSeen: 43, filesSkipped: 1, duplicates: 1, studies: 41, finished: 41, failed: 1 });
    expect(resumed.skipReasons).toEqual({ 'not DICOM, PNG or JPEG': 1 });
    // Stored once each; anything classified twice was only in flight when the pause came.
    expect(store.db.prepare('SELECT count(*) FROM results').pluck().get()).toBe(41);
    expect(new Set(log).size).toBe(41);
    let opened = false;
    const again = await runJob(store, job.id, { rescan: true, openClassifier: async () => ((opened = true), fakeClassifier(m, log)) });
    expect(again.state).toBe('done');
    expect(opened).toBe(false);
    const rows = rankedStudies(store, job.id);
    expect(rows.at(-1)).toMatchObject({ status: 'error', error: { code: 'IMAGE_DECODE_FAILED' } });
    expect(rows.slice(0, -1).every((r, i) => i === 0 || r.triageScore! <= rows[i - 1]!.triageScore!)).toBe(true);
    store.close();
  });

  it('another model over the same folder is another job with results side by side', async () => {
    const dir = folder(6);
    const store = StudyStore.open(':memory:');
    const first = model('2'.repeat(64));
    const second = model('3'.repeat(64));
    const a = findOrCreateJob(store, [dir], first).job;
    await runJob(store, a.id, { openClassifier: async () => fakeClassifier(first, []) });
    expect(findOrCreateJob(store, [dir], first)).toMatchObject({ created: false, job: { id: a.id } });
    const b = findOrCreateJob(store, [dir], second);
    expect(b.created).toBe(true);
    const done = await runJob(store, b.job.id, { openClassifier: async () => fakeClassifier(second, []) });
    expect(done.counts.finished).toBe(7);
    expect(store.db.prepare('SELECT count(*) FROM results').pluck().get()).toBe(14);
    store.close();
  });

  it('refuses a model whose weights changed under the same id, and records the failure', async () => {
    const dir = folder(2);
    const store = StudyStore.open(':memory:');
    const { job } = findOrCreateJob(store, [dir], model('4'.repeat(64)));
    const failed = await runJob(store, job.id, { openClassifier: async () => fakeClassifier(model('5'.repeat(64)), []) });
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('MODEL_INVALID');
    store.close();
  });
});

describe('JobService (the app API)', () => {
  it('starts a job, streams progress events, lists, pages the ranked rows and writes a report', async () => {
    const { JobService } = await import('../../app/node/services/batch/job-service.ts');
    const dir = folder(12);
    const dataDir = mkdtempSync(join(tmpdir(), 'denseray-jobservice-'));
    const events: { channel: string; payload: unknown }[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const service = new JobService({
      dataDir,
      emit: (event) => {
        events.push(event);
        if ((event.payload as { state?: string }).state === 'done') finished();
      },
      openClassifier: async (m) => fakeClassifier(m, []),
    });
    const started = service.start({ roots: [dir] });
    expect(['queued', 'importing']).toContain(started.state);
    await done;
    expect(events.every((e) => e.channel === 'jobs.progress')).toBe(true);
    const [job] = service.list();
    expect(job).toMatchObject({ id: started.id, state: 'done', counts: { studies: 13, finished: 13 } });
    const page = service.get({ jobId: started.id, offset: 2, limit: 5, rank: 'triage' });
    expect(page.totalRows).toBe(13);
    expect(page.rows.map((r) => r.rank)).toEqual([3, 4, 5, 6, 7]);
    const out = join(dataDir, 'worklist.json');
    expect(service.report({ jobId: started.id, out, rank: 'triage' })).toEqual({ path: out, studies: 13 });
    expect(() => service.resume(999)).toThrow(/no job 999/);
    expect(service.cancel(started.id).state).toBe('done'); // a finished job stays finished
    await service.close();
  });
});
