import { useEffect, useRef } from 'react';
import { loadPixels } from '../viewer/pixel-cache.ts';

/** Frames a second in cine; a PACS default for radiographic series. */
export const CINE_FPS = 8;

/**
 * Plays a multi-frame study's frames in a loop while `playing`, fetching the next frame before it
 * is due (a frame is shown only once its pixels are there, so a slow fetch slows cine, never tears).
 */
export function useCine(
  studyId: string | undefined,
  frames: number,
  frame: number,
  playing: boolean,
  setFrame: (frame: number) => void,
): void {
  const setRef = useRef(setFrame);
  setRef.current = setFrame;
  useEffect(() => {
    if (!playing || !studyId || frames < 2) return;
    let live = true;
    const next = (frame + 1) % frames;
    const started = Date.now();
    void loadPixels(studyId, next).then(
      () => {
        const wait = Math.max(0, 1000 / CINE_FPS - (Date.now() - started));
        setTimeout(() => live && setRef.current(next), wait);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [studyId, frames, frame, playing]);
}
