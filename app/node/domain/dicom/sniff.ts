const PREAMBLE_LENGTH = 128;
const DICM = [0x44, 0x49, 0x43, 0x4d];

const VALID_VRS = new Set([
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
]);

function hasDicmPrefix(bytes: Uint8Array): boolean {
  if (bytes.length < PREAMBLE_LENGTH + 4) return false;
  return DICM.every((byte, i) => bytes[PREAMBLE_LENGTH + i] === byte);
}

/**
 * A file that starts directly with the File Meta group: (0002,xxxx) in explicit VR little endian.
 * Some writers drop the 128-byte preamble and the "DICM" magic; the data is still Part 10.
 */
function startsWithMetaGroup(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  if (bytes[0] !== 0x02 || bytes[1] !== 0x00) return false;
  const vr = String.fromCharCode(bytes[4] ?? 0, bytes[5] ?? 0);
  return VALID_VRS.has(vr);
}

/** Content sniff: Part 10 with preamble + "DICM", or a meta group at byte 0. Never looks at names. */
export function isDicom(bytes: Uint8Array): boolean {
  return hasDicmPrefix(bytes) || startsWithMetaGroup(bytes);
}

/** The bytes as a Part 10 stream with preamble, adding a zero preamble + "DICM" when it is missing. */
export function withPart10Preamble(bytes: Uint8Array): Uint8Array {
  if (hasDicmPrefix(bytes)) return bytes;
  const out = new Uint8Array(PREAMBLE_LENGTH + 4 + bytes.length);
  out.set(DICM, PREAMBLE_LENGTH);
  out.set(bytes, PREAMBLE_LENGTH + 4);
  return out;
}
