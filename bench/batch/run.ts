// bench/batch: offline batch triage end to end (the real CLI in a child process: walk, import,
// decode, preprocess, infer, CAM, guard, store) over every shared NIH image and every DICOM corpus
// file with expect=ok, beside, in the same run, the engine's bare batch throughput (backend.run on
// batches preprocessed beforehand) and PyTorch's (DataLoader + densenet121, same weights).
// Prints studies/s, ratios and the child's RSS (after 100 studies, peak, end). Machines here are
// shared and noisy: only same-run ratios mean anything.
// Each inference-thread count in --threads runs all three: with every core given to inference,
// decoding has no idle core to overlap onto and costs its CPU time; with a core left free it
// overlaps. Extra distinct studies (NIH 256-px PNGs with a tEXt chunk added, so other bytes, same
// pixels) bring the run past 1000 studies for the memory check.
// Run: node --import tsx bench/batch/run.ts [--threads 2,1] [--copies 528] [--bare-images 160] [--no-torch]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openEngine } from '../../app/node/domain/engine/open-engine.ts';
import { inputLength, preprocess } from '../../app/node/domain/imaging/preprocess.ts';
import { loadInput } from '../../app/node/domain/input/load-input.ts';
import { DEMO_MODEL_ID, ModelStore } from '../../app/node/domain/store/model-store.ts';
import { projectRoot, shared } from '../../test/helpers/shared.ts';

const { values } = parseArgs({
  options: { threads: { type: 'string' }, copies: { type: 'string' }, 'bare-images': { type: 'string' }, 'no-torch': { type: 'boolean' } },
});
const threadCounts = (values.threads ?? '2,1').split(',').map(Number);
const copies = Number(values.copies ?? 528);
const bareImages = Number(values['bare-images'] ?? 160);
const BATCH = 8;

