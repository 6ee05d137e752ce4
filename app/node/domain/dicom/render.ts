import { PNG } from 'pngjs';
import { decodeFrame } from './decode-frame.ts';
import { applyVoi } from './pixels/apply-voi.ts';
import { invertAfterVoi } from './pixels/invert.ts';
import { quantiseTo8Bit } from './pixels/quantise.ts';
import type { DecodedFrame, DicomFile, VoiTransform } from './types.ts';

export interface WindowOverride {
  center: number;
  width: number;
}

/** The display pipeline after decoding: VOI, then MONOCHROME1 inversion, then 8 bits. */
export function displayPixels(frame: DecodedFrame, voi: VoiTransform = frame.voi): Uint8Array {
  const windowed = applyVoi(frame.modality, voi);
  return quantiseTo8Bit(frame.invert ? invertAfterVoi(windowed) : windowed);
}

function voiFor(frame: DecodedFrame, window: WindowOverride | undefined, file: DicomFile): VoiTransform {
  if (!window) return frame.voi;
  return { kind: 'window', center: window.center, width: window.width, fn: file.meta.voiLutFunction, source: 'header' };
}

export interface ModelImage {
  width: number;
  height: number;
  /** Grayscale in [0, 1], row-major: 8-bit display values / 255, as an NIH PNG reads. */
  data: Float32Array;
}

/** What the classifier consumes: the default display of the chosen frame, quantised to 8 bits, scaled to [0, 1]. */
export async function renderForModel(file: DicomFile, frameIndex = 0): Promise<ModelImage> {
  const frame = await decodeFrame(file, frameIndex);
  const pixels = displayPixels(frame);
  const data = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) data[i] = pixels[i]! / 255;
  return { width: frame.columns, height: frame.rows, data };
}

/** An 8-bit grayscale PNG of a frame, with the default VOI or the given window. */
export async function renderToPng(file: DicomFile, options: { frame?: number; window?: WindowOverride } = {}): Promise<Uint8Array> {
  const frame = await decodeFrame(file, options.frame ?? 0);
  const pixels = displayPixels(frame, voiFor(frame, options.window, file));
  const png = new PNG({ width: frame.columns, height: frame.rows, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false }));
}
