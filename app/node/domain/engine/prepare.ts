import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { GuardVerdict, ImageGeometry } from '../../../common/contract/classify.ts';
import { ErrorInfo } from '../../../common/errors.ts';
import { Preprocessing } from '../../../common/manifest.ts';
import { toErrorInfo } from '../../shared/errors.ts';
import { modelInputScratch } from '../../shared/scratch-pool.ts';
import { GUARD_INPUT_SIZE, GuardReferenceFile, InputGuard } from '../guard/input-guard.ts';
import { inputLength, preprocess } from '../imaging/preprocess.ts';
import { centerSquareRegion, resizeBilinearAntialias } from '../imaging/resize.ts';
import { networkRegion } from '../imaging/geometry.ts';
import { type InputHeader, withLoadedInput } from '../input/load-input.ts';

/** One file to turn into a network input. */
export const PrepareTask = z.object({
  file: z.string(),
  frame: z.number().int().nonnegative().optional(),
  preprocessing: Preprocessing,
  /** The input guard's reference statistics (3 KB): the guard runs here, beside the decode, not on the inference thread. */
  guard: GuardReferenceFile,
});
export type PrepareTask = z.infer<typeof PrepareTask>;

const Floats = z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array');

/** A file as the network will see it (C×size×size, normalised), or why it cannot be. */
export const Prepared = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    modelImage: Floats,
    /** The model input's first channel back in [0, 1] (what heatmaps are drawn on), size×size. */
    seen: Floats,
    /** What the file's header says, for the input guard (empty for PNG/JPEG). */
    header: z.object({
      modality: z.string().optional(),
      sopClassUid: z.string().optional(),
      viewPosition: z.string().optional(),
      bodyPartExamined: z.string().optional(),
    }),
    geometry: ImageGeometry,
    guard: GuardVerdict,
    decodeMs: z.number(),
    preprocessMs: z.number(),
    guardMs: z.number(),
  }),
  z.object({ ok: z.literal(false), error: ErrorInfo }),
]);
export type Prepared = z.infer<typeof Prepared>;

/**
 * The one file → model-input path (loadInput, preprocess, input guard), on whichever thread calls
 * it: a decoding thread of the PreparePool, or the caller for a lone file. Never throws: a file
 * that cannot be read or decoded comes back as its error.
 */
export async function prepareFile(task: PrepareTask): Promise<Prepared> {
  try {
    const t0 = performance.now();
    // The decoded image lives in a reused buffer until this returns; only fresh arrays leave.
    return await withLoadedInput(task.file, task.frame === undefined ? {} : { frame: task.frame }, (input) => {
      const t1 = performance.now();
      const p = task.preprocessing;
      const modelImage = modelInputScratch.takeFloats(inputLength(p));
      preprocess(input.image, p, modelImage, 0);
      const seen = grayFromModelInput(modelImage, p.size, p.mean[0]!, p.std[0]!);
      const t2 = performance.now();
      const { image, format: _format, ...fields } = input;
      // Only the fields present: a structured clone keeps `undefined`, the schema's optional does not need it.
      const header = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as InputHeader;
      // The guard's statistics depend on resolution: a model with another input size is judged on a
      // view of the film at the guard's size, not on its own input.
      const guardView =
        p.size === GUARD_INPUT_SIZE
          ? seen
          : resizeBilinearAntialias(image, GUARD_INPUT_SIZE, GUARD_INPUT_SIZE, centerSquareRegion(image.width, image.height)).data;
      const guard = new InputGuard(task.guard).assess(guardView, GUARD_INPUT_SIZE, {
        ...header,
        imageWidth: image.width,
        imageHeight: image.height,
      });
      return {
        ok: true as const,
        modelImage,
        seen,
        header,
        geometry: { width: image.width, height: image.height, region: networkRegion(image.width, image.height, p) },
        guard,
        decodeMs: t1 - t0,
        preprocessMs: t2 - t1,
        guardMs: performance.now() - t2,
      };
    });
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'IMAGE_DECODE_FAILED') };
  }
}

/** The first channel of a network input, un-normalised back to [0, 1]. */
function grayFromModelInput(input: Float32Array, size: number, mean: number, std: number): Float32Array {
  const plane = new Float32Array(size * size);
  for (let i = 0; i < plane.length; i++) plane[i] = input[i]! * std + mean;
  return plane;
}
