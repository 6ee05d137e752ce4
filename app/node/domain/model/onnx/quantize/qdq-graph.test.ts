import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../../../../../test/helpers/npy.ts';
import { shared } from '../../../../../../test/helpers/shared.ts';
import { DenseRayError } from '../../../../shared/errors.ts';
import { inferSpec } from '../../spec.ts';
import { readSafetensors } from '../../weights/safetensors.ts';
import { buildDenseNetOnnx } from '../densenet-onnx.ts';
import { createOnnxBackend } from '../onnx-backend.ts';
import { calibrateRanges } from './calibrate.ts';
import { buildQdqGraph, planQdq } from './qdq-graph.ts';

const { tensors } = readSafetensors(readFileSync(shared('reference', 'tiny-densenet.safetensors')));
const fp32 = buildDenseNetOnnx(inferSpec(tensors)!, tensors, 64);
const ref = (item: string) => readNpy(shared('reference', 'refs', `tiny.${item}.npy`));

describe('QDQ rewrite of the tiny reference DenseNet', () => {
  it('plans every convolution: its input and its (post-ReLU where fused) output', () => {
    const plan = planQdq(fp32);
    expect(plan.convs).toHaveLength(1 + 4 * 2 * 2 + 3); // stem, two conv pairs in each of four blocks, three transitions
    expect(plan.convs[0]).toMatchObject({ input: 'input', weight: 'features.conv0+features.norm0.weight' });
    expect(plan.activations).toContain('input');
  });

  it('onnxruntime runs every convolution as an integer QLinearConv, and the result stays near float32 (PyTorch) outputs', async () => {
    const input = ref('random0.input');
    const { ranges } = await calibrateRanges(fp32, [3, 64, 64], [ref('00000284_000.input').data, ref('random1.input').data, input.data]);
    const qdq = buildQdqGraph(fp32, { ranges });
    const dir = mkdtempSync(join(tmpdir(), 'denseray-qdq-'));
    try {
      const optimized = join(dir, 'optimized.onnx');
      const session = await ort.InferenceSession.create(qdq, { graphOptimizationLevel: 'all', optimizedModelFilePath: optimized });
      await session.release();
      const ops = onnxProto.onnx.ModelProto.decode(readFileSync(optimized)).graph!.node!.map((n) => n.opType);
      expect(ops.filter((op) => op === 'QLinearConv')).toHaveLength(planQdq(fp32).convs.length);
      expect(ops).not.toContain('Conv');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const backend = await createOnnxBackend(qdq, [3, 64, 64], { threads: 1, precision: 'int8' });
    const out = await backend.run(input.data, 1);
    await backend.dispose();
    const logits = ref('random0.logits').data;
    const worst = Math.max(...Array.from(logits, (l, k) => Math.abs(l - out.logits[k]!)));
    // Quantisation error, not a broken graph: well under the logits' own spread on this input.
    const spread = Math.max(...logits) - Math.min(...logits);
    expect(worst).toBeLessThan(0.1 * spread);
    expect(worst).toBeGreaterThan(0); // and it really is the quantised graph
    expect(backend.precision).toBe('int8');
    expect(backend.detail).toContain('int8');
  });

  it('a tensor without a calibration range is refused with MODEL_INVALID', () => {
    expect(() => buildQdqGraph(fp32, { ranges: {} })).toThrow(DenseRayError);
  });
});
