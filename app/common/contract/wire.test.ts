import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, EnvelopeError } from './wire.ts';

describe('binary envelope', () => {
  it('round-trips typed arrays bit-exactly alongside JSON, aligned', () => {
    const odd = new Uint8Array([1, 2, 3]); // forces padding before the next buffer
    const value = {
      ok: true,
      value: {
        a: new Float32Array([1.5, NaN, -Infinity, 3e-39]),
        b: odd,
        c: new Int16Array([-32768, 32767]),
        d: [1, 'x', null],
        e: new Float32Array(0),
      },
    };
    const back = decodeEnvelope(encodeEnvelope(value)) as typeof value;
    expect(back.value.a).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(back.value.a.buffer)).toEqual(new Uint8Array(value.value.a.buffer));
    expect(back.value.b).toEqual(odd);
    expect(back.value.c).toEqual(new Int16Array([-32768, 32767]));
    expect(back.value.d).toEqual([1, 'x', null]);
    expect(back.value.e).toEqual(new Float32Array(0));
  });

  it('handles a view into a larger buffer (only the view travels)', () => {
    const big = new Float32Array([9, 1, 2, 9]);
    const back = decodeEnvelope(encodeEnvelope({ v: big.subarray(1, 3) })) as { v: Float32Array };
    expect(Array.from(back.v)).toEqual([1, 2]);
  });

  it('rejects malformed envelopes with EnvelopeError', () => {
    expect(() => decodeEnvelope(new Uint8Array([1]))).toThrow(EnvelopeError);
    expect(() => decodeEnvelope(new Uint8Array([255, 0, 0, 0, 1]))).toThrow(EnvelopeError);
    const lying = new TextEncoder().encode('{"$typed":"Float32Array","offset":0,"length":1000}');
    const bytes = new Uint8Array(8 + lying.length);
    new DataView(bytes.buffer).setUint32(0, lying.length, true);
    bytes.set(lying, 4);
    expect(() => decodeEnvelope(bytes)).toThrow(EnvelopeError);
  });
});
