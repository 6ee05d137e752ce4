import type { PixelRegion } from '../gray-image.ts';

/**
 * The crop rules of the published model families, each exactly as its Python code computes the
 * offsets, because a one-pixel shift is visible in the outputs at the 2e-3 level.
 */

/** TorchXRayVision's XRayCenterCrop: side = min(w, h), start = floor(long/2) − floor(side/2). */
export function xrvCenterRegion(width: number, height: number): PixelRegion {
  const side = Math.min(width, height);
  const half = Math.floor(side / 2);
  return { x: Math.floor(width / 2) - half, y: Math.floor(height / 2) - half, width: side, height: side };
}

/** torchvision CenterCrop on a PIL image: top = int(round((h − size)/2)) with Python's round-half-to-even. */
export function torchvisionCenterRegion(width: number, height: number, size: number): PixelRegion {
  return { x: roundHalfEven((width - size) / 2), y: roundHalfEven((height - size) / 2), width: size, height: size };
}

/** torchvision Resize(n) on a PIL image: the shorter side becomes n, the longer int(n · long / short). */
export function shorterSideSize(width: number, height: number, shorter: number): { width: number; height: number } {
  if (width <= height) return { width: shorter, height: Math.trunc((shorter * height) / width) };
  return { width: Math.trunc((shorter * width) / height), height: shorter };
}

export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
