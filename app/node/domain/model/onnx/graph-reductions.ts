import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** A reduction added as an extra graph output `<tensor>.<suffix>` (attributes as in opset 13). */
export interface Reduction {
  tensor: string;
  op: 'ReduceMin' | 'ReduceMax' | 'ReduceMean';
  suffix: string;
  /** Axes reduced; all when absent. */
  axes?: number[];
}

/**
 * The same graph with each reduction as an extra output, computed inside the run, so calibration
 * copies a few floats per tensor out of onnxruntime instead of whole activations.
 */
export function withReductions(modelBytes: Uint8Array, reductions: readonly Reduction[]): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  const T = onnx.AttributeProto.AttributeType;
  for (const r of reductions) {
    const out = `${r.tensor}.${r.suffix}`;
    graph.node!.push({
      opType: r.op,
      name: `${r.op}:${out}`,
      input: [r.tensor],
      output: [out],
      attribute: [{ name: 'keepdims', type: T.INT, i: 0 }, ...(r.axes ? [{ name: 'axes', type: T.INTS, ints: r.axes }] : [])],
    });
    graph.output!.push({ name: out, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } });
  }
  return onnx.ModelProto.encode(model).finish();
}
