import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../app/common/errors.ts';
import { decodeFrame, readDicom } from '../../app/node/domain/dicom/index.ts';
import { DenseRayError } from '../../app/node/shared/errors.ts';
import { shared } from '../helpers/shared.ts';
import { implicitLabelledExplicit, nestedSequences, unclosedSequence, validFilm, withUs } from './dicom-cases.ts';
import { MUTATIONS, mutate, seededRandom, type Mutation } from './dicom-mutator.ts';

/** Reads and decodes frame 0 as classify does; the coded error, or 'ok'. Anything not a DenseRayError is rethrown. */
async function outcome(bytes: Uint8Array, source: string): Promise<{ code: string; message: string }> {
  try {
    await decodeFrame(readDicom(bytes, source), 0);
    return { code: 'ok', message: '' };
  } catch (error) {
    if (error instanceof DenseRayError) return { code: error.code, message: error.message };
    throw error;
  }
}

describe('DICOM errors name what is actually wrong, with the tag', () => {
  it('the generated film itself reads (the control)', async () => {
    expect((await outcome(validFilm(), 'film.dcm')).code).toBe('ok');
  });

  it('a never-closed undefined-length sequence: DICOM_TRUNCATED naming the sequence (was DICOM_NO_PIXEL_DATA)', async () => {
    const { code, message } = await outcome(unclosedSequence(), 'unclosed.dcm');
    expect(code).toBe('DICOM_TRUNCATED');
    expect(message).toMatch(/never closed/);
    expect(message).toContain('(0008,1140)');
  });

  it('20,000 nested sequences behind a DICM preamble: DICOM_MALFORMED naming the outer sequence (was NOT_DICOM)', async () => {
    const started = Date.now();
    const { code, message } = await outcome(nestedSequences(20_000), 'nested.dcm');
    expect(code).toBe('DICOM_MALFORMED');
    expect(message).toContain('(0040,A730)');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('an implicit-VR dataset labelled Explicit VR LE: DICOM_MALFORMED naming (0002,0010) (was DICOM_TRUNCATED)', async () => {
    const { code, message } = await outcome(implicitLabelledExplicit(), 'relabelled.dcm');
    expect(code).toBe('DICOM_MALFORMED');
    expect(message).toContain('(0002,0010) TransferSyntaxUID');
    expect(message).toMatch(/implicit VR/);
  });

  it('Columns = 0 names (0028,0011) Columns, Rows = 0 names (0028,0010) Rows', async () => {
    const columns = await outcome(withUs(0x0028, 0x0011, 0), 'columns0.dcm');
    expect(columns.code).toBe('DICOM_DECODE_FAILED');
    expect(columns.message).toContain('(0028,0011) Columns');
    const rows = await outcome(withUs(0x0028, 0x0010, 0), 'rows0.dcm');
    expect(rows.message).toContain('(0028,0010) Rows');
  });
});

/** Corpus files small enough to mutate by the hundred on a loaded 2-core machine, plus the implicit-VR film. */
function corpus(): { name: string; bytes: Uint8Array }[] {
  const dir = shared('dicom');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.dcm'))
    .filter((name) => statSync(join(dir, name)).size <= 250_000 || name === 'cxr_dx_mono2_12in16_implicit_le.dcm')
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
}

const MUTANTS = 280;
const SEED = Number(process.env.DENSERAY_FUZZ_SEED ?? 13);
const PER_FILE_MS = 5_000;

describe(`corpus fuzz: ${MUTANTS} seeded mutants (seed ${SEED}; DENSERAY_FUZZ_SEED to vary)`, () => {
  it('every mutant is answered with ok or a code of the closed set, never INTERNAL, each within the bound', async () => {
    const files = corpus();
    expect(files.length).toBeGreaterThan(20);
    const random = seededRandom(SEED);
    const tally = new Map<string, number>();
    const byMutation = new Map<Mutation, number>(MUTATIONS.map((m) => [m, 0]));
    const failures: string[] = [];
    let slowest = 0;
    for (let i = 0; i < MUTANTS; i++) {
      const base = files[Math.floor(random() * files.length)]!;
      const { bytes, mutation, what } = mutate(base.bytes, random);
      byMutation.set(mutation, byMutation.get(mutation)! + 1);
      const started = Date.now();
      let code: string;
      try {
        code = (await outcome(bytes, `mutant-${i}`)).code;
      } catch (error) {
        code = `THROWN ${(error as Error)?.constructor?.name}: ${String((error as Error)?.message ?? error).slice(0, 120)}`;
      }
      const ms = Date.now() - started;
      slowest = Math.max(slowest, ms);
      tally.set(code, (tally.get(code) ?? 0) + 1);
      const legal = code === 'ok' || (ErrorCode.safeParse(code).success && code !== 'INTERNAL');
      if (!legal || ms > PER_FILE_MS) failures.push(`#${i} ${base.name} ${mutation} (${what}): ${code} in ${ms} ms`);
    }
    console.log(
      `fuzz seed ${SEED}: ${JSON.stringify(Object.fromEntries(tally))}; mutations ${JSON.stringify(Object.fromEntries(byMutation))}; slowest ${slowest} ms`,
    );
    expect(failures).toEqual([]);
  }, 240_000);
});
