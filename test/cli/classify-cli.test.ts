import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, readNpy } from '../helpers/npy.ts';
import { runCli } from '../helpers/run-cli.ts';
import { shared } from '../helpers/shared.ts';

const work = mkdtempSync(join(tmpdir(), 'denseray-cli-'));
const labels = join(work, 'labels.json');
writeFileSync(labels, JSON.stringify(['a', 'b', 'c']));
const png = shared('reference', 'inputs', '00000284_000.png');
const ct = shared('dicom', 'ct_small_mono2_16s_explicit_le.dcm');
const missing = join(work, 'nope.png');
const tinyProbs = readNpy(shared('reference', 'refs', 'tiny.00000284_000.probs.npy')).data;

interface ClassifyJson {
  model: Record<string, unknown>;
  results: (
    | { file: string; ok: true; probabilities: Record<string, number>; guard: Record<string, unknown> }
    | { file: string; ok: false; error: { code: string; message: string } }
  )[];
}

describe('denseray classify', () => {
  it.each(['onnx', 'tfjs'])(
    '--json with --weights (%s): exact shape, input order, PyTorch parity, coded errors, exit 1',
    async (backend) => {
      const run = await runCli(
        [
          'classify',
          png,
          missing,
          ct,
          '--weights',
          shared('reference', 'tiny-densenet.pth'),
          '--labels',
          labels,
          '--size',
          '64',
          '--backend',
          backend,
          '--json',
        ],
        { dataDir: join(work, `data-${backend}`) },
      );
      expect(run.code).toBe(1);
      const out = JSON.parse(run.stdout) as ClassifyJson;
      expect(Object.keys(out).sort()).toEqual(['model', 'results']);
      expect(Object.keys(out.model).sort()).toEqual(['arch', 'backend', 'demo', 'id', 'precision', 'sha256']);
      expect(out.model).toMatchObject({ arch: 'custom', demo: false, backend, precision: 'fp32' });
      expect(out.results.map((r) => r.file)).toEqual([png, missing, ct]);
      const [first, second, third] = out.results;
      if (!first?.ok) throw new Error('first file should classify');
      expect(Object.keys(first).sort()).toEqual(['file', 'guard', 'ok', 'probabilities']);
      expect(Object.keys(first.guard).sort()).toEqual(['reason', 'score', 'suspect']);
      expect(
        maxAbsDiff(
          ['a', 'b', 'c'].map((l) => first.probabilities[l]!),
          tinyProbs,
        ),
      ).toBeLessThan(2e-3);
      expect(second).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
      expect(third).toMatchObject({ ok: false, error: { code: 'MODALITY_NOT_SUPPORTED' } });
    },
  );

  it('uses the untrained demo model by default and says so in the table', async () => {
    const run = await runCli(['classify', png, '--top', '2'], { dataDir: join(work, 'data-demo') });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('UNTRAINED DEMO');
    expect(run.stdout).toContain('not a medical device');
    expect(run.stdout).toMatch(/00000284_000\.png\s+-?\d\.\d{3}\s+\w+ \d\.\d{3}/);
  });

  it('refuses a hostile pickle with WEIGHTS_UNSAFE and exit 3, executing nothing', async () => {
    const marker = join(work, 'pwned');
    const cmd = `touch ${marker}`;
    // A legacy (pre-1.6) .pth: the magic-number, protocol and sys_info pickles, then a main pickle
    // that calls os.system — GLOBAL, a string argument, TUPLE1, REDUCE, STOP.
    const legacyHeader = Buffer.from([
      0x80,
      0x02,
      0x8a,
      0x0a,
      0x6c,
      0xfc,
      0x9c,
      0x46,
      0xf9,
      0x20,
      0x6a,
      0xa8,
      0x50,
      0x19,
      0x2e, // magic 0x1950a86a20f9469cfc6c
      0x80,
      0x02,
      0x4d,
      0xe9,
      0x03,
      0x2e, // protocol version 1001
    ]);
    const sysInfo = Buffer.concat([
      Buffer.from([0x80, 0x02, 0x7d, 0x28, 0x58, 13, 0, 0, 0]),
      Buffer.from('little_endian'),
      Buffer.from([0x88, 0x75, 0x2e]),
    ]); // {'little_endian': True}
    const payload = Buffer.concat([
      Buffer.from([0x80, 0x02]),
      Buffer.from('cos\nsystem\n', 'latin1'),
      Buffer.from([0x58]),
      Buffer.from(Uint32Array.of(cmd.length).buffer),
      Buffer.from(cmd),
      Buffer.from([0x85, 0x52, 0x2e]),
    ]);
    const hostile = Buffer.concat([legacyHeader, sysInfo, payload]);
    const file = join(work, 'hostile.pth');
    writeFileSync(file, hostile);
    const run = await runCli(['classify', png, '--weights', file, '--json'], { dataDir: join(work, 'data-hostile') });
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'WEIGHTS_UNSAFE' } });
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });

  it('rejects unknown options with exit 2 and prints help on --help', async () => {
    const bad = await runCli(['classify', png, '--frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Usage: denseray classify');
    const help = await runCli(['classify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--heatmaps');
  });
});
