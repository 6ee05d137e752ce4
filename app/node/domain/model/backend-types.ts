/** Raw network outputs for a batch: logits N×K and the CAM features N×C×h×w (relu(norm5), NCHW). */
export interface InferenceOutput {
  logits: Float32Array;
  features: Float32Array;
  featureShape: [channels: number, height: number, width: number];
  /** N×K×h×w CAMs when the backend computes them itself (the ONNX graph does); else the engine does. */
  cams?: Float32Array | undefined;
}

/** One way of running a DenseNet forward pass; the engine does not care which. */
export interface InferenceBackend {
  readonly name: 'onnx' | 'tfjs';
  /** What exactly runs, e.g. `onnxruntime-node 1.30 cpu, 2 threads` or `tfjs-wasm`. */
  readonly detail: string;
  /** Intra-op threads it was asked to use; undefined = as many as it likes (all cores). */
  readonly threads?: number | undefined;
  /** What the arithmetic runs in: `int8` only for a quantised graph on onnxruntime. */
  readonly precision: 'fp32' | 'int8';
  /** `input` is N×C×H×W float32, already preprocessed. */
  run(input: Float32Array, batch: number): Promise<InferenceOutput>;
  dispose(): Promise<void>;
}
