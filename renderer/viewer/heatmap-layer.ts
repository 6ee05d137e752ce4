/**
 * The heatmap as the viewer draws it over the film region the network saw. The coarse CAM (e.g.
 * 7×7) is upsampled bilinearly as the CLI's PNGs are (PyTorch's align_corners=False with edge
 * clamping), then drawn in one of the modes commercial CXR tools use:
 *   - `fill`: coloured only where the map reaches the level, so the film shows through elsewhere;
 *   - `outline`: the contour at that level (marching squares), nothing filled;
 *   - `tint`: the whole region coloured (the classic CAM picture).
 */
export type HeatmapMode = 'fill' | 'outline' | 'tint';
export const HEATMAP_MODES: readonly HeatmapMode[] = ['fill', 'outline', 'tint'];

/**
 * Samples across the region when upsampling for display: the film region's own size up to this,
 * so a fill's edge steps by at most a couple of film pixels without painting a full-resolution map.
 */
export const MAX_SAMPLES = 512;

export function displaySamples(regionWidth: number, regionHeight: number, camW: number, camH: number): { width: number; height: number } {
  return {
    width: Math.max(camW, Math.min(MAX_SAMPLES, Math.round(regionWidth))),
    height: Math.max(camH, Math.min(MAX_SAMPLES, Math.round(regionHeight))),
  };
}

function axis(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; t: Float32Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const t = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = Math.max(scale * (o + 0.5) - 0.5, 0);
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    t[o] = src - lo;
  }
  return { i0, i1, t };
}

/** Bilinear resize of a w×h map to outW×outH (align_corners=False, no antialiasing). */
export function upsample(map: Float32Array, w: number, h: number, outW: number, outH: number): Float32Array {
  const xs = axis(w, outW);
  const ys = axis(h, outH);
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const top = ys.i0[y]! * w;
    const bottom = ys.i1[y]! * w;
    const ty = ys.t[y]!;
    for (let x = 0; x < outW; x++) {
      const a = xs.i0[x]!;
      const b = xs.i1[x]!;
      const tx = xs.t[x]!;
      const upper = (1 - tx) * map[top + a]! + tx * map[top + b]!;
      const lower = (1 - tx) * map[bottom + a]! + tx * map[bottom + b]!;
      out[y * outW + x] = (1 - ty) * upper + ty * lower;
    }
  }
  return out;
}

/**
 * Colours a [0,1] map through a 256-entry RGB table into RGBA. With a `level`, cells below it stay
 * transparent (fill); without, every cell is drawn (tint). NaN and ≤ 0 take the low end, never "hot".
 */
export function paintHeatmap(map01: Float32Array, lut: Uint8Array, level: number | undefined, out: Uint8ClampedArray): void {
  for (let i = 0, j = 0; i < map01.length; i++, j += 4) {
    const v = map01[i]!;
    const k = 3 * (v > 0 ? Math.min(255, Math.floor(v * 256)) : 0);
    out[j] = lut[k]!;
    out[j + 1] = lut[k + 1]!;
    out[j + 2] = lut[k + 2]!;
    out[j + 3] = level === undefined || v >= level ? 255 : 0;
  }
}

/**
 * The contour of `map` (w×h samples) at `level`, as line segments [x0, y0, x1, y1, …] in sample
 * units (sample (i, j) is the point (i, j); a drawer puts it at the centre of its cell). The map is
 * bordered with values below the level so every outline closes at the region's edge; saddles are
 * split by the cell's mean (marching squares).
 */
export function contourSegments(map: Float32Array, w: number, h: number, level: number): Float32Array {
  const W = w + 2;
  const H = h + 2;
  const below = Math.min(level - 1, -1);
  const at = (i: number, j: number): number => (i <= 0 || j <= 0 || i > w || j > h ? below : map[(j - 1) * w + (i - 1)]!);
  const out: number[] = [];
  // Where the level crosses the edge between two samples (linear interpolation).
  const cross = (v0: number, v1: number): number => (v1 === v0 ? 0.5 : (level - v0) / (v1 - v0));
  for (let j = 0; j < H - 1; j++)
    for (let i = 0; i < W - 1; i++) {
      const tl = at(i, j);
      const tr = at(i + 1, j);
      const br = at(i + 1, j + 1);
      const bl = at(i, j + 1);
      const c = (tl >= level ? 8 : 0) | (tr >= level ? 4 : 0) | (br >= level ? 2 : 0) | (bl >= level ? 1 : 0);
      if (c === 0 || c === 15) continue;
      // Edge points in padded-grid units; padded (i, j) is sample (i − 1, j − 1) of the map.
      const top = (): [number, number] => [i + cross(tl, tr), j];
      const right = (): [number, number] => [i + 1, j + cross(tr, br)];
      const bottom = (): [number, number] => [i + cross(bl, br), j + 1];
      const left = (): [number, number] => [i, j + cross(tl, bl)];
      const seg = (p: [number, number], q: [number, number]): void => {
        out.push(p[0] - 1, p[1] - 1, q[0] - 1, q[1] - 1);
      };
      const centreAbove = (tl + tr + br + bl) / 4 >= level;
      switch (c) {
        case 1:
        case 14:
          seg(left(), bottom());
          break;
        case 2:
        case 13:
          seg(bottom(), right());
          break;
        case 3:
        case 12:
          seg(left(), right());
          break;
        case 4:
        case 11:
          seg(top(), right());
          break;
        case 6:
        case 9:
          seg(top(), bottom());
          break;
        case 7:
        case 8:
          seg(left(), top());
          break;
        case 5: // tr and bl above
          if (centreAbove) {
            seg(left(), top());
            seg(bottom(), right());
          } else {
            seg(top(), right());
            seg(left(), bottom());
          }
          break;
        case 10: // tl and br above
          if (centreAbove) {
            seg(top(), right());
            seg(left(), bottom());
          } else {
            seg(left(), top());
            seg(bottom(), right());
          }
          break;
      }
    }
  return Float32Array.from(out);
}
