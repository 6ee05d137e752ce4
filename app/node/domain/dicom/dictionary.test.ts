// The tag names the browser and `dicom info` show come from a maintained dictionary (dcmjs); this
// checks them against another maintained one, pydicom's, for every element of the DICOM corpus.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { dictionaryEntry } from './dictionary.ts';
import { readDicom } from './read-dicom.ts';

const PYTHON = '/usr/bin/python3';
const havePydicom = existsSync(PYTHON) && execFileSync(PYTHON, ['-c', 'import pydicom; print(1)'], { encoding: 'utf8' }).trim() === '1';

/** pydicom's keyword and VR for each '(GGGG,EEEE)' tag ('' where it has none). */
function pydicomEntries(tags: string[]): Record<string, { keyword: string; vr: string }> {
  const script = `
import json, sys
from pydicom.datadict import keyword_for_tag, dictionary_VR
out = {}
for t in json.load(sys.stdin):
    tag = int(t[1:5] + t[6:10], 16)
    try:
        vr = dictionary_VR(tag)
    except KeyError:
        vr = ''
    out[t] = {'keyword': keyword_for_tag(tag) or '', 'vr': vr}
print(json.dumps(out))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(tags), encoding: 'utf8' })) as Record<
    string,
    { keyword: string; vr: string }
  >;
}

describe.skipIf(!havePydicom)('the data dictionary', () => {
  const files = readdirSync(shared('dicom')).filter((f) => f.endsWith('.dcm'));
  const listed = files.flatMap((file) => {
    try {
      return readDicom(new Uint8Array(readFileSync(shared('dicom', file))), file).tags();
    } catch {
      return []; // the corpus's broken files are for other tests
    }
  });

  it('names every public tag of the corpus as pydicom does, and lists no item or delimiter', () => {
    const publicTags = [...new Set(listed.map((t) => t.tag))].filter((t) => Number.parseInt(t.slice(1, 5), 16) % 2 === 0);
    expect(publicTags.length).toBeGreaterThan(100);
    // The ones the old hand-kept list missed, which a reader of CR/DX headers meets every day.
    const everyday = ['(0008,2112)', '(0018,1400)', '(0018,6000)', '(0018,1164)'];
    const reference = pydicomEntries([...publicTags, ...everyday]);
    const named = publicTags.filter((t) => reference[t]!.keyword !== '');
    for (const t of everyday) expect(dictionaryEntry(`x${t.slice(1, 5)}${t.slice(6, 10)}`)?.name, t).toBe(reference[t]!.keyword);
    const nameOf = (t: string): string | undefined => listed.find((l) => l.tag === t)!.name?.replace(/ \(retired\)$/, '');
    const mismatched = named.filter((t) => nameOf(t) !== reference[t]!.keyword);
    expect(mismatched.map((t) => `${t}: ${nameOf(t)} vs ${reference[t]!.keyword}`)).toEqual([]);
    expect(listed.filter((t) => t.tag.startsWith('(FFFE,'))).toEqual([]);
  });

  it('gives implicit-VR elements the dictionary VR pydicom would use', () => {
    const implicit = readDicom(new Uint8Array(readFileSync(shared('dicom', 'cxr_dx_mono2_12in16_implicit_le.dcm'))), 'implicit.dcm').tags();
    const reference = pydicomEntries(implicit.map((t) => t.tag));
    for (const t of implicit) {
      const vr = reference[t.tag]!.vr;
      if (vr === '' || vr.includes(' or ')) continue; // context-dependent in the standard itself
      expect(t.vr, t.tag).toBe(vr);
    }
  });

  it('names private creators and leaves other private tags unnamed', () => {
    expect(dictionaryEntry('x00090010')).toEqual({ vr: 'LO', name: 'PrivateCreator' });
    expect(dictionaryEntry('x00091001')).toBeUndefined();
    expect(dictionaryEntry('x60023000')?.name).toBe('OverlayData'); // a repeating group
  });
});
