import onnxProto from 'onnx-proto';
import { DenseRayError } from '../../../../shared/errors.ts';
import { activationQuant, quantizeBias, quantizeWeightsPerChannel } from './qdq-math.ts';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.ModelProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;
const DataType = onnx.TensorProto.DataType;

/** Observed range of one activation tensor over the calibration images. */
export interface TensorRange {
  min: number;
  max: number;
}

/**
 * Which tensors a QDQ rewrite quantises: every Conv's input, and every Conv's output (after its
 * ReLU when the ReLU is the Conv's only consumer, so the ReLU folds into the quantised conv).
 * The BatchNorms on concatenations, pooling, the classifier and the CAM matmul stay float32.
 */
export interface QdqConv {
  input: string;
  /** The conv's own output (before any ReLU): where bias correction measures. */
  convOutput: string;
  /** The tensor quantised after the conv: its ReLU's output when the ReLU is its only consumer. */
  output: string;
  weight: string;
  bias: string | undefined;
  outChannels: number;
}

/** Per output channel, added to a conv's bias before quantising (keyed by the conv's weight name). */
export type BiasCorrection = Readonly<Record<string, readonly number[]>>;

/** What turns a float32 graph into its int8 variant: calibrated activation ranges and bias corrections. */
export interface Int8Calibration {
  ranges: Readonly<Record<string, TensorRange>>;
  biasCorrection?: BiasCorrection | undefined;
}

export interface QdqPlan {
  convs: QdqConv[];
  /** Activation tensors to calibrate and quantise, in graph order. */
  activations: string[];
}

export function planQdq(modelBytes: Uint8Array, keepFloat?: (conv: QdqConv, index: number) => boolean): QdqPlan {
  const graph = decode(modelBytes).graph!;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const consumers = consumersOf(graph.node ?? []);
  const convs: QdqPlan['convs'] = [];
  const activations = new Set<string>();
  let index = 0;
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Conv') continue;
    const [input, weight, bias] = node.input ?? [];
    const out = node.output![0]!;
    const users = consumers.get(out) ?? [];
    const output = users.length === 1 && users[0]!.opType === 'Relu' ? users[0]!.output![0]! : out;
    const outChannels = Number(initializers.get(weight!)?.dims?.[0] ?? 0);
    if (!outChannels) throw new DenseRayError('MODEL_INVALID', `conv weight "${weight}" is not an initializer`);
    const conv: QdqConv = { input: input!, convOutput: out, output, weight: weight!, bias: bias || undefined, outChannels };
    if (keepFloat?.(conv, index++)) continue;
    convs.push(conv);
    activations.add(input!);
    activations.add(output);
  }
  if (convs.length === 0) throw new DenseRayError('MODEL_INVALID', 'the graph has no convolution to quantise');
  return { convs, activations: [...activations] };
}

/** A reduction added as an extra graph output `<tensor>.<suffix>` (attributes as in opset 13). */
export interface Reduction {
  tensor: string;
  op: 'ReduceMin' | 'ReduceMax' | 'ReduceMean';
  suffix: string;
  /** Axes reduced; all when absent. */
  axes?: number[];
}

/** Global min and max of each tensor: what range calibration reads. */
export function rangeReductions(tensors: readonly string[]): Reduction[] {
  return tensors.flatMap((tensor) => [
    { tensor, op: 'ReduceMin', suffix: 'min' },
    { tensor, op: 'ReduceMax', suffix: 'max' },
  ]);
}

/** Mean per channel (over batch, height, width) of each NCHW tensor: what bias correction reads. */
export function channelMeanReductions(tensors: readonly string[]): Reduction[] {
  return tensors.map((tensor) => ({ tensor, op: 'ReduceMean', suffix: 'channel_mean', axes: [0, 2, 3] }));
}

/**
 * The same graph with each reduction as an extra output, computed inside the run, so calibration
 * copies a few floats per tensor out of onnxruntime instead of whole activations.
 */
export function withReductions(modelBytes: Uint8Array, reductions: readonly Reduction[]): Uint8Array {
  const model = decode(modelBytes);
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
    graph.output!.push({ name: out, type: { tensorType: { elemType: DataType.FLOAT } } });
  }
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Rewrites a float32 graph into a QDQ graph: QuantizeLinear → DequantizeLinear after each planned
 * activation (uint8, per tensor, from `ranges`), int8 per-channel weights and int32 biases behind
 * DequantizeLinear (bias corrections added first). onnxruntime fuses DQ → Conv (→ ReLU) → Q into
 * one integer convolution.
 */
