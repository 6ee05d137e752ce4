import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

type Attribute = { name: string; ints?: number[]; i?: number; f?: number };

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
    const output = outputName ?? this.name(opType.toLowerCase());
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: inputs,
      output: [output],
      attribute: attributes.map(toAttributeProto),
    });
    return output;
  }

  encode(options: {
    graphName: string;
    input: { name: string; dims: (number | string)[] };
    outputs: { name: string; dims: (number | string)[] }[];
    docString?: string;
  }): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'denseray',
      producerVersion: '1',
      docString: options.docString ?? '',
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo(options.input.name, options.input.dims)],
        output: options.outputs.map((o) => valueInfo(o.name, o.dims)),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function toAttributeProto(a: Attribute): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (a.ints !== undefined) return { name: a.name, type: T.INTS, ints: a.ints };
  if (a.f !== undefined) return { name: a.name, type: T.FLOAT, f: a.f };
  return { name: a.name, type: T.INT, i: a.i ?? 0 };
}

function valueInfo(name: string, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
