// bench/pacs: the DICOM round trip. A modality (dcmjs-dimse's C-STORE SCU, in this process) sends a
// full-size 16-bit DX to `denseray listen` (the real CLI in a child process) whose SR goes to a real
// Orthanc; each study's latency runs from the end of the C-STORE (its response) to the SR stored in
// Orthanc (the listener's delivery event, sent once Orthanc confirmed the C-STORE of the SR).
// Beside it, in the same run and on the same files, the bare classify time (AnalysisService in this
// process, CAMs on, as the listener runs it), interleaved study by study so load affects both alike;
// each study waits for the listener's last heatmap before the next bare classify starts, so neither
// is measured while the other works.
// Machines here are shared and noisy: only same-run ratios mean anything.
// Run: node --import tsx bench/pacs/run.ts [--count 50] [--size 2800x2304] [--threads n]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { dimse } from '../../app/node/domain/dicom-net/dimse.ts';
import { howItRan } from '../../app/node/domain/dicom-net/how-it-ran.ts';
import { createLocalAnalysis } from '../../app/node/services/analysis/local-analysis.ts';
import { Orthanc } from '../../test/dicom-node/orthanc.ts';
import { makeStudies } from '../../test/dicom-node/tools.ts';
import { projectRoot, shared } from '../../test/helpers/shared.ts';

const { values } = parseArgs({ options: { count: { type: 'string' }, size: { type: 'string' }, threads: { type: 'string' } } });
const count = Number(values.count ?? 50);
const size = values.size ?? '2800x2304';
const threads = values.threads ? Number(values.threads) : undefined;
const WARM_UP = 2;

const work = mkdtempSync(join(tmpdir(), 'denseray-bench-pacs-'));
const dataDir = join(work, 'data');

/** Full-size 16-bit DX studies from the NIH 1024-px films (upsampled), new UIDs each. */
async function studies(n: number) {
  const films = readdirSync(shared('cxr', 'images')).filter((f) => f.endsWith('.png')).length;
  const made = [];
  for (let offset = 0; made.length < n; offset += films) {
    const batch = Math.min(films, n - made.length);
    made.push(...(await makeStudies(join(work, `in-${offset}`), batch, { bits: 16, size, full: true, prefix: `B${offset}` })));
  }
  return made;
}

/** The end of a C-STORE, as the modality sees it: the moment its response arrives. */
function cStore(port: number, path: string): Promise<{ status: number; at: number }> {
  const { Client, requests } = dimse();
  return new Promise((resolve, reject) => {
    const client = new Client();
    const request = new requests.CStoreRequest(path);
    let answer: { status: number; at: number } | undefined;
    request.on('response', (response: { getStatus(): number }) => {
      answer = { status: response.getStatus(), at: performance.now() };
    });
    client.addRequest(request);
    client.on('networkError', reject);
    client.on('closed', () => (answer ? resolve(answer) : reject(new Error('no C-STORE response'))));
    client.send('127.0.0.1', port, 'BENCH', 'DENSERAY');
  });
}

interface Triaged {
  at: number;
  state: string;
  /** Findings at or above threshold: one heatmap Secondary Capture each. */
  flagged: number;
  timings: Record<string, number>;
}

/** `denseray listen --json`, with each stdout event stamped as it arrives. */
interface Listener {
  child: ChildProcess;
  port: number;
  /** When the listener said the image was triaged (its outcome and the classify timings). */
  triaged(sop: string): Promise<Triaged>;
  /** When the listener said Orthanc confirmed the image's SR. */
  srStored(sop: string): Promise<number>;
  /** When Orthanc confirmed the image's `count`th heatmap. */
  heatmapsStored(sop: string, count: number): Promise<number>;
}

/** Values that arrive once per key, awaited before or after they come. */
class Arrivals<T> {
  private readonly values = new Map<string, T>();
  private readonly waiters = new Map<string, (value: T) => void>();
  set(key: string, value: T): void {
    this.values.set(key, value);
    this.waiters.get(key)?.(value);
  }
  get(key: string): Promise<T> {
    const known = this.values.get(key);
    return known !== undefined ? Promise.resolve(known) : new Promise((resolve) => this.waiters.set(key, resolve));
  }
}

