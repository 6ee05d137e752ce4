import type * as ort from 'onnxruntime-node';
import { DenseRayError } from '../../../shared/errors.ts';
import type { DenseNetSpec } from '../../model/spec.ts';
import type { WeightMap } from '../../model/tensor.ts';
import { openTrainingSession, ORT_VERSION, runSession, tensor } from './onnx-session.ts';
import {
  buildTrainingGraphs,
  gradName,
  TRAIN_INPUT,
  TRAIN_LOGITS,
  TRAIN_LOSS,
  TRAIN_POS_WEIGHT,
  TRAIN_SCALE,
  TRAIN_TARGETS,
  type TrainedPart,
} from './training-graph.ts';

export interface OnnxTrainingNetOptions {
  spec: DenseNetSpec;
  /** The whole starting network (torchvision names): trainable values are copied out of it, running statistics baked in. */
  weights: WeightMap;
  part: TrainedPart;
  inputSize: number;
  threads?: number | undefined;
  filterGrad3x3?: 'im2col' | 'conv';
}

/**
 * The trained part of a DenseNet on onnxruntime: parameters as host Float32Arrays (PyTorch layout),
 * one graph for loss + gradients, one for logits. The optimiser lives on the host and edits
 * `parameters` in place between runs.
 */
export class OnnxTrainingNet {
  readonly detail: string;
  private readonly grads = new Map<string, Float32Array>();
  private readonly gradFetches: Record<string, ort.Tensor> = {};
  private readonly logitBuffers = new Map<number, ort.Tensor>();
  private readonly loss = new Float32Array(1);
  private readonly scale = new Float32Array(1);
  /** Tensors over the parameter arrays, made once: the optimiser updates the arrays in place. */
  private readonly parameterTensors: Record<string, ort.Tensor> = {};

  private constructor(
    readonly parameters: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
    readonly sampleShape: number[],
    readonly classes: number,
    private readonly train: ort.InferenceSession,
    private readonly evaluate: ort.InferenceSession,
    threads: number | undefined,
  ) {
    this.detail = `onnxruntime-node ${ORT_VERSION} cpu, ${threads ? `${threads} threads` : 'default threads'}, DenseRay backward graph`;
    for (const [name, p] of parameters) {
      this.parameterTensors[name] = tensor(p.data, p.shape);
      const grad = new Float32Array(p.data.length);
      this.grads.set(name, grad);
      this.gradFetches[gradName(name)] = tensor(grad, p.shape);
    }
  }

  static async create(o: OnnxTrainingNetOptions): Promise<OnnxTrainingNet> {
    const graphs = buildTrainingGraphs({
      spec: o.spec,
      weights: o.weights,
      part: o.part,
      inputSize: o.inputSize,
      ...(o.filterGrad3x3 ? { filterGrad3x3: o.filterGrad3x3 } : {}),
    });
    const parameters = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const name of graphs.parameters) {
      const w = o.weights.get(name);
      if (!w) throw new DenseRayError('WEIGHTS_MISMATCH', `the starting weights have no ${name}`);
      parameters.set(name, { shape: [...w.shape], data: Float32Array.from(w.data) });
    }
    const train = await openTrainingSession(graphs.train, 'training step', o.threads);
    let evaluate: ort.InferenceSession;
    try {
      evaluate = await openTrainingSession(graphs.eval, 'training evaluation', o.threads);
    } catch (error) {
      await train.release();
      throw error;
    }
    return new OnnxTrainingNet(parameters, graphs.sampleShape, o.spec.numClasses, train, evaluate, o.threads);
  }

  /**
   * Loss and gradients of `rows` samples. `scale` = 1/(rows of the whole optimiser step · classes), so
   * summing the results of a step's micro-batches gives the step's mean loss and gradient exactly.
   * The returned arrays are this net's own buffers, overwritten by the next call.
   */
  async gradients(
    x: Float32Array,
    targets: Float32Array,
    rows: number,
    positiveWeight: Float32Array,
    scale: number,
  ): Promise<{ loss: number; logits: Float32Array; grads: ReadonlyMap<string, Float32Array> }> {
    this.scale[0] = scale;
    const feeds: Record<string, ort.Tensor> = {
      [TRAIN_INPUT]: tensor(x, [rows, ...this.sampleShape]),
      [TRAIN_TARGETS]: tensor(targets, [rows, this.classes]),
      [TRAIN_POS_WEIGHT]: tensor(positiveWeight, [this.classes]),
      [TRAIN_SCALE]: tensor(this.scale, []),
      ...this.parameterFeeds(),
    };
    const logits = this.logitsBuffer(rows);
    await runSession(this.train, feeds, 'the training step', {
      [TRAIN_LOSS]: tensor(this.loss, []),
      [TRAIN_LOGITS]: logits,
      ...this.gradFetches,
    });
    return { loss: this.loss[0]!, logits: logits.data as Float32Array, grads: this.grads };
  }

  /** Logits of `rows` samples (a fresh array). */
  async logits(x: Float32Array, rows: number): Promise<Float32Array> {
    const logits = this.logitsBuffer(rows);
    await runSession(this.evaluate, { [TRAIN_INPUT]: tensor(x, [rows, ...this.sampleShape]), ...this.parameterFeeds() }, 'prediction', {
      [TRAIN_LOGITS]: logits,
    });
    return (logits.data as Float32Array).slice();
  }

  /** One reused output tensor per batch size (the last batch of an epoch is usually smaller). */
  private logitsBuffer(rows: number): ort.Tensor {
    let t = this.logitBuffers.get(rows);
    if (!t) {
      t = tensor(new Float32Array(rows * this.classes), [rows, this.classes]);
      this.logitBuffers.set(rows, t);
    }
    return t;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.train.release(), this.evaluate.release()]);
  }

  private parameterFeeds(): Record<string, ort.Tensor> {
    return this.parameterTensors;
  }
}
