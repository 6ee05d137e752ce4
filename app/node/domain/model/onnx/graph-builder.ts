import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

type Attribute = { name: string; ints?: number[]; i?: number; f?: number; s?: string };

/** A graph input or output: float32 unless `elemType` says otherwise (onnx.TensorProto.DataType). */
export interface ValueSpec {
  name: string;
  dims: (number | string)[];
  elemType?: number;
}

/**
 * A tiny ONNX graph writer: named float initializers and nodes, serialised with the onnx-proto
 * schema (IR 7, opset 13 — what onnxruntime-node loads without conversion).
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private counter = 0;

  /** A fresh value name with a readable prefix. */
  name(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  constant(name: string, dims: number[], data: Float32Array): string {
    const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
    return name;
  }

  /** An initializer of any element type (onnx.TensorProto.DataType) from its little-endian bytes. */
  constantOf(name: string, dataType: number, dims: number[], data: ArrayBufferView): string {
    const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name, dims, dataType, rawData: raw });
    return name;
  }

  constantInt64(name: string, values: number[]): string {
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  node(opType: string, inputs: string[], attributes: Attribute[] = [], outputName?: string): string {
    return this.nodeIn('', opType, inputs, attributes, [outputName ?? this.name(opType.toLowerCase())])[0]!;
  }

  /** A node of operator set `domain` ('' is ONNX's own) with any number of outputs. */
  nodeIn(domain: string, opType: string, inputs: string[], attributes: Attribute[], outputs: string[]): string[] {
    this.nodes.push({
      ...(domain ? { domain } : {}),
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: [...outputs],
      attribute: attributes.map(toAttributeProto),
    });
    return [...outputs];
  }

  /**
   * Serialises the graph. The defaults (IR 7, opset 13, one input) are the inference graph's; the
   * training graph takes several inputs and opset 17 (ScatterElements with reduction).
   */
  encode(options: {
    graphName: string;
    input?: ValueSpec;
    inputs?: ValueSpec[];
    outputs: ValueSpec[];
    docString?: string;
    opset?: number;
    /** Operator sets besides ONNX's own, e.g. onnxruntime's `com.microsoft`. */
    extraOpsets?: { domain: string; version: number }[];
  }): Uint8Array {
    const inputs = options.inputs ?? (options.input ? [options.input] : []);
    const opset = options.opset ?? 13;
    const model = onnx.ModelProto.create({
      irVersion: opset > 13 ? 8 : 7,
      producerName: 'denseray',
      producerVersion: '1',
      docString: options.docString ?? '',
      opsetImport: [{ domain: '', version: opset }, ...(options.extraOpsets ?? [])],
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: inputs.map((i) => valueInfo(i.name, i.dims, i.elemType)),
        output: options.outputs.map((o) => valueInfo(o.name, o.dims, o.elemType)),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function toAttributeProto(a: Attribute): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (a.ints !== undefined) return { name: a.name, type: T.INTS, ints: a.ints };
  if (a.f !== undefined) return { name: a.name, type: T.FLOAT, f: a.f };
  if (a.s !== undefined) return { name: a.name, type: T.STRING, s: new TextEncoder().encode(a.s) };
  return { name: a.name, type: T.INT, i: a.i ?? 0 };
}

function valueInfo(name: string, dims: (number | string)[], elemType?: number): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elemType ?? onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
