// bench/dicom: decode time of frame 0 of every `ok` file in the shared DICOM corpus, DenseRay
// (dicom-parser + wasm codecs) against pydicom 2.3 pixel_array (numpy / RLE / gdcm handlers) in the
// same run where Debian's python3-pydicom and python3-gdcm are installed. Files are read into memory
// first on both sides. Medians per file; the ratio uses only files both sides decode.
// Run: node --import tsx bench/dicom/run.ts [--rounds 5]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { decodeFrame, readDicom } from '../../app/node/domain/dicom/index.ts';
import { readManifest } from '../../test/helpers/dicom-manifest.ts';
import { shared } from '../../test/helpers/shared.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
const rounds = Number(values.rounds ?? 5);
const corpusDir = shared('dicom');
const files = readManifest(join(corpusDir, 'manifest.csv'))
  .filter((row) => row.expect === 'ok')
  .map((row) => row.file);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timeDenseRay(file: string): Promise<{ ms: number; firstMs: number }> {
  const bytes = new Uint8Array(readFileSync(join(corpusDir, file)));
  const times: number[] = [];
  for (let i = 0; i <= rounds; i++) {
    const start = performance.now();
    await decodeFrame(readDicom(bytes, file), 0);
    times.push(performance.now() - start);
  }
  return { firstMs: times[0]!, ms: median(times.slice(1)) };
}

function pydicomAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import pydicom'], { stdio: 'ignore' }).status === 0;
}

function timePydicom(): Record<string, { ms: number | null; error?: string }> | undefined {
  if (!pydicomAvailable()) return undefined;
  const script = join(dirname(fileURLToPath(import.meta.url)), 'pydicom_decode.py');
  const output = execFileSync('/usr/bin/python3', [script], {
    input: JSON.stringify({ dir: corpusDir, files, rounds }),
    maxBuffer: 16 << 20,
    encoding: 'utf8',
  });
  return JSON.parse(output) as Record<string, { ms: number | null; error?: string }>;
}

const ours: Record<string, { ms: number; firstMs: number }> = {};
for (const file of files) ours[file] = await timeDenseRay(file);
const theirs = timePydicom();
if (!theirs)
  process.stdout.write('pydicom not found at /usr/bin/python3 (apt-get install python3-pydicom python3-gdcm): pydicom column skipped\n');

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(1)).padStart(9);
process.stdout.write(
  `${pad('file', 48)} ${'first ms'.padStart(9)} ${'DenseRay'.padStart(9)} ${'pydicom'.padStart(9)} ${'ratio'.padStart(7)}\n`,
);
let oursTotal = 0;
let theirsTotal = 0;
for (const file of files) {
  const o = ours[file]!;
  const t = theirs?.[file];
  const both = t?.ms !== null && t?.ms !== undefined;
  if (both) {
    oursTotal += o.ms;
    theirsTotal += t.ms!;
  }
  const ratio = both ? (o.ms / t.ms!).toFixed(2).padStart(7) : t?.error ? '  n/a  ' : '';
  process.stdout.write(
    `${pad(file, 48)} ${num(o.firstMs)} ${num(o.ms)} ${num(t?.ms)} ${ratio}${t?.error ? `  pydicom: ${t.error}` : ''}\n`,
  );
}
const allOurs = files.reduce((sum, f) => sum + ours[f]!.ms, 0);
process.stdout.write(`\nDenseRay total (median per file, ${rounds} rounds): ${allOurs.toFixed(1)} ms over ${files.length} files\n`);
if (theirs) {
  process.stdout.write(
    `On the ${files.filter((f) => theirs[f]?.ms != null).length} files both decode: DenseRay ${oursTotal.toFixed(1)} ms, pydicom ${theirsTotal.toFixed(1)} ms, ratio DenseRay/pydicom = ${(oursTotal / theirsTotal).toFixed(2)} (below 1 = faster)\n`,
  );
}
