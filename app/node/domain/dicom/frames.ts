import type { DataSet, Element, Fragment } from 'dicom-parser';

function concatenate(dataSet: DataSet, fragments: readonly Fragment[]): Uint8Array {
  const total = fragments.reduce((sum, f) => sum + f.length, 0);
  if (fragments.length === 1) return dataSet.byteArray.subarray(fragments[0]!.position, fragments[0]!.position + total);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const f of fragments) {
    out.set(dataSet.byteArray.subarray(f.position, f.position + f.length), offset);
    offset += f.length;
  }
  return out;
}

/** A fragment that opens a codestream: JPEG SOI (FFD8), JPEG 2000 SOC (FF4F) or a JP2 signature box. */
function startsCodestream(dataSet: DataSet, fragment: Fragment): boolean {
  const b = dataSet.byteArray;
  const p = fragment.position;
  if (fragment.length < 4) return false;
  if (b[p] === 0xff && (b[p + 1] === 0xd8 || b[p + 1] === 0x4f)) return true;
  return b[p + 4] === 0x6a && b[p + 5] === 0x50 && b[p + 6] === 0x20 && b[p + 7] === 0x20; // 'jP  '
}

export class FrameLayoutError extends Error {}

/**
 * The encoded bytes of one frame of encapsulated pixel data (PS3.5 A.4):
 * one frame -> all fragments; a Basic Offset Table -> its offsets; an empty table with as many
 * fragments as frames -> one fragment per frame; otherwise frames start where a codestream starts.
 */
export function encapsulatedFrame(dataSet: DataSet, element: Element, frameIndex: number, numberOfFrames: number): Uint8Array {
  const fragments = element.fragments ?? [];
  if (fragments.length === 0) throw new FrameLayoutError('encapsulated pixel data has no fragments');
  if (numberOfFrames === 1) return concatenate(dataSet, fragments);

  const offsets = element.basicOffsetTable ?? [];
  if (offsets.length > 0) {
    if (offsets.length !== numberOfFrames)
      throw new FrameLayoutError(`Basic Offset Table has ${offsets.length} entries for ${numberOfFrames} frames`);
    const start = offsets[frameIndex]!;
    const end = frameIndex + 1 < offsets.length ? offsets[frameIndex + 1]! : Infinity;
    const members = fragments.filter((f) => f.offset >= start && f.offset < end);
    if (members.length === 0 || members[0]!.offset !== start)
      throw new FrameLayoutError(`Basic Offset Table entry ${start} for frame ${frameIndex} does not start a fragment`);
    return concatenate(dataSet, members);
  }

  if (fragments.length === numberOfFrames) return concatenate(dataSet, [fragments[frameIndex]!]);
  if (fragments.length < numberOfFrames) throw new FrameLayoutError(`${fragments.length} fragments cannot hold ${numberOfFrames} frames`);

  const starts = fragments.map((f, i) => (startsCodestream(dataSet, f) ? i : -1)).filter((i) => i >= 0);
  if (starts.length !== numberOfFrames || starts[0] !== 0) {
    throw new FrameLayoutError(
      `no Basic Offset Table and ${fragments.length} fragments for ${numberOfFrames} frames: cannot tell the frames apart`,
    );
  }
  const first = starts[frameIndex]!;
  const next = starts[frameIndex + 1] ?? fragments.length;
  return concatenate(dataSet, fragments.slice(first, next));
}
