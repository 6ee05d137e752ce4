import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../../test/helpers/shared.ts';
import { family, FAMILY_VARIANTS, loadFamilyCase, type ExplicitSpec } from '../../../../test/helpers/family-fixtures.ts';
import { maxAbsDiff, range } from '../../../../test/helpers/npy.ts';
import { computeCams } from './cam.ts';
import { buildDenseNetOnnx } from './onnx/densenet-onnx.ts';
import { createOnnxBackend } from './onnx/onnx-backend.ts';
import {
  compressionOf,
  depthOf,
  type DenseNetSpec,
  expectedWeightShapes,
  familyOf,
  featureSide,
  inferSpec,
  manifestSpec,
  parameterCount,
  stemOf,
  usesBottleneck,
} from './spec.ts';
import { initTfjsBackend } from './tfjs/backend.ts';
import { DenseNetTf } from './tfjs/densenet.ts';
import { validateAgainstSpec } from './weights/keymap.ts';
import { loadForeignWeights } from './import-model.ts';
import { ModelManifest } from '../../../common/manifest.ts';

const labelsFile = join(mkdtempSync(join(tmpdir(), 'denseray-family-')), 'labels.json');
writeFileSync(labelsFile, JSON.stringify(['a', 'b', 'c']));
const familyFile = (variant: string): string => join(projectRoot, 'test', 'fixtures', 'densenet-family', `${variant}.safetensors`);

/** Every knob explicit, as the PyTorch side states it. */
function explicit(spec: DenseNetSpec): ExplicitSpec {
  return { ...spec, bottleneck: usesBottleneck(spec), compression: compressionOf(spec), stem: stemOf(spec) };
}

/**
 * The DenseNet family against PyTorch (test/fixtures/densenet-family/make_family.py): plain, B, C and BC;
 * ImageNet and CIFAR stems; θ 0.5, 0.7 and 1; two to four blocks; 1- and 3-channel input.
 */
describe.each(FAMILY_VARIANTS)('DenseNet variant %s', (variant) => {
  const c = loadFamilyCase(variant);

  it('imports as a model whose manifest records the variant', () => {
    const { manifest } = loadForeignWeights({ file: familyFile(variant), labels: labelsFile, inputSize: c.inputSize });
    expect(ModelManifest.parse(manifest).spec).toEqual(manifestSpec(c.spec));
    expect(explicit({ ...manifest.spec, numClasses: 3 })).toEqual(c.spec);
  });

  it('inferSpec recognises it from the weights, and the spec names and shapes every tensor exactly', () => {
    const inferred = inferSpec(c.weights)!;
    expect(explicit(inferred)).toEqual(c.spec);
    expect(() => validateAgainstSpec(c.weights, inferred, variant)).not.toThrow();
    expect([...expectedWeightShapes(inferred).keys()]).toEqual([...c.weights.keys()]);
    expect(parameterCount(inferred, { includeRunningStats: false })).toBe(c.parameters);
    expect(featureSide(inferred, c.inputSize)).toBe(c.features.shape[2]);
  });

  it('ONNX graph: logits, features and CAMs within float32 tolerance of PyTorch', async () => {
    const backend = await createOnnxBackend(
      buildDenseNetOnnx(c.spec, c.weights, c.inputSize),
      [c.spec.inChannels, c.inputSize, c.inputSize],
      {
        threads: 1,
      },
    );
    try {
      const out = await backend.run(c.input.data, c.input.shape[0]!);
      expect(out.featureShape).toEqual(c.features.shape.slice(1));
      expect(maxAbsDiff(out.logits, c.logits.data)).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.features, c.features.data) / range(c.features.data)).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.cams!, c.cam.data) / range(c.cam.data)).toBeLessThan(1e-4);
    } finally {
      await backend.dispose();
    }
  });

  describe('TensorFlow.js (wasm)', () => {
    let net: DenseNetTf;
    beforeAll(async () => {
      await initTfjsBackend('wasm');
      net = DenseNetTf.fromWeights(c.spec, c.weights);
    });
    afterAll(() => net.dispose());

    it('logits, features and CAMs within float32 tolerance of PyTorch', async () => {
      const [n, ch, h, w] = c.input.shape as [number, number, number, number];
      const out = await net.run(c.input.data, [n, ch, h, w]);
      expect(out.featureShape).toEqual(c.features.shape.slice(1));
      expect(maxAbsDiff(out.logits, c.logits.data)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(out.features, c.features.data) / range(c.features.data)).toBeLessThanOrEqual(1e-3);
      const [channels, fh, fw] = out.featureShape;
      const cams = new Float32Array(c.cam.data.length);
      const perImage = channels * fh * fw;
      const classes = c.spec.numClasses;
      for (let i = 0; i < n; i++) {
        const cam = computeCams(
          out.features,
          i * perImage,
          channels,
          fh * fw,
          c.weights.get('classifier.weight')!.data,
          c.weights.get('classifier.bias')!.data,
        );
        cams.set(cam, i * classes * fh * fw);
      }
      expect(maxAbsDiff(cams, c.cam.data) / range(c.cam.data)).toBeLessThanOrEqual(1e-3);
    });
  });
});

describe("the paper's named CIFAR nets (Table 2, 10 classes)", () => {
  it.each(Object.keys(family.paper))('%s: parameter count equals PyTorch and the paper', (name) => {
    const p = family.paper[name]!;
    const count = parameterCount(p.spec, { includeRunningStats: false });
    expect(count).toBe(p.parameters);
    // The table prints millions to one decimal.
    expect(Math.round(count / 1e5) / 10).toBe(p.paperMillions);
    expect(name).toContain(`L=${depthOf(p.spec)}`);
    expect(name.startsWith(familyOf(p.spec) === 'densenet-bc' ? 'DenseNet-BC' : 'DenseNet (')).toBe(true);
  });
});
