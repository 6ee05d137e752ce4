import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { dicomCommand } from '../../../cli/commands/dicom.ts';
import { ExitCode } from '../../../cli/command.ts';

function capture() {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  return { out: () => stdout, err: () => stderr };
}

afterEach(() => vi.restoreAllMocks());

describe('denseray dicom', () => {
  it('info --json prints typed metadata and the frame-0 stored statistics', async () => {
    const io = capture();
    const code = await dicomCommand.run(['info', shared('dicom', 'cxr_dx_mono2_12_rle.dcm'), '--json']);
    expect(code).toBe(ExitCode.ok);
    const result = JSON.parse(io.out());
    expect(result).toMatchObject({ ok: true, frame: 0, meta: { modality: 'DX', rows: 1024, transferSyntaxUid: '1.2.840.10008.1.2.5' } });
    expect(result.stored).toEqual({
      min: 0,
      max: 3919,
      mean: 2806.4032,
      sha256: 'd25ef6424139dcf7516a6efeafa91ba88a538ac16934b5a17c0b15754a521547',
    });
  });

  it('info --json --frame picks a frame and reports an out-of-range one as an error', async () => {
    let io = capture();
    expect(await dicomCommand.run(['info', shared('dicom', 'mr_mono2_12_rle_10frames.dcm'), '--json', '--frame', '9'])).toBe(ExitCode.ok);
    expect(JSON.parse(io.out()).frame).toBe(9);
    vi.restoreAllMocks();
    io = capture();
    expect(await dicomCommand.run(['info', shared('dicom', 'mr_mono2_12_rle_10frames.dcm'), '--json', '--frame', '10'])).toBe(
      ExitCode.failure,
    );
    expect(JSON.parse(io.out())).toMatchObject({ ok: false, error: { code: 'DICOM_FRAME_OUT_OF_RANGE' } });
  });

  it('info --json reports a typed error and exits non-zero', async () => {
    const io = capture();
    expect(await dicomCommand.run(['info', shared('dicom', 'not_dicom_png_renamed.dcm'), '--json'])).toBe(ExitCode.failure);
    expect(JSON.parse(io.out())).toMatchObject({ ok: false, error: { code: 'NOT_DICOM' } });
  });

  it('info prints a readable summary and the tags', async () => {
    const io = capture();
    expect(await dicomCommand.run(['info', shared('dicom', 'ct_small_mono2_16s_explicit_le.dcm')])).toBe(ExitCode.ok);
    expect(io.out()).toContain('Transfer syntax   Explicit VR Little Endian');
    expect(io.out()).toContain('MODALITY_NOT_SUPPORTED');
    expect(io.out()).toMatch(/\(0010,0010\) PN PatientName/);
  });

  it('render writes a PNG, with --window', async () => {
    const io = capture();
    const out = join(mkdtempSync(join(tmpdir(), 'denseray-dicom-')), 'ct.png');
    expect(
      await dicomCommand.run(['render', shared('dicom', 'ct_small_mono2_16s_explicit_le.dcm'), '--out', out, '--window', '40,400']),
    ).toBe(ExitCode.ok);
    expect(io.out()).toContain('wrote');
    const png = PNG.sync.read(readFileSync(out));
    expect([png.width, png.height]).toEqual([128, 128]);
  });

  it('rejects bad usage with exit code 2 and prints help on --help', async () => {
    let io = capture();
    expect(await dicomCommand.run(['render', shared('dicom', 'ct_small_mono2_16s_explicit_le.dcm')])).toBe(ExitCode.usage);
    expect(await dicomCommand.run(['render', 'x.dcm', '--out', 'y.png', '--window', '40'])).toBe(ExitCode.usage);
    expect(await dicomCommand.run(['frobnicate'])).toBe(ExitCode.usage);
    expect(io.err()).toContain('Usage:');
    vi.restoreAllMocks();
    io = capture();
    expect(await dicomCommand.run(['info', '--help'])).toBe(ExitCode.ok);
    expect(io.out()).toContain('denseray dicom info');
  });

  it('reports a missing file as FILE_NOT_FOUND', async () => {
    const io = capture();
    expect(await dicomCommand.run(['info', '/nonexistent/x.dcm', '--json'])).toBe(ExitCode.failure);
    expect(JSON.parse(io.out())).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
  });
});
