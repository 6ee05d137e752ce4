import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initTfjsBackend } from './backend.ts';

function nativeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('initTfjsBackend', () => {
  it('picks native tfjs when installed, else wasm — never cpu while wasm works', async () => {
    const active = await initTfjsBackend();
    expect(active).toBe(nativeInstalled() ? 'tensorflow' : 'wasm');
    expect(tf.getBackend()).toBe(active);
  });

  it('is idempotent, also under concurrent calls', async () => {
    const first = await initTfjsBackend();
    const again = await Promise.all([initTfjsBackend(), initTfjsBackend(), initTfjsBackend(first as 'wasm')]);
    expect(again).toEqual([first, first, first]);
  });

  it('really computes on wasm in Node (binaries found, kernels run)', async () => {
    expect(await initTfjsBackend('wasm')).toBe('wasm');
    const sums = tf.tidy(() => tf.conv2d(tf.ones<tf.Rank.R4>([1, 4, 4, 2]), tf.ones<tf.Rank.R4>([3, 3, 2, 1]), 1, 1).dataSync());
    // Zero padding of 1: corners see 2×2 pixels, edges 2×3, the middle 3×3, each with 2 channels.
    expect([...sums]).toEqual([8, 12, 12, 8, 12, 18, 18, 12, 12, 18, 18, 12, 8, 12, 12, 8]);
  });

  it('switches on an explicit preference and back', async () => {
    expect(await initTfjsBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initTfjsBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});
