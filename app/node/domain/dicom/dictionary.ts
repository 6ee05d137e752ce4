import { createRequire } from 'node:module';

/**
 * The DICOM data dictionary (PS3.6): names and VRs of every standard attribute, including
 * repeating groups such as (60xx,3000). It comes from dcmjs, whose maintainers regenerate it from
 * each edition of the standard, so it is never a hand-kept list that misses (0018,1400). It names
 * tags in the tag browser and `dicom info`, names the culprit tag in parse errors, and gives VRs
 * to implicit-VR datasets. Unknown (private) tags are shown without a name, never dropped.
 */
interface DcmjsEntry {
  tag: string;
  vr: string;
  name: string;
}
type DcmjsDictionary = Readonly<Record<string, DcmjsEntry | undefined>>;

let dictionary: DcmjsDictionary | undefined;

/**
 * dcmjs's CommonJS build, loaded on the first lookup (≈0.3 s): most processes that parse DICOM
 * (the engine, `classify`) never name a tag, and should not pay for the dictionary at start.
 */
function loadDictionary(): DcmjsDictionary {
  if (dictionary) return dictionary;
  const dcmjs = createRequire(import.meta.url)('dcmjs') as { data?: { DicomMetaDictionary?: { dictionary?: unknown } } };
  const loaded = dcmjs.data?.DicomMetaDictionary?.dictionary;
  if (typeof loaded !== 'object' || loaded === null) throw new Error('dcmjs has no DicomMetaDictionary.dictionary');
  dictionary = loaded as DcmjsDictionary;
  return dictionary;
}

/**
 * dcmjs writes VRs that depend on context in lower case: 'xs' (US or SS), 'ox' (OB or OW), 'na'
 * (delimiters, no value). For display and for reading an implicit-VR value, the unsigned and word
 * forms are the PS3.5 defaults.
 */
const CONTEXT_VR: Readonly<Record<string, string>> = { xs: 'US', ox: 'OW', na: '' };

export interface DictionaryEntry {
  vr: string;
  name: string;
}

/** The group-FFFE elements: Item, Item Delimitation Item and Sequence Delimitation Item (structure, not data). */
export function isDelimiter(parserTag: string): boolean {
  return parserTag.slice(1, 5).toUpperCase() === 'FFFE';
}

/** dicom-parser keys look like 'x00100010'. */
export function dictionaryEntry(parserTag: string): DictionaryEntry | undefined {
  const hex = parserTag.slice(1).toUpperCase();
  const group = Number.parseInt(hex.slice(0, 4), 16);
  const element = Number.parseInt(hex.slice(4, 8), 16);
  if (!Number.isFinite(group) || !Number.isFinite(element)) return undefined;
  if (group % 2 === 1) {
    // Private: only the reservation elements (gggg,0010–00FF) have a standard meaning.
    if (element >= 0x10 && element <= 0xff) return { vr: 'LO', name: 'PrivateCreator' };
    return element === 0 ? { vr: 'UL', name: 'PrivateGroupLength' } : undefined;
  }
  const entry = loadDictionary()[formatTag(parserTag)];
  if (entry) return { vr: CONTEXT_VR[entry.vr] ?? entry.vr, name: readableName(entry.name) };
  // Group lengths (gggg,0000) are retired for most groups and absent from the dictionary.
  return element === 0 ? { vr: 'UL', name: 'GroupLength' } : undefined;
}

/** dcmjs marks retired attributes 'RETIRED_Keyword'; a reader sees the keyword and that it is retired. */
function readableName(name: string): string {
  return name.startsWith('RETIRED_') ? `${name.slice('RETIRED_'.length)} (retired)` : name;
}

/** 'x00100010' -> '(0010,0010)' */
export function formatTag(parserTag: string): string {
  const hex = parserTag.slice(1).toUpperCase();
  return `(${hex.slice(0, 4)},${hex.slice(4, 8)})`;
}
