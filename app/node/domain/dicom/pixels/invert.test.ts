import { describe, expect, it } from 'vitest';
import { invertAfterVoi } from './invert.ts';
import { quantiseTo8Bit } from './quantise.ts';
import { applyWindow, windowLinear } from './voi.ts';

describe('MONOCHROME1 inversion', () => {
  it('inverts the VOI output, not the stored values', () => {
    // A MONOCHROME1 image: high stored values are dark. Window c=1000 w=501 spans [750, 1250].
    const stored = [500, 750, 1000, 1250, 4000];
    const window = { center: 1000.5, width: 501, fn: 'LINEAR' as const };
    const shown = Array.from(invertAfterVoi(applyWindow(stored, window)));
    expect(shown).toEqual(stored.map((x) => 255 - windowLinear(x, 1000.5, 501)));
    expect(shown[0]).toBe(255); // below the window: white on MONOCHROME1
    expect(shown[4]).toBe(0); // above the window: black
    // Inverting first (4095 - x) and then windowing the same window would show another image entirely.
    const wrongOrder = Array.from(
      applyWindow(
        stored.map((x) => 4095 - x),
        window,
      ),
    );
    expect(wrongOrder).not.toEqual(shown);
  });

  it('quantises with round-half-up and clamps to 8 bits', () => {
    expect(Array.from(quantiseTo8Bit(new Float32Array([-3, 0.49, 0.5, 127.5, 254.6, 300])))).toEqual([0, 0, 1, 128, 255, 255]);
  });
});
