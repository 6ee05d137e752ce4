import { inflateRawSync } from 'node:zlib';
import dicomParser, { type DataSet } from 'dicom-parser';
import { DenseRayError } from '../../shared/errors.ts';
import { isUtf8CharacterSet } from './dataset-values.ts';
import { encodingContradiction, firstOpenEndedElement, hitEndInsideSequence, isStackOverflow, metaGroupEnd } from './dataset-structure.ts';
import { describeThrown, dicomError, PIXEL_DATA_TAG } from './dicom-error.ts';
import { dictionaryEntry, formatTag } from './dictionary.ts';
import { readMetadata } from './metadata.ts';
import { isDicom, withPart10Preamble } from './sniff.ts';
import { listTags } from './tag-list.ts';
import { transferSyntaxOf, type TransferSyntax } from './transfer-syntax.ts';
import type { DicomFile } from './types.ts';

/** What the pixel handlers need and the public DicomFile does not show. */
export interface ParsedDicom {
  dataSet: DataSet;
  syntax: TransferSyntax;
  isUtf8: boolean;
}

const parsed = new WeakMap<DicomFile, ParsedDicom>();

export function parsedOf(file: DicomFile): ParsedDicom {
  const internal = parsed.get(file);
  if (!internal) throw new DenseRayError('INVALID_ARGUMENT', 'not a DicomFile returned by readDicom');
  return internal;
}

/** A decompression bomb guard: no chest radiograph dataset inflates beyond this. */
const MAX_INFLATED_BYTES = 1 << 30;

function tagName(parserTag: string): string {
  const name = dictionaryEntry(parserTag)?.name;
  return name ? `${formatTag(parserTag)} ${name}` : formatTag(parserTag);
}

function isOverrun(message: string): boolean {
  return /overrun|beyond|end of|eof|out of range|outside the bounds|offset is outside/i.test(message);
}

function lastParsedTag(thrown: unknown): string | undefined {
  if (!thrown || typeof thrown !== 'object' || !('dataSet' in thrown)) return undefined;
  const dataSet = (thrown as { dataSet?: DataSet }).dataSet;
  const keys = dataSet ? Object.keys(dataSet.elements).sort() : [];
  const last = keys[keys.length - 1];
  return last ? tagName(last) : undefined;
}

const TRANSFER_SYNTAX_TAG = '(0002,0010) TransferSyntaxUID';

/** Where the dataset starts by the File Meta group's own length (0002,0000), for naming a culprit when parsing failed. */
function datasetStartByGroupLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 144 || bytes[132] !== 0x02 || bytes[133] !== 0 || bytes[134] !== 0 || bytes[135] !== 0) return undefined;
  return 144 + new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(140, true);
}

function tooDeep(source: string, bytes: Uint8Array, datasetStart: number | undefined, syntax?: TransferSyntax, cause?: unknown) {
  const explicitLe: TransferSyntax = syntax ?? {
    uid: '',
    name: '',
    encoding: 'native',
    littleEndian: true,
    explicitVr: true,
    lossy: false,
  };
  const tag = datasetStart === undefined ? undefined : firstOpenEndedElement(bytes, datasetStart, explicitLe);
  return dicomError('DICOM_MALFORMED', source, 'sequences are nested too deeply to read (a real dataset nests a few levels)', {
    ...(tag ? { tag } : {}),
    ...(syntax ? { syntax } : {}),
    cause,
  });
}

function readTransferSyntax(bytes: Uint8Array, source: string): { syntax: TransferSyntax; datasetStart: number } {
  let meta: DataSet;
  try {
    meta = dicomParser.readPart10Header(bytes);
  } catch (thrown) {
    // The reader looks one element past the meta group, so a deep first sequence overflows here.
    if (isStackOverflow(thrown)) throw tooDeep(source, bytes, datasetStartByGroupLength(bytes), undefined, thrown);
    const message = describeThrown(thrown);
    if (isOverrun(message))
      throw dicomError('DICOM_TRUNCATED', source, `file ends inside the File Meta group (${message})`, { cause: thrown });
    throw dicomError('NOT_DICOM', source, `not a DICOM Part 10 file (${message})`, { cause: thrown });
  }
  const element = meta.elements.x00020010;
  const uid = element ? meta.string('x00020010') : undefined;
  if (!uid)
    throw dicomError('DICOM_UNSUPPORTED_SYNTAX', source, 'the File Meta group has no Transfer Syntax UID', {
      tag: TRANSFER_SYNTAX_TAG,
    });
  const syntax = transferSyntaxOf(uid);
  if (!syntax) {
    throw dicomError('DICOM_UNSUPPORTED_SYNTAX', source, 'unknown transfer syntax: the dataset encoding cannot be trusted', {
      tag: TRANSFER_SYNTAX_TAG,
      syntax: { uid },
    });
  }
  return { syntax, datasetStart: metaGroupEnd(meta) };
}

/** The Transfer Syntax UID says one VR encoding and the dataset's first element is written in the other. */
function wrongEncoding(source: string, syntax: TransferSyntax, actual: 'implicit' | 'explicit', cause?: unknown) {
  const declared = syntax.explicitVr ? 'explicit' : 'implicit';
  return dicomError(
    'DICOM_MALFORMED',
    source,
    `the Transfer Syntax UID says ${declared} VR, but the dataset is written with ${actual} VR (the UID was changed or is wrong)`,
    { tag: TRANSFER_SYNTAX_TAG, syntax, cause },
  );
}

