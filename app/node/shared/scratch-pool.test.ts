import { describe, expect, it } from 'vitest';
import { ScratchPool } from './scratch-pool.ts';

describe('ScratchPool', () => {
  it('hands a given-back buffer out again, the smallest that fits', () => {
    const pool = new ScratchPool(4);
    const big = pool.take(1000);
    const small = pool.take(100);
    pool.give(big);
    pool.give(small);
    expect(pool.take(50)).toBe(small);
    expect(pool.take(500)).toBe(big);
    expect(pool.idle).toBe(0);
  });

  it('allocates when nothing idle is large enough', () => {
    const pool = new ScratchPool(4);
    const small = pool.take(100);
    pool.give(small);
    const larger = pool.take(200);
    expect(larger).not.toBe(small);
    expect(larger.byteLength).toBe(200);
    expect(pool.idle).toBe(1);
  });

  it('keeps at most `keep` idle buffers, dropping the smallest, and never the same one twice', () => {
    const pool = new ScratchPool(2);
    const [a, b, c] = [pool.take(10), pool.take(20), pool.take(30)];
    pool.give(a);
    pool.give(a);
    expect(pool.idle).toBe(1);
    pool.give(b);
    pool.give(c);
    expect(pool.idle).toBe(2);
    expect(pool.take(5)).toBe(b); // a (the smallest) was dropped
  });

  it('holds at most its byte budget: a buffer over it is not kept, and the largest goes first', () => {
    const pool = new ScratchPool(4, 100);
    pool.give(pool.take(101));
    expect(pool.idle).toBe(0);
    const [small, mid, large] = [pool.take(20), pool.take(30), pool.take(60)];
    pool.give(small);
    pool.give(mid);
    pool.give(large); // 110 bytes idle: over the budget, so the 60-byte one goes
    expect(pool.idleBytes).toBe(50);
    expect(pool.take(25)).toBe(mid);
    expect(pool.take(10)).toBe(small);
  });

  it('takeFloats gives exactly the length asked over a reusable buffer', () => {
    const pool = new ScratchPool(4);
    const floats = pool.takeFloats(10);
    expect(floats.length).toBe(10);
    pool.give(floats.buffer);
    const again = pool.takeFloats(8);
    expect(again.buffer).toBe(floats.buffer);
    expect(again.length).toBe(8);
  });
});