// Inputs: NIH 256-px and full-size PNGs, DICOM ok-files, as links in one folder tree.
const input = mkdtempSync(join(tmpdir(), 'denseray-bench-batch-in-'));
const pngFiles: string[] = [];
for (const folder of ['images256', 'images']) {
  mkdirSync(join(input, folder));
  for (const name of readdirSync(shared('cxr', folder)).sort()) {
    symlinkSync(join(shared('cxr', folder), name), join(input, folder, name));
    pngFiles.push(join(input, folder, name));
  }
}
mkdirSync(join(input, 'copies'));
const small = readdirSync(shared('cxr', 'images256')).sort();
for (let i = 0; i < copies; i++) {
  const name = small[i % small.length]!;
  const path = join(input, 'copies', `${i}-${name}`);
  writeFileSync(path, withTextChunk(readFileSync(shared('cxr', 'images256', name)), `denseray bench copy ${i}`));
  pngFiles.push(path);
}
mkdirSync(join(input, 'dicom'));
const okDicom = readFileSync(shared('dicom', 'manifest.csv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.split(',')[1] === 'ok')
  .map((l) => l.split(',')[0]!);
for (const name of okDicom) symlinkSync(shared('dicom', name), join(input, 'dicom', name));
const modelDir = mkdtempSync(join(tmpdir(), 'denseray-bench-batch-model-'));
const demo = new ModelStore(modelDir).ensureDemo();
const weights = join(demo.dir, demo.manifest.weights.file);
process.stdout.write(
  `inputs: ${pngFiles.length} PNGs (${copies} of them re-chunked copies) + ${okDicom.length} DICOM ok-files; model ${DEMO_MODEL_ID}; batch ${BATCH}\n`,
);

/** The same PNG with a tEXt chunk before IEND: other bytes (another study), same pixels. */
function withTextChunk(png: Buffer, text: string): Buffer {
  const body = Buffer.concat([Buffer.from('tEXt'), Buffer.from(`Comment\0${text}`, 'latin1')]);
  const chunk = Buffer.alloc(body.length + 8);
  chunk.writeUInt32BE(body.length - 4, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), body.length + 4);
  return Buffer.concat([png.subarray(0, png.length - 12), chunk, png.subarray(png.length - 12)]);
}

/** Bare engine: backend.run over batches preprocessed beforehand (nothing but inference is timed). */
async function bareThroughput(threads: number): Promise<number> {
  const engine = await openEngine({ dataDir: modelDir, backend: 'onnx', threads });
  const p = engine.runtime.manifest.preprocessing;
  const per = inputLength(p);
  const batches: Float32Array[] = [];
  for (let b = 0; b < bareImages / BATCH; b++) {
    const x = new Float32Array(per * BATCH);
    for (let i = 0; i < BATCH; i++) preprocess((await loadInput(pngFiles[(b * BATCH + i) % pngFiles.length]!)).image, p, x, i * per);
    batches.push(x);
  }
  await engine.runtime.backend.run(batches[0]!, BATCH);
  const t0 = performance.now();
  for (const x of batches) await engine.runtime.backend.run(x, BATCH);
  const seconds = (performance.now() - t0) / 1000;
  await engine.dispose();
  return (batches.length * BATCH) / seconds;
}

interface EndToEnd {
  studies: number;
  classified: number;
  wallSeconds: number;
  steadyRate: number;
  rssAfter100MiB: number;
  peakRssMiB: number;
  endRssMiB: number;
}

/** The CLI batch in a child process; RSS from /proc, progress from the store. */
async function endToEnd(threads: number): Promise<EndToEnd> {
  // A fresh store (and its own copy of the demo model) per run: nothing is already classified.
  const dataDir = mkdtempSync(join(tmpdir(), 'denseray-bench-batch-data-'));
  new ModelStore(dataDir).ensureDemo();
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      join(projectRoot, 'bin', 'denseray.mjs'),
      'batch',
      input,
      '--data-dir',
      dataDir,
      '--backend',
      'onnx',
      '--workers',
      String(threads),
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  let rssAfter100 = 0;
  let peak = 0;
  let last = 0;
  const db = (): Database.Database | undefined => {
    try {
      return new Database(join(dataDir, 'studies.sqlite'), { readonly: true, fileMustExist: true });
    } catch {
      return undefined;
    }
  };
  const sampler = setInterval(() => {
    const rss = rssMiB(child.pid!);
    if (rss === undefined) return;
    last = rss;
    peak = Math.max(peak, rss);
    if (rssAfter100 === 0) {
      const d = db();
      let n = 0;
      try {
        n = d ? Number(d.prepare('SELECT count(*) FROM results').pluck().get()) : 0;
      } catch {
        // the batch has not created its tables yet
      }
      d?.close();
      if (n >= 100) rssAfter100 = rss;
    }
  }, 100);
  await new Promise((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  const wallSeconds = (performance.now() - t0) / 1000;
  const summary = JSON.parse(stdout) as { job: { counts: { studies: number; failed: number } } };
  const d = db()!;
  // Steady state: first stored result to last (start-up, walk and model load excluded).
  const span = d.prepare('SELECT min(created_at) AS a, max(created_at) AS b, count(*) AS n, sum(ok) AS ok FROM results').get() as {
    a: number;
    b: number;
    n: number;
    ok: number;
  };
  d.close();
  return {
    studies: summary.job.counts.studies,
    classified: span.ok,
    wallSeconds,
    steadyRate: (span.n - 1) / ((span.b - span.a) / 1000),
    rssAfter100MiB: rssAfter100,
    peakRssMiB: peak,
    endRssMiB: last,
  };
}

function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function torchThroughput(threads: number): { rate: number; peakRssMiB: number } | undefined {
  if (values['no-torch'] || spawnSync('/usr/bin/python3', ['-c', 'import torch, torchvision, PIL'], { stdio: 'ignore' }).status !== 0)
    return undefined;
  const listing = join(modelDir, 'torch-files.txt');
  writeFileSync(listing, pngFiles.join('\n'));
  const script = fileURLToPath(new URL('./torch_batch.py', import.meta.url));
  const run = spawnSync('/usr/bin/python3', [script, weights, String(threads), listing], { encoding: 'utf8' });
  if (run.status !== 0) {
    process.stdout.write(`PyTorch run failed: ${run.stderr}\n`);
    return undefined;
  }
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { images: number; seconds: number; peakRssMiB: number };
  return { rate: out.images / out.seconds, peakRssMiB: out.peakRssMiB };
}

const report: string[] = [];
for (const threads of threadCounts) {
  const bareBefore = await bareThroughput(threads);
  process.stdout.write(`${threads} thread(s): bare engine ${bareBefore.toFixed(2)} img/s\n`);
  const e2e = await endToEnd(threads);
  process.stdout.write(
    `${threads} thread(s): end to end ${e2e.studies} studies (${e2e.classified} classified) in ${e2e.wallSeconds.toFixed(1)} s\n`,
  );
  const torch = torchThroughput(threads);
  if (torch) process.stdout.write(`${threads} thread(s): pytorch ${torch.rate.toFixed(2)} img/s\n`);
  const bareAfter = await bareThroughput(threads);
  const bare = (bareBefore + bareAfter) / 2;
  const wallRate = e2e.studies / e2e.wallSeconds;
  report.push(`
batch triage, DenseNet-121 224², ${threads} inference thread(s) on ${cpus().length} cores, batch ${BATCH}
  bare engine (backend.run, preprocessed)  ${bare.toFixed(2)} img/s   (before ${bareBefore.toFixed(2)}, after ${bareAfter.toFixed(2)})
  end to end, steady state                 ${e2e.steadyRate.toFixed(2)} studies/s
  end to end, wall (start-up, walk incl.)  ${wallRate.toFixed(2)} studies/s over ${e2e.studies} studies
  PyTorch DataLoader + densenet121         ${torch ? `${torch.rate.toFixed(2)} img/s (PNGs only, 1 loader worker; peak RSS ${torch.peakRssMiB.toFixed(0)} MiB)` : 'n/a'}
ratios
  end to end (steady) / bare engine        ${(e2e.steadyRate / bare).toFixed(2)}   (goal ≥ 0.90)
  end to end (wall) / bare engine          ${(wallRate / bare).toFixed(2)}
  end to end (steady) / PyTorch            ${torch ? (e2e.steadyRate / torch.rate).toFixed(2) : 'n/a'}   (goal ≥ 1.5)
memory (batch process RSS)
  after 100 studies ${e2e.rssAfter100MiB.toFixed(0)} MiB, peak ${e2e.peakRssMiB.toFixed(0)} MiB, at the end ${e2e.endRssMiB.toFixed(0)} MiB   (goal: flat after 100)
`);
}
process.stdout.write(report.join(''));
