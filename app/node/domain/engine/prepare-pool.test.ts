import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGENET_PREPROCESSING } from '../../../common/manifest.ts';
import type { FileResult } from '../../../common/contract/classify.ts';
import { shared } from '../../../../test/helpers/shared.ts';
import { InputGuard } from '../guard/input-guard.ts';
import { loadForeignWeights } from '../model/import-model.ts';
import { ModelRuntime } from '../model/model-runtime.ts';
import { Engine } from './engine.ts';
import { DEFAULT_GUARD_REFERENCE } from './open-engine.ts';
import { prepareFile } from './prepare.ts';
import { PreparePool } from './prepare-pool.ts';

describe('decode + preprocess on worker threads', () => {
  let dir: string;
  let files: string[];
  const pool = new PreparePool(2);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'denseray-pool-'));
    const jpeg = join(dir, 'film.jpg');
    writeFileSync(
      jpeg,
      await sharp(readFileSync(shared('cxr', 'images256', '00000574_000.png')))
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    files = [
      shared('cxr', 'images', '00000284_000.png'), // 8-bit gray
      shared('cxr', 'images', '00005224_000.png'), // RGBA
      jpeg,
      join(dir, 'notes.txt'),
      join(dir, 'missing.png'),
      shared('dicom', 'cxr_dx_mono1_8bit_explicit_le.dcm'),
    ];
  });
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the calling thread’s loadInput + preprocess + guard result bit for bit, and each bad file its own error', async () => {
    const guard = InputGuard.fromFile(DEFAULT_GUARD_REFERENCE).referenceFile;
    const pooled = await Promise.all(files.map((file) => pool.prepare({ file, preprocessing: IMAGENET_PREPROCESSING, guard })));
    expect(pool.threaded).toBe(true); // the worker path really ran
    for (const [i, file] of files.entries()) {
      const here = await prepareFile({ file, preprocessing: IMAGENET_PREPROCESSING, guard });
      const there = pooled[i]!;
      expect(there.ok, file).toBe(here.ok);
      if (here.ok && there.ok) {
        let differing = 0;
        for (let k = 0; k < here.modelImage.length; k++) if (here.modelImage[k] !== there.modelImage[k]) differing++;
        expect(differing, file).toBe(0);
        expect(there.header).toEqual(here.header);
        expect(there.geometry).toEqual(here.geometry);
        expect(there.guard).toEqual(here.guard);
        expect(Array.from(there.seen)).toEqual(Array.from(here.seen));
      } else if (!here.ok && !there.ok) {
        expect(there.error.code).toBe(here.error.code);
      }
    }
    expect(pooled.map((p) => (p.ok ? 'ok' : p.error.code))).toEqual(['ok', 'ok', 'ok', 'IMAGE_UNSUPPORTED_FORMAT', 'FILE_NOT_FOUND', 'ok']);
  });

  it('idle threads never hold the process open (a CLI whose model fails to load still exits)', async () => {
    const pool = new URL('./prepare-pool.ts', import.meta.url).href;
    const child = spawn(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { PreparePool } from ${JSON.stringify(pool)}; new PreparePool(2).warm();`,
    ]);
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000); // a hang is the bug; the bound is generous
    const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(signal ?? c)));
    clearTimeout(killer);
    expect(code).toBe(0);
  });

  it('spreads queued files over every ready thread', async () => {
    const spread = new PreparePool(2);
    spread.warm();
    const deadline = Date.now() + 60_000; // a hang is the bug; the bound is generous
    while (spread.readyThreads < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(spread.readyThreads).toBe(2);
    const guard = InputGuard.fromFile(DEFAULT_GUARD_REFERENCE).referenceFile;
    const file = shared('cxr', 'images256', '00000574_000.png');
    const jobs = Array.from({ length: 8 }, () => spread.prepare({ file, preprocessing: IMAGENET_PREPROCESSING, guard }));
    expect(spread.inFlight).toEqual([4, 4]);
    expect((await Promise.all(jobs)).every((p) => p.ok)).toBe(true);
    await spread.close();
  });

  it('sizes itself to the cores inference leaves, never below one', () => {
    expect(PreparePool.sizeFor(1_000)).toBe(1);
    expect(PreparePool.sizeFor(undefined)).toBe(1);
  });
});

describe('Engine over the pool', () => {
  /** The reference tiny DenseNet (64², three labels) on onnxruntime, one thread. */
  const tinyEngine = async (): Promise<Engine> => {
    const labels = join(mkdtempSync(join(tmpdir(), 'denseray-labels-')), 'labels.json');
    writeFileSync(labels, JSON.stringify(['A', 'B', 'C']));
    const { manifest, weights } = loadForeignWeights({ file: shared('reference', 'tiny-densenet.safetensors'), labels, inputSize: 64 });
    const runtime = await ModelRuntime.create(manifest, weights, { backend: 'onnx', threads: 1 });
    return new Engine(runtime, InputGuard.fromFile(DEFAULT_GUARD_REFERENCE));
  };

  it('streams results in input order, one error result per bad file, across batches', async () => {
    const engine = await tinyEngine();
    const good = ['00000284_000.png', '00000574_000.png', '00000801_000.png'].map((n) => shared('cxr', 'images256', n));
    const files = [good[0]!, '/nonexistent/a.png', good[1]!, good[2]!, '/nonexistent/b.png', good[0]!, good[1]!];
    const order: number[] = [];
    const results = await engine.classifyFiles(files, { batchSize: 2, onResult: (_r: FileResult, i) => order.push(i) });
    await engine.dispose();
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results.map((r) => r.file)).toEqual(files);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, true, false, true, true]);
    // The same file gives the same probabilities wherever it sits in the batches.
    const p = (i: number): Record<string, number> =>
      results[i]!.ok ? (results[i] as Extract<FileResult, { ok: true }>).prediction.probabilities : {};
    expect(p(5)).toEqual(p(0));
    expect(p(6)).toEqual(p(2));
  });

  it('lone studies in turn and at once (prepared on this thread, their buffers reused) score as in a batch', async () => {
    const engine = await tinyEngine();
    const files = [
      shared('cxr', 'images', '00000284_000.png'),
      shared('cxr', 'images256', '00000574_000.png'),
      shared('cxr', 'images', '00004599_000.png'),
    ];
    const batched = await engine.classifyFiles(files, { batchSize: 1, cams: true });
    // One after another, then all at once (their prepare and infer steps interleave on this thread).
    const lone: FileResult[] = [];
    for (const file of files) lone.push(...(await engine.classifyFiles([file], { cams: true })));
    lone.push(...(await Promise.all(files.map((file) => engine.classifyFiles([file], { cams: true })))).flat());
    await engine.dispose();
    const probabilities = (r: FileResult | undefined): Record<string, number> => (r?.ok ? r.prediction.probabilities : {});
    for (const [i, r] of lone.entries()) {
      expect(r.ok, r.file).toBe(true);
      expect(probabilities(r), r.file).toEqual(probabilities(batched[i % files.length]));
    }
    // Different films really score differently, so the comparison above can fail.
    expect(probabilities(batched[0])).not.toEqual(probabilities(batched[2]));
  });
});
