import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRefusalSr } from '../../app/node/domain/dicom-net/sr-builder.ts';
import { readSourceHeaderFile } from '../../app/node/domain/dicom-net/source-header.ts';
import { shared } from '../helpers/shared.ts';
import { dicomNodeSkip } from './orthanc.ts';
import { dciodvfy, PRIVATE_SCHEME_WARNING, tool } from './tools.ts';

/**
 * The SR `listen --report-refusals` sends for an image it stored but did not assess (here the
 * corpus CT), judged by dicom3tools and dcmtk, not by DenseRay: a valid Comprehensive SR in the
 * CT's study that says it was not assessed, why, and that DenseRay is not a medical device.
 */
const skip = dicomNodeSkip('refusal SR');
const work = mkdtempSync(join(tmpdir(), 'denseray-refusal-sr-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(skip)('the refusal SR', () => {
  it('passes dciodvfy and dsrdump shows the reason, in the source study, referencing the source', async () => {
    const ct = shared('dicom', 'ct_small_mono2_16s_explicit_le.dcm');
    const source = readSourceHeaderFile(ct, ct);
    const producer = {
      model: {
        id: 'densenet121-test',
        name: 'test model',
        version: '1',
        sha256: 'a'.repeat(64),
        demo: false,
        backendDetail: 'onnxruntime-node cpu, default threads, int8 (integer network)',
        precision: 'int8',
      },
      device: { uid: '2.25.1234', name: 'DENSERAY' },
      createdAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    };
    const reason = 'modality CT is not a projection radiograph (CR or DX)';
    const sr = buildRefusalSr(source, producer, { code: 'MODALITY_NOT_SUPPORTED', reason });
    const file = join(work, 'refusal.sr.dcm');
    writeFileSync(file, sr.bytes);

    const verdict = await dciodvfy(file);
    expect(verdict.errors, verdict.output).toEqual([]);
    expect(
      verdict.warnings.filter((w) => !PRIVATE_SCHEME_WARNING.test(w)),
      verdict.output,
    ).toEqual([]);

    const dump = await tool('dsrdump', ['+Pl', file]);
    expect(dump.code, dump.stderr).toBe(0);
    expect(dump.stdout).toMatch(/Image not assessed"\)=\(373066001,SCT,"Yes"\)/);
    expect(dump.stdout).toContain(`MODALITY_NOT_SUPPORTED: ${reason}`);
    expect(dump.stdout).toMatch(/not a medical device/);
    expect(dump.stdout).not.toMatch(/Model output probability/);

    const studyOf = async (path: string) => (await tool('dcmdump', ['+P', '0020,000d', path])).stdout.match(/\[([0-9.]+)\]/)?.[1];
    expect(await studyOf(file)).toBe(await studyOf(ct));
    const evidence = await tool('dcmdump', ['+P', '0040,a375', '+P', '0008,1155', file]);
    expect(evidence.stdout).toContain(source.sopInstanceUid);
  });
});