function inflaterFor(source: string, syntax: TransferSyntax) {
  return (byteArray: Uint8Array, position: number): Uint8Array => {
    let inflated: Buffer;
    try {
      inflated = inflateRawSync(byteArray.subarray(position), { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (thrown) {
      const message = describeThrown(thrown);
      const code = /unexpected end/i.test(message) ? 'DICOM_TRUNCATED' : 'DICOM_DECODE_FAILED';
      throw dicomError(code, source, `cannot inflate the deflated dataset (${message})`, { syntax, cause: thrown });
    }
    const full = new Uint8Array(position + inflated.length);
    full.set(byteArray.subarray(0, position));
    full.set(inflated, position);
    return full;
  };
}

function parseDataSet(bytes: Uint8Array, source: string, syntax: TransferSyntax, datasetStart: number): DataSet {
  try {
    // The typings say the inflater returns void; the parser uses the returned bytes.
    const inflater = inflaterFor(source, syntax) as unknown as (arr: Uint8Array, position: number) => void;
    return dicomParser.parseDicom(bytes, { inflater });
  } catch (thrown) {
    if (thrown instanceof DenseRayError) throw thrown;
    if (isStackOverflow(thrown)) throw tooDeep(source, bytes, datasetStart, syntax, thrown);
    // An implicit-VR label on an explicit-VR dataset reads VR letters as lengths: say so, not "truncated".
    const contradiction = encodingContradiction(bytes, datasetStart, syntax);
    if (contradiction) throw wrongEncoding(source, syntax, contradiction, thrown);
    const message = describeThrown(thrown);
    const after = lastParsedTag(thrown);
    const where = after ? `after ${after}` : 'in the dataset';
    if (isOverrun(message)) {
      throw dicomError('DICOM_TRUNCATED', source, `file ends inside an element ${where} (${message})`, { syntax, cause: thrown });
    }
    // The File Meta group read, so this is DICOM: its dataset is what is broken.
    throw dicomError('DICOM_MALFORMED', source, `malformed dataset ${where} (${message})`, { syntax, cause: thrown });
  }
}

/** dicom-parser tolerates a last element longer than the file; a short file is truncated, not valid. */
function checkElementBounds(dataSet: DataSet, source: string, syntax: TransferSyntax): void {
  const size = dataSet.byteArray.length;
  for (const [key, element] of Object.entries(dataSet.elements)) {
    if (element.encapsulatedPixelData) {
      for (const fragment of element.fragments ?? []) {
        if (fragment.position + fragment.length > size) {
          throw dicomError(
            'DICOM_TRUNCATED',
            source,
            `pixel data fragment ends ${fragment.position + fragment.length - size} bytes beyond the end of the file`,
            {
              tag: PIXEL_DATA_TAG,
              syntax,
            },
          );
        }
      }
      continue;
    }
    if (element.hadUndefinedLength || element.items) continue;
    if (element.dataOffset + element.length > size) {
      throw dicomError(
        'DICOM_TRUNCATED',
        source,
        `value length ${element.length} runs ${element.dataOffset + element.length - size} bytes beyond the end of the file`,
        {
          tag: tagName(key),
          syntax,
        },
      );
    }
  }
}

/**
 * Parses a DICOM file's header. Throws DenseRayError NOT_DICOM, DICOM_TRUNCATED, DICOM_MALFORMED
 * (a broken dataset behind a readable File Meta group) or DICOM_UNSUPPORTED_SYNTAX (unknown UID). Pixel problems (missing, short, undecodable, a known
 * syntax without a codec) surface from decodeFrame, so headers of such files stay readable.
 */
export function readDicom(bytes: Uint8Array, source: string): DicomFile {
  if (!isDicom(bytes)) throw dicomError('NOT_DICOM', source, 'no DICM prefix at byte 128 and no File Meta group at byte 0');
  try {
    return readPart10(bytes, source);
  } catch (thrown) {
    // dicom-parser throws strings from its value readers too (a meta value past the end of a cut file).
    if (thrown instanceof DenseRayError) throw thrown;
    const message = describeThrown(thrown);
    if (isOverrun(message)) throw dicomError('DICOM_TRUNCATED', source, `file ends inside an element (${message})`, { cause: thrown });
    throw dicomError('DICOM_MALFORMED', source, `malformed dataset (${message})`, { cause: thrown });
  }
}

function readPart10(bytes: Uint8Array, source: string): DicomFile {
  const part10 = withPart10Preamble(bytes);
  const { syntax, datasetStart } = readTransferSyntax(part10, source);
  // Explicit VR declared, none written: every length would be misread, so stop before parsing.
  if (encodingContradiction(part10, datasetStart, syntax) === 'implicit') throw wrongEncoding(source, syntax, 'implicit');
  const dataSet = parseDataSet(part10, source, syntax, datasetStart);
  if (dataSet.elements.x7fe00010 === undefined && hitEndInsideSequence(dataSet)) {
    const tag = firstOpenEndedElement(part10, datasetStart, syntax);
    throw dicomError('DICOM_TRUNCATED', source, 'a sequence of undefined length is never closed: the file ends inside it', {
      ...(tag ? { tag } : {}),
      syntax,
    });
  }
  checkElementBounds(dataSet, source, syntax);
  const isUtf8 = isUtf8CharacterSet(dataSet);
  const meta = readMetadata(dataSet, syntax, isUtf8);
  const textDecoder = new TextDecoder(isUtf8 ? 'utf-8' : 'latin1');
  const file: DicomFile = {
    source,
    meta,
    transferSyntax: syntax,
    hasPixelData: dataSet.elements.x7fe00010 !== undefined,
    tags: () => listTags(dataSet, textDecoder),
  };
  parsed.set(file, { dataSet, syntax, isUtf8 });
  return file;
}
