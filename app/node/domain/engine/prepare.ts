import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { ImageGeometry } from '../../../common/contract/classify.ts';
import { ErrorInfo } from '../../../common/errors.ts';
import { Preprocessing } from '../../../common/manifest.ts';
import { toErrorInfo } from '../../shared/errors.ts';
import { GUARD_INPUT_SIZE } from '../guard/input-guard.ts';
import { inputLength, preprocess } from '../imaging/preprocess.ts';
import { centerSquareRegion, resizeBilinearAntialias } from '../imaging/resize.ts';
import { networkRegion } from '../imaging/geometry.ts';
import { type InputHeader, loadInput } from '../input/load-input.ts';

/** One file to turn into a network input. */
export const PrepareTask = z.object({
  file: z.string(),
  frame: z.number().int().nonnegative().optional(),
  preprocessing: Preprocessing,
});
export type PrepareTask = z.infer<typeof PrepareTask>;

/** A file as the network will see it (C×size×size, normalised), or why it cannot be. */
export const Prepared = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    modelImage: z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array'),
    /** What the file's header says, for the input guard (empty for PNG/JPEG). */
    header: z.object({
      modality: z.string().optional(),
      sopClassUid: z.string().optional(),
      viewPosition: z.string().optional(),
      bodyPartExamined: z.string().optional(),
    }),
    geometry: ImageGeometry,
    /** The film at the guard's size, for models whose input is another size (the guard's statistics are size-dependent). */
    guardView: z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array').optional(),
    decodeMs: z.number(),
    preprocessMs: z.number(),
  }),
  z.object({ ok: z.literal(false), error: ErrorInfo }),
]);
export type Prepared = z.infer<typeof Prepared>;

/**
 * The one file → model-input path (loadInput, then preprocess), on whichever thread calls it.
 * Never throws: a file that cannot be read or decoded comes back as its error.
 */
export async function prepareFile(task: PrepareTask): Promise<Prepared> {
  try {
    const t0 = performance.now();
    const input = await loadInput(task.file, task.frame === undefined ? {} : { frame: task.frame });
    const t1 = performance.now();
    const modelImage = new Float32Array(inputLength(task.preprocessing));
    preprocess(input.image, task.preprocessing, modelImage, 0);
    const guardView =
      task.preprocessing.size === GUARD_INPUT_SIZE
        ? undefined
        : resizeBilinearAntialias(
            input.image,
            GUARD_INPUT_SIZE,
            GUARD_INPUT_SIZE,
            centerSquareRegion(input.image.width, input.image.height),
          ).data;
    const { image, format: _format, ...fields } = input;
    // Only the fields present: a structured clone keeps `undefined`, the schema's optional does not need it.
    const header = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as InputHeader;
    return {
      ok: true,
      modelImage,
      header,
      geometry: { width: image.width, height: image.height, region: networkRegion(image.width, image.height, task.preprocessing) },
      ...(guardView ? { guardView } : {}),
      decodeMs: t1 - t0,
      preprocessMs: performance.now() - t1,
    };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'IMAGE_DECODE_FAILED') };
  }
}