function startListener(peer: string): Promise<Listener> {
  const args = [join(projectRoot, 'bin', 'denseray.mjs'), 'listen', '--json', '--port', '0', '--bind', '127.0.0.1', '--allow', 'BENCH'];
  args.push('--send-to', peer, '--data-dir', dataDir, ...(threads ? ['--threads', String(threads)] : []));
  const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const triaged = new Arrivals<Triaged>();
  const srStored = new Arrivals<number>();
  const heatmapsStored = new Arrivals<number>();
  const heatmapCount = new Map<string, number>();
  let buffer = '';
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`listener exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const now = performance.now();
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const event = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
        buffer = buffer.slice(nl + 1);
        if (event.event === 'listening') {
          resolve({
            child,
            port: Number(event.port),
            triaged: (sop) => triaged.get(sop),
            srStored: (sop) => srStored.get(sop),
            heatmapsStored: (sop, count) => (count === 0 ? Promise.resolve(now) : heatmapsStored.get(`${sop}#${count}`)),
          });
        } else if (event.event === 'triaged') {
          triaged.set(String(event.sopInstanceUid), {
            at: now,
            state: String(event.state),
            flagged: Array.isArray(event.flagged) ? event.flagged.length : 0,
            timings: (event.timingsMs ?? {}) as Record<string, number>,
          });
        } else if (event.event === 'delivery' && event.kind === 'sr' && event.result === 'stored') {
          srStored.set(String(event.sourceSopInstanceUid), now);
        } else if (event.event === 'delivery' && event.kind === 'sc' && event.result === 'stored') {
          const sop = String(event.sourceSopInstanceUid);
          const n = (heatmapCount.get(sop) ?? 0) + 1;
          heatmapCount.set(sop, n);
          heatmapsStored.set(`${sop}#${n}`, now);
        }
      }
    });
  });
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};

const orthanc = await Orthanc.start();
try {
  console.log(`bench/pacs: ${count} studies of ${size} 16-bit DX (+${WARM_UP} warm-up), Orthanc ${orthanc.url}`);
  const all = await studies(count + WARM_UP);
  const analysis = createLocalAnalysis(dataDir);
  const model = await analysis.open(threads ? { threads } : {});
  console.log(`model ${model.name} (${model.sha256.slice(0, 12)}), ${howItRan(model)}`);
  const listener = await startListener(orthanc.peer);
  const bare: number[] = [];
  const roundTrip: number[] = [];
  const toTriaged: number[] = [];
  const triagedToSr: number[] = [];
  const toHeatmaps: number[] = [];
  let notReported = 0;
  const listenerClassify: number[] = [];
  for (const [i, study] of all.entries()) {
    const started = performance.now();
    const result = await analysis.classify([study.path], { cams: true, ...(threads ? { model: { threads } } : {}) });
    const bareMs = performance.now() - started;
    if (!result.results[0]?.ok) throw new Error(`bare classify failed on ${study.path}`);
    const stored = await cStore(listener.port, study.path);
    if (stored.status !== 0) throw new Error(`C-STORE answered 0x${stored.status.toString(16)}`);
    // A film the input guard doubts gets no report, by design: counted, not timed.
    const triaged = await listener.triaged(study.sop);
    if (triaged.state !== 'triaged') {
      console.warn(`  not reported (${triaged.state}): ${study.sop}`);
      if (i >= WARM_UP) notReported++;
      continue;
    }
    const srAt = await listener.srStored(study.sop);
    // The listener finishes its heatmaps before the next bare classify, so neither side runs beside the other's work.
    const heatmapsAt = await listener.heatmapsStored(study.sop, triaged.flagged);
    if (i < WARM_UP) continue;
    toHeatmaps.push(heatmapsAt - stored.at);
    bare.push(bareMs);
    roundTrip.push(srAt - stored.at);
    toTriaged.push(triaged.at - stored.at);
    triagedToSr.push(srAt - triaged.at);
    const t = triaged.timings;
    listenerClassify.push((t.decode ?? 0) + (t.preprocess ?? 0) + (t.infer ?? 0) + (t.cam ?? 0));
    if ((i - WARM_UP + 1) % 10 === 0) console.log(`  ${i - WARM_UP + 1}/${count}`);
  }
  const srs = await orthanc.find({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.33' });
  if (srs.length !== bare.length + WARM_UP)
    console.warn(`Orthanc holds ${srs.length} SRs for ${bare.length} timed and ${WARM_UP} warm-up studies`);
  console.log(`${bare.length} studies timed${notReported ? `; ${notReported} not reported (the input guard doubted them)` : ''}`);
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(44)} median ${quantile(xs, 0.5).toFixed(0).padStart(5)} ms   p95 ${quantile(xs, 0.95).toFixed(0).padStart(5)} ms`;
  console.log(row('bare classify (decode → CAMs, in process)', bare));
  console.log(row('end of C-STORE → SR stored in Orthanc', roundTrip));
  console.log(row('  of which: end of C-STORE → triaged', toTriaged));
  console.log(row("  of which: the listener's own classify", listenerClassify));
  console.log(row('  of which: triaged → SR stored in Orthanc', triagedToSr));
  console.log(row('end of C-STORE → last heatmap stored', toHeatmaps));
  const overhead = quantile(roundTrip, 0.5) / quantile(bare, 0.5) - 1;
  console.log(
    `round trip adds ${(overhead * 100).toFixed(0)}% to bare classify at the median (goal ≤ 30%); p95 ratio ${(quantile(roundTrip, 0.95) / quantile(bare, 0.95)).toFixed(2)}×`,
  );
  listener.child.kill('SIGINT');
  analysis.close();
} finally {
  await orthanc.remove();
  rmSync(work, { recursive: true, force: true });
}