export function buildQdqGraph(
  modelBytes: Uint8Array,
  calibration: Int8Calibration,
  options: { keepFloat?: (conv: QdqConv, index: number) => boolean } = {},
): Uint8Array {
  const { ranges, biasCorrection } = calibration;
  const plan = planQdq(modelBytes, options.keepFloat);
  const model = decode(modelBytes);
  const graph = model.graph!;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const kept: Tensor[] = [];
  const nodes: Node[] = [];
  const dequantized = new Map<string, string>(); // float tensor → its DQ(Q(·)) replacement
  const activationScale = new Map<string, number>();

  const quantizeActivation = (name: string): void => {
    const range = ranges[name];
    if (!range) throw new DenseRayError('MODEL_INVALID', `no calibration range for tensor "${name}"; quantise the model again`);
    const { scale, zeroPoint } = activationQuant(range.min, range.max);
    activationScale.set(name, scale);
    const s = addInit(kept, `${name}.q_scale`, DataType.FLOAT, [], new Float32Array([scale]));
    const z = addInit(kept, `${name}.q_zero`, DataType.UINT8, [], new Uint8Array([zeroPoint]));
    nodes.push(node('QuantizeLinear', [name, s, z], `${name}.q`));
    nodes.push(node('DequantizeLinear', [`${name}.q`, s, z], `${name}.dq`));
    dequantized.set(name, `${name}.dq`);
  };

  const convByWeight = new Map(plan.convs.map((c) => [c.weight, c]));
  const planned = new Set(plan.activations);
  for (const input of graph.input ?? []) if (planned.has(input.name!)) quantizeActivation(input.name!);
  for (const original of graph.node ?? []) {
    const n: Node = { ...original, input: (original.input ?? []).map((i) => dequantized.get(i) ?? i) };
    const conv = original.opType === 'Conv' ? convByWeight.get(original.input![1]!) : undefined;
    if (conv) {
      const w = initializers.get(conv.weight);
      if (!w?.dims || w.dataType !== DataType.FLOAT)
        throw new DenseRayError('MODEL_INVALID', `conv weight "${conv.weight}" is not a float initializer`);
      const weight = dequantizedWeight(kept, nodes, conv.weight, w);
      n.input![1] = weight.output;
      initializers.delete(conv.weight);
      const correction = biasCorrection?.[conv.weight];
      if (conv.bias || correction) {
        const bias = conv.bias ? floatsOf(initializers.get(conv.bias)!) : new Float32Array(weight.scales.length);
        if (correction) {
          if (correction.length !== bias.length)
            throw new DenseRayError(
              'MODEL_INVALID',
              `bias correction of "${conv.weight}" has ${correction.length} values for ${bias.length} channels`,
            );
          for (let c = 0; c < bias.length; c++) bias[c] = bias[c]! + correction[c]!;
        }
        const inputScale = activationScale.get(conv.input);
        if (inputScale === undefined) throw new DenseRayError('INTERNAL', `conv input "${conv.input}" was not quantised before its conv`);
        n.input![2] = dequantizedBias(kept, nodes, conv.bias ?? `${conv.weight}.bias`, bias, inputScale, weight.scales);
        if (conv.bias) initializers.delete(conv.bias);
      }
    }
    nodes.push(n);
    for (const out of original.output ?? []) if (planned.has(out)) quantizeActivation(out);
  }
  // Graph outputs keep their float producers; only consumers read the dequantised copies.
  graph.node = nodes;
  graph.initializer = [...initializers.values(), ...kept];
  model.docString = `${model.docString ?? ''} Static QDQ int8 (uint8 activations per tensor, int8 weights per channel) by DenseRay.`.trim();
  return onnx.ModelProto.encode(model).finish();
}

/** int8 per-channel weights behind a DequantizeLinear (axis 0); returns the float value's name and the scales. */
function dequantizedWeight(kept: Tensor[], nodes: Node[], name: string, w: Tensor): { output: string; scales: Float32Array } {
  const dims = w.dims!.map(Number);
  const channels = dims[0]!;
  const q = quantizeWeightsPerChannel(floatsOf(w), channels);
  const scale = addInit(kept, `${name}.q_scale`, DataType.FLOAT, [channels], q.scales);
  const zero = addInit(kept, `${name}.q_zero`, DataType.INT8, [channels], new Int8Array(channels));
  addInit(kept, `${name}.q`, DataType.INT8, dims, q.values);
  nodes.push(node('DequantizeLinear', [`${name}.q`, scale, zero], `${name}.dq`, 0));
  return { output: `${name}.dq`, scales: q.scales };
}

/** int32 bias at scale(input) × scale(weight channel) behind a DequantizeLinear, as the integer conv expects. */
function dequantizedBias(
  kept: Tensor[],
  nodes: Node[],
  name: string,
  bias: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
): string {
  const q = quantizeBias(bias, inputScale, weightScales);
  const scale = addInit(kept, `${name}.q_scale`, DataType.FLOAT, [bias.length], q.scales);
  const zero = addInit(kept, `${name}.q_zero`, DataType.INT32, [bias.length], new Int32Array(bias.length));
  addInit(kept, `${name}.q`, DataType.INT32, [bias.length], q.values);
  nodes.push(node('DequantizeLinear', [`${name}.q`, scale, zero], `${name}.dq`, 0));
  return `${name}.dq`;
}

function decode(bytes: Uint8Array): Model {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new DenseRayError('MODEL_INVALID', `not an ONNX model: ${(cause as Error).message}`, { cause });
  }
}

function consumersOf(nodes: Node[]): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const n of nodes) for (const i of n.input ?? []) map.set(i, [...(map.get(i) ?? []), n]);
  return map;
}

function node(opType: string, inputs: string[], output: string, axis?: number): Node {
  return {
    opType,
    name: `${opType}:${output}`,
    input: inputs,
    output: [output],
    attribute: axis === undefined ? [] : [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis }],
  };
}

function addInit(
  into: Tensor[],
  name: string,
  dataType: number,
  dims: number[],
  data: Float32Array | Uint8Array | Int8Array | Int32Array,
): string {
  into.push({ name, dims, dataType, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
  return name;
}

function floatsOf(t: Tensor): Float32Array {
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(t.floatData ?? []);
}
