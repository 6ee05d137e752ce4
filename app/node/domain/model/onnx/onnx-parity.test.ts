import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, range, readNpy } from '../../../../../test/helpers/npy.ts';
import { shared } from '../../../../../test/helpers/shared.ts';
import type { InferenceBackend } from '../backend-types.ts';
import { inferSpec } from '../spec.ts';
import { readSafetensors } from '../weights/safetensors.ts';
import { buildDenseNetOnnx } from './densenet-onnx.ts';
import { createOnnxBackend } from './onnx-backend.ts';

const ref = (model: string, item: string) => readNpy(shared('reference', 'refs', `${model}.${item}.npy`));

describe.each([
  { model: 'tiny', file: 'tiny-densenet.safetensors', size: 64, cases: ['00000284_000', 'random0', 'random1'] },
  { model: 'densenet121-synthetic14', file: 'densenet121-synthetic14.safetensors', size: 224, cases: ['random0', '00000284_000', 'batch'] },
])('ONNX graph vs PyTorch: $model', ({ model, file, size, cases }) => {
  let backend: InferenceBackend;
  beforeAll(async () => {
    const { tensors } = readSafetensors(readFileSync(shared('reference', file)));
    const spec = inferSpec(tensors)!;
    backend = await createOnnxBackend(buildDenseNetOnnx(spec, tensors, size), [3, size, size], { threads: 1 });
  });
  afterAll(() => backend.dispose());

  it.each(cases)('%s: logits, features within float32 tolerance', async (c) => {
    const input = ref(model, `${c}.input`);
    const out = await backend.run(input.data, input.shape[0]!);
    const logits = ref(model, `${c}.logits`).data;
    const features = ref(model, `${c}.features`).data;
    expect(maxAbsDiff(out.logits, logits)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.features, features) / range(features)).toBeLessThan(1e-4);
    const cams = ref(model, `${c}.cam`).data;
    expect(maxAbsDiff(out.cams!, cams) / range(cams)).toBeLessThan(1e-4);
  });
});
