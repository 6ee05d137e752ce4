import type { DataSet } from 'dicom-parser';
import type { Palette } from './pixels/luma.ts';

const CHANNELS = [
  ['x00281101', 'x00281201'],
  ['x00281102', 'x00281202'],
  ['x00281103', 'x00281203'],
] as const;

/**
 * The Palette Color LUTs (PS3.3 C.7.6.3.1.5), reduced to 8-bit entries. Undefined when absent or
 * only segmented (segmented palettes are rare and not read here).
 */
export function readPalette(dataSet: DataSet): Palette | undefined {
  const channels: Uint8Array[] = [];
  let firstMapped = 0;
  for (const [descriptorTag, dataTag] of CHANNELS) {
    const descriptor = dataSet.elements[descriptorTag];
    const data = dataSet.elements[dataTag];
    if (!descriptor || descriptor.length < 6 || !data) return undefined;
    const declared = dataSet.uint16(descriptorTag, 0) ?? 0;
    const entries = declared === 0 ? 65536 : declared;
    firstMapped = dataSet.uint16(descriptorTag, 1) ?? 0;
    const bits = dataSet.uint16(descriptorTag, 2) ?? 16;
    if (data.dataOffset + data.length > dataSet.byteArray.length) return undefined;
    const channel = new Uint8Array(entries);
    if (data.length >= entries * 2) {
      for (let i = 0; i < entries; i++) {
        const value = dataSet.uint16(dataTag, i) ?? 0;
        channel[i] = bits === 8 ? Math.min(value, 255) : value >> 8;
      }
    } else if (data.length >= entries) {
      channel.set(dataSet.byteArray.subarray(data.dataOffset, data.dataOffset + entries));
    } else {
      return undefined;
    }
    channels.push(channel);
  }
  return { firstMapped, red: channels[0]!, green: channels[1]!, blue: channels[2]! };
}
