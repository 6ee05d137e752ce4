import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES, findingCode, PRIVATE_SCHEME } from '../../app/node/domain/dicom-net/codes.ts';
import { fileMetaBytes } from '../../app/node/domain/dicom-net/file-meta.ts';
import { retryDelay } from '../../app/node/domain/dicom-net/outbox.ts';
import { derivedUid, isValidUid } from '../../app/node/domain/dicom-net/uid.ts';
import { projectRoot, shared } from '../helpers/shared.ts';
import { tool } from './tools.ts';

/**
 * The pieces of the DICOM node that need no network, each against an independent reference:
 * every standard code against pydicom's copy of PS3.16, the File Meta group written for received
 * datasets against dcmdump and pydicom, UIDs against PS3.5's syntax, the back-off by hand.
 */
const catalogueLabels = (): string[] => {
  const catalogue = JSON.parse(readFileSync(join(projectRoot, 'models', 'catalogue', 'catalogue.json'), 'utf8')) as unknown;
  const labels = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      if (value.length > 5 && value.every((v) => typeof v === 'string')) {
        for (const v of value) if (v) labels.add(v);
      } else value.forEach(walk);
    } else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(catalogue);
  return [...labels];
};

describe('coded concepts', () => {
  it('every standard code DenseRay writes means exactly what PS3.16 says (pydicom), for every label of every catalogue model', async () => {
    const labels = catalogueLabels();
    expect(labels.length).toBeGreaterThanOrEqual(14);
    const codes = [...Object.values(CODES), ...labels.map(findingCode)].filter(
      (c) => (c.scheme === 'DCM' || c.scheme === 'SCT' || c.scheme === 'UCUM') && !(c.scheme === 'SCT' && c.value === '399208008'),
    );
    const script = `
import json, sys
from pydicom.sr._concepts_dict import concepts
out = []
for c in json.load(sys.stdin):
    meanings = sorted({codes[c['value']][0] for codes in concepts.get(c['scheme'], {}).values() if c['value'] in codes})
    out.append(meanings)
print(json.dumps(out))`;
    const dir = mkdtempSync(join(tmpdir(), 'denseray-codes-'));
    try {
      writeFileSync(join(dir, 'check.py'), script);
      writeFileSync(join(dir, 'codes.json'), JSON.stringify(codes));
      const result = await tool('/bin/sh', ['-c', `/usr/bin/python3 ${join(dir, 'check.py')} < ${join(dir, 'codes.json')}`]);
      expect(result.code, result.stderr).toBe(0);
      // Every entry PS3.16 has for the code says the same thing, and it is what DenseRay writes.
      const meanings = JSON.parse(result.stdout) as string[][];
      codes.forEach((c, i) => expect(meanings[i], `${c.scheme} ${c.value}`).toEqual([c.meaning]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('labels without a standard code get a stable private code (SH, ≤16 characters) named by the label', () => {
    const labels = catalogueLabels();
    expect(labels).toContain('Enlarged Cardiomediastinum');
    for (const label of labels) {
      const c = findingCode(label);
      if (c.scheme !== PRIVATE_SCHEME) continue;
      expect(c.value).toMatch(/^[A-Z0-9]{1,16}$/);
      expect(c.meaning).toBe(label.replaceAll('_', ' '));
      expect(findingCode(label)).toEqual(c);
    }
    expect(findingCode('Atelectasis')).toEqual({ value: 'ATELECTASIS', scheme: '99DENSERAY', meaning: 'Atelectasis' });
  });
});

describe('UIDs and back-off', () => {
  it('derived UIDs are valid PS3.5 UIDs under 2.25, the same for the same parts and different otherwise', () => {
    const a = derivedUid('sr', '1.2.3', 'sha');
    expect(isValidUid(a)).toBe(true);
    expect(a.startsWith('2.25.')).toBe(true);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(derivedUid('sr', '1.2.3', 'sha')).toBe(a);
    expect(derivedUid('sr', '1.2.3', 'other')).not.toBe(a);
    expect(isValidUid('1.2.03')).toBe(false);
    expect(isValidUid('../../etc')).toBe(false);
  });

  it('waits 2, 4, 8 … seconds between attempts, capped at 5 minutes', () => {
    expect([1, 2, 3, 4, 8, 9, 50].map((n) => retryDelay(n))).toEqual([2_000, 4_000, 8_000, 16_000, 256_000, 300_000, 300_000]);
  });
});

describe('the File Meta group written before a received dataset', () => {
  it('makes a Part 10 file dcmdump and pydicom read, with the command’s UIDs, the accepted syntax and the calling AE title', async () => {
    const source = readFileSync(shared('dicom', 'cxr_dx_mono2_12in16_implicit_le.dcm'));
    const dataset = source.subarray(144 + source.readUInt32LE(140)); // as it travels: no File Meta
    const meta = fileMetaBytes({
      sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
      sopInstanceUid: '2.25.7',
      transferSyntaxUid: '1.2.840.10008.1.2',
      sourceAeTitle: 'MODALITY',
    });
    const dir = mkdtempSync(join(tmpdir(), 'denseray-meta-'));
    try {
      const file = join(dir, 'received.dcm');
      writeFileSync(file, Buffer.concat([meta, dataset]));
      const dump = await tool('dcmdump', ['-M', file]);
      expect(dump.code, dump.stderr).toBe(0);
      expect(dump.stdout).toMatch(/\(0002,0003\) UI \[2\.25\.7\]/);
      expect(dump.stdout).toMatch(/\(0002,0010\) UI =LittleEndianImplicit/);
      expect(dump.stdout).toMatch(/\(0002,0016\) AE \[MODALITY\]/);
      const read = await tool('/usr/bin/python3', [
        '-c',
        `import pydicom,sys; d=pydicom.dcmread(sys.argv[1]); print(d.file_meta.TransferSyntaxUID, d.Rows, d.Columns, d.pixel_array.max())`,
        file,
      ]);
      expect(read.stdout.trim()).toBe('1.2.840.10008.1.2 1024 1024 3919');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
