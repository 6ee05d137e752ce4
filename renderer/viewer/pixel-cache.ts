import { useEffect, useState } from 'react';
import type { StudyPixels } from '../../app/common/contract/studies.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { call } from '../api.ts';
import { asErrorInfo } from '../shell/errors.ts';

/**
 * Frames fetched from the back end (full-resolution modality values), kept for re-windowing, cine
 * and comparison without asking again. Bounded by values held: a 2048² film is 16 MB of floats.
 */
const MAX_VALUES = 64 * 1024 * 1024;
const cache = new Map<string, Promise<StudyPixels>>();
const sizes = new Map<string, number>();

function key(id: string, frame: number): string {
  return `${id}:${frame}`;
}

function evict(): void {
  let held = [...sizes.values()].reduce((a, b) => a + b, 0);
  for (const k of [...cache.keys()]) {
    if (held <= MAX_VALUES || cache.size <= 2) break;
    held -= sizes.get(k) ?? 0;
    cache.delete(k);
    sizes.delete(k);
  }
}

/** One frame's pixels, from the cache or the back end (a failed fetch is not kept, so it can be retried). */
export function loadPixels(id: string, frame: number): Promise<StudyPixels> {
  const k = key(id, frame);
  const hit = cache.get(k);
  if (hit) {
    cache.delete(k); // most recently used last
    cache.set(k, hit);
    return hit;
  }
  const pending = call('studies.pixels', { id, frame });
  cache.set(k, pending);
  pending.then(
    (p) => {
      sizes.set(k, p.values.length);
      evict();
    },
    () => cache.delete(k),
  );
  return pending;
}

export interface PixelsState {
  pixels: StudyPixels | undefined;
  error: ErrorInfo | undefined;
}

/** The pixels of one frame of a study; the last frame shown stays up while the next one loads (cine). */
export function usePixels(id: string | undefined, frame: number): PixelsState {
  const [state, setState] = useState<PixelsState>({ pixels: undefined, error: undefined });
  useEffect(() => {
    if (!id) {
      setState({ pixels: undefined, error: undefined });
      return;
    }
    let live = true;
    setState((s) => (s.pixels?.id === id ? s : { pixels: undefined, error: undefined }));
    loadPixels(id, frame).then(
      (pixels) => live && setState({ pixels, error: undefined }),
      (error: unknown) => live && setState({ pixels: undefined, error: asErrorInfo(error) }),
    );
    return () => {
      live = false;
    };
  }, [id, frame]);
  return state;
}
