import { PNG } from 'pngjs';
import { DenseRayError } from '../../shared/errors.ts';
import { linearAxis, sampleCamRow } from './cam.ts';
import { colormapIndex } from './colormap.ts';
import type { GrayImage } from './gray-image.ts';
import { VIRIDIS_RGB01 } from './viridis.ts';

const LUT = Uint8Array.from(VIRIDIS_RGB01, (v) => Math.round(v * 255));

export interface OverlayOptions {
  /** Heatmap opacity in [0,1] where it is drawn. */
  opacity: number;
  /** Normalised values below this stay undrawn (the X-ray shows through); default 0 draws everywhere. */
  minVisible?: number;
}

/**
 * The image as 8-bit RGB with a normalised CAM (camW×camH, values in [0,1]) upsampled bilinearly to
 * the image size, coloured with viridis and alpha-blended. The threshold applies to the upsampled
 * value, so the drawn area has a smooth edge rather than the CAM's 7×7 blocks. Returns PNG bytes.
 */
export function renderOverlayPng(gray: GrayImage, cam01: Float32Array, camW: number, camH: number, opts: OverlayOptions): Uint8Array {
  return encodePng(gray.width, gray.height, renderOverlayRgb(gray, cam01, camW, camH, opts), 2);
}

/** The same overlay as 8-bit RGB rows (for figures that add a caption below it). */
export function renderOverlayRgb(gray: GrayImage, cam01: Float32Array, camW: number, camH: number, opts: OverlayOptions): Buffer {
  const { width, height } = gray;
  if (cam01.length !== camW * camH || camW <= 0 || camH <= 0) {
    throw new DenseRayError('INVALID_ARGUMENT', `overlay: CAM of ${cam01.length} values is not ${camW}×${camH}`);
  }
  if (!(opts.opacity >= 0 && opts.opacity <= 1))
    throw new DenseRayError('INVALID_ARGUMENT', `overlay: opacity ${opts.opacity} is not in [0,1]`);
  const minVisible = opts.minVisible ?? 0;
  // Blend in integer-friendly form: out = keep·g + tinted[k], rounded by +0.5 and truncation.
  const keep = 1 - opts.opacity;
  const tinted = Float64Array.from(LUT, (c) => opts.opacity * c + 0.5);
  const xs = linearAxis(camW, width);
  const ys = linearAxis(camH, height);
  const row = new Float32Array(width);
  const src = gray.data;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    sampleCamRow(cam01, camW, ys, xs, y, row);
    for (let x = 0, i = y * width, o = 3 * i; x < width; x++, i++, o += 3) {
      const g = toByte(src[i]!);
      const v = row[x]!;
      if (v >= minVisible) {
        const k = 3 * colormapIndex(v);
        const base = keep * g;
        rgb[o] = base + tinted[k]!; // a typed-array store truncates: +0.5 above makes it round
        rgb[o + 1] = base + tinted[k + 1]!;
        rgb[o + 2] = base + tinted[k + 2]!;
      } else {
        rgb[o] = g;
        rgb[o + 1] = g;
        rgb[o + 2] = g;
      }
    }
  }
  return rgb;
}

/** The image as an 8-bit grayscale PNG (values clamped to [0,1], rounded). */
export function renderGrayPng(img: GrayImage): Uint8Array {
  const bytes = Buffer.alloc(img.width * img.height);
  for (let i = 0; i < bytes.length; i++) bytes[i] = toByte(img.data[i]!);
  return encodePng(img.width, img.height, bytes, 0);
}

function toByte(v: number): number {
  return v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
}

/** Pixels already in the output layout (gray or RGB, 8-bit), so pngjs packs them without conversion. */
export function encodePng(width: number, height: number, data: Buffer, colorType: 0 | 2): Uint8Array {
  const png = Object.assign(new PNG({ width: 0, height: 0 }), { width, height, data });
  // A display artefact: level 6 and the Paeth filter alone (pngjs tries all five per row by default,
  // ~3× slower for ~1 % smaller files on X-rays).
  const bytes = PNG.sync.write(png, {
    colorType,
    inputColorType: colorType,
    inputHasAlpha: false,
    bitDepth: 8,
    deflateLevel: 6,
    filterType: 4,
  });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
