import type { Preprocessing } from '../../../common/manifest.ts';
import { inputLength, preprocess } from '../imaging/preprocess.ts';
import { loadInput } from '../input/load-input.ts';

/**
 * Files → batches of network inputs through the one inference path (loadInput + preprocess), so
 * calibration and the gate see exactly what classification sees. Unreadable files are skipped
 * and counted: a calibration folder is the user's, and one bad file should not stop the run.
 */
export async function* modelInputBatches(
  files: readonly string[],
  p: Preprocessing,
  batchSize: number,
  skipped: { files: string[] },
): AsyncGenerator<{ input: Float32Array; files: string[] }> {
  const per = inputLength(p);
  let input = new Float32Array(per * batchSize);
  let names: string[] = [];
  for (const file of files) {
    try {
      preprocess((await loadInput(file)).image, p, input, names.length * per);
      names.push(file);
    } catch {
      skipped.files.push(file);
      continue;
    }
    if (names.length === batchSize) {
      yield { input, files: names };
      input = new Float32Array(per * batchSize);
      names = [];
    }
  }
  if (names.length > 0) yield { input: input.slice(0, names.length * per), files: names };
}
