import { VOI_MAX } from './voi.ts';

/**
 * MONOCHROME1 shows low values bright. The inversion belongs after VOI (PS3.3 C.11.2 / PS3.4
 * grayscale pipeline): inverting stored values first would flip the window's meaning.
 */
export function invertAfterVoi(voiOutput: Float32Array, max = VOI_MAX): Float32Array {
  const out = new Float32Array(voiOutput.length);
  for (let i = 0; i < voiOutput.length; i++) out[i] = max - voiOutput[i]!;
  return out;
}
