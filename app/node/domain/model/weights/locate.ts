import { DenseRayError } from '../../../shared/errors.ts';
import type { WeightTensor } from '../tensor.ts';
import { describeValue, PyDict, PyObject, PySet, PyTuple, TensorRef, type PickleValue } from './pickle-values.ts';

/**
 * Finds the weights in an unpickled checkpoint: a bare state_dict, a dict holding one, or a whole
 * pickled module (walked through `_parameters` / `_buffers` / `_modules`, naming tensors exactly
 * as `state_dict()` would), and collects what the file says about the model on the way.
 */

export type Layout = 'state_dict' | 'dict-with-state_dict' | 'module' | 'dict-with-module';

export interface ModuleFacts {
  /** Class of the pickled model, e.g. `torchvision.models.densenet.DenseNet`. */
  rootClass: string;
  /** Every module class in the tree, in first-seen order. */
  moduleClasses: string[];
  /** The classifier's structure, e.g. `Linear` or `Sequential(Linear, Sigmoid)`. */
  classifier?: string;
  /** True when the classifier ends in a Sigmoid, so the model's output is already a probability. */
  classifierEndsInSigmoid: boolean;
  /** TorchXRayVision attributes, when the model carries them. */
  targets?: string[];
  pathologies?: string[];
  opThreshs?: number[];
  applySigmoid?: boolean;
}

export interface LocatedWeights {
  layout: Layout;
  /** The top-level key that held the weights (`state_dict`, `model`, …) for the dict layouts. */
  container?: string;
  /** Tensors under the names the file uses (not yet mapped to torchvision's). */
  tensors: Map<string, TensorRef>;
  /** Scalar top-level entries of a checkpoint dict (`epoch`, `best_loss`, `arch`, …). */
  checkpoint: Record<string, string | number | boolean>;
  module?: ModuleFacts;
}

const CONTAINER_KEYS = ['state_dict', 'model_state_dict', 'model', 'net'];
const MAX_MODULE_DEPTH = 64;

export function locateWeights(root: PickleValue, source: string, read: (t: TensorRef) => WeightTensor): LocatedWeights {
  if (isStateDict(root)) return { layout: 'state_dict', tensors: stateDictTensors(root), checkpoint: {} };
  if (isModule(root)) return { layout: 'module', checkpoint: {}, ...walkModule(root, source, read) };
  if (root instanceof PyDict) {
    const checkpoint = scalarEntries(root);
    for (const key of CONTAINER_KEYS) {
      const value = root.get(key);
      if (isStateDict(value)) return { layout: 'dict-with-state_dict', container: key, tensors: stateDictTensors(value), checkpoint };
      if (isModule(value)) return { layout: 'dict-with-module', container: key, checkpoint, ...walkModule(value, source, read) };
    }
    const keys = root.stringKeys().slice(0, 20).join(', ');
    throw new DenseRayError(
      'WEIGHTS_FORMAT',
      `${source}: found no state_dict or model in the checkpoint (top-level keys: ${keys || 'none'})`,
    );
  }
  throw new DenseRayError(
    'WEIGHTS_FORMAT',
    `${source}: the checkpoint is a ${describeValue(root)}, not a state_dict, checkpoint dict or model`,
  );
}

function isStateDict(v: PickleValue | undefined): v is PyDict {
  if (!(v instanceof PyDict) || v.size === 0) return false;
  for (const [k, t] of v.entries()) if (typeof k !== 'string' || !(t instanceof TensorRef)) return false;
  return true;
}

function stateDictTensors(dict: PyDict): Map<string, TensorRef> {
  const out = new Map<string, TensorRef>();
  for (const [k, t] of dict.entries()) out.set(k as string, t as TensorRef);
  return out;
}

function moduleState(v: PickleValue | undefined): PyDict | undefined {
  if (!(v instanceof PyObject) || !(v.state instanceof PyDict)) return undefined;
  return v.state.has('_parameters') || v.state.has('_modules') ? v.state : undefined;
}

function isModule(v: PickleValue | undefined): v is PyObject {
  return moduleState(v) !== undefined;
}

function scalarEntries(dict: PyDict): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of dict.entries()) {
    if (typeof k !== 'string' || k === '__proto__') continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'bigint') out[k] = Number(v);
  }
  return out;
}

function shortName(obj: PyObject): string {
  return obj.cls.name;
}

/**
 * Bounds on the module walk. A module reachable along several paths (tied submodules, or a
 * crafted pickle whose `_modules` all point at one memoised object, doubling the paths at each of
 * 40 levels) is walked once; its tensors are then named under every path, as state_dict() does,
 * and the count of names is what is bounded. DenseNet-264 names ~1,500 tensors.
 */
const MAX_TENSOR_NAMES = 100_000;

interface Subtree {
  /** Tensors under names relative to the module (`conv.weight`, `0.bias`). */
  tensors: [string, TensorRef][];
  /** Descendant modules by relative path (`''` is the module itself). */
  modules: [string, PyObject][];
}

function walkModule(
  root: PyObject,
  source: string,
  read: (t: TensorRef) => WeightTensor,
): { tensors: Map<string, TensorRef>; module: ModuleFacts } {
  const fail = (message: string): never => {
    throw new DenseRayError('WEIGHTS_FORMAT', `${source}: pickled model is malformed: ${message}`);
  };
  const classes: string[] = [];
  const facts: ModuleFacts = { rootClass: root.cls.qualifiedName, moduleClasses: classes, classifierEndsInSigmoid: false };
  const ancestors = new Set<PyObject>();
  const walked = new Map<PyObject, Subtree>();
  let names = 0;
  const count = (n: number): void => {
    names += n;
    if (names > MAX_TENSOR_NAMES) fail(`more than ${MAX_TENSOR_NAMES} tensor or module names (submodules shared along many paths?)`);
  };

  const visit = (obj: PyObject, path: string, depth: number): Subtree => {
    if (depth > MAX_MODULE_DEPTH) fail(`modules nested deeper than ${MAX_MODULE_DEPTH}`);
    if (ancestors.has(obj)) fail(`module ${path || '(root)'} contains itself`);
    const seen = walked.get(obj);
    if (seen) {
      count(seen.tensors.length + seen.modules.length);
      return seen;
    }
    const state = moduleState(obj) ?? fail(`${path || '(root)'} is a ${obj.cls.qualifiedName} without module state`);
    ancestors.add(obj);
    if (!classes.includes(obj.cls.qualifiedName)) classes.push(obj.cls.qualifiedName);
    collectAttributes(state, facts, read);
    const prefix = path === '' ? '' : `${path}.`;
    const subtree: Subtree = { tensors: [], modules: [['', obj]] };
    const skip = nonPersistent(state.get('_non_persistent_buffers_set'));
    for (const field of ['_parameters', '_buffers']) {
      const entries = state.get(field);
      if (entries === undefined) continue;
      if (!(entries instanceof PyDict)) fail(`${prefix}${field} is a ${describeValue(entries)}`);
      for (const [name, value] of (entries as PyDict).entries()) {
        if (typeof name !== 'string') fail(`${prefix}${field} has a non-string key`);
        if (value === null || skip.has(name as string)) continue; // state_dict() leaves out None and non-persistent buffers
        if (!(value instanceof TensorRef)) fail(`${prefix}${String(name)} is a ${describeValue(value)}, not a tensor`);
        subtree.tensors.push([name as string, value as TensorRef]);
      }
    }
    count(subtree.tensors.length + 1);
    const children = state.get('_modules');
    if (children !== undefined && children !== null) {
      if (!(children instanceof PyDict)) fail(`${prefix}_modules is a ${describeValue(children)}`);
      for (const [name, child] of (children as PyDict).entries()) {
        if (typeof name !== 'string') fail(`${prefix}_modules has a non-string key`);
        if (child === null) continue;
        if (!isModule(child)) fail(`${prefix}${String(name)} is a ${describeValue(child)}, not a module`);
        const sub = visit(child as PyObject, `${prefix}${String(name)}`, depth + 1);
        for (const [rel, t] of sub.tensors) subtree.tensors.push([`${name}.${rel}`, t]);
        for (const [rel, m] of sub.modules) subtree.modules.push([rel === '' ? String(name) : `${name}.${rel}`, m]);
      }
    }
    ancestors.delete(obj);
    walked.set(obj, subtree);
    return subtree;
  };
  const all = visit(root, '', 0);
  const tensors = new Map(all.tensors);
  const modulesByPath = new Map(all.modules);

  // The classifier nearest the root (a DataParallel wrapper puts the model one level down).
  const classifierPath = [...modulesByPath.keys()]
    .filter((p) => p === 'classifier' || p.endsWith('.classifier'))
    .sort((a, b) => a.length - b.length)[0];
  const classifier = classifierPath === undefined ? undefined : modulesByPath.get(classifierPath);
  if (classifier) {
    const children = [...modulesByPath.entries()]
      .filter(([p]) => p.startsWith(`${classifierPath}.`) && !p.slice(classifierPath!.length + 1).includes('.'))
      .map(([, m]) => m);
    facts.classifier = children.length > 0 ? `${shortName(classifier)}(${children.map(shortName).join(', ')})` : shortName(classifier);
    facts.classifierEndsInSigmoid = children.length > 0 && shortName(children[children.length - 1]!) === 'Sigmoid';
  }
  return { tensors, module: facts };
}

function nonPersistent(v: PickleValue | undefined): Set<string> {
  const items = v instanceof PySet ? v.items : Array.isArray(v) ? v : [];
  return new Set(items.filter((x): x is string => typeof x === 'string'));
}

function stringList(v: PickleValue | undefined): string[] | undefined {
  const items = Array.isArray(v) ? v : v instanceof PyTuple ? v.items : undefined;
  if (!items?.every((x) => typeof x === 'string')) return undefined;
  return items as string[];
}

/** TorchXRayVision keeps its label order and calibration on the model object; first module seen wins. */
function collectAttributes(state: PyDict, facts: ModuleFacts, read: (t: TensorRef) => WeightTensor): void {
  facts.targets ??= stringList(state.get('targets'));
  facts.pathologies ??= stringList(state.get('pathologies'));
  const sigmoid = state.get('apply_sigmoid');
  if (facts.applySigmoid === undefined && typeof sigmoid === 'boolean') facts.applySigmoid = sigmoid;
  if (facts.opThreshs === undefined) {
    const buffers = state.get('_buffers');
    const op = state.get('op_threshs') ?? (buffers instanceof PyDict ? buffers.get('op_threshs') : undefined);
    if (op instanceof TensorRef) facts.opThreshs = Array.from(read(op).data);
    else {
      const list = Array.isArray(op) ? op : op instanceof PyTuple ? op.items : undefined;
      if (list?.every((x) => typeof x === 'number' || x === null)) facts.opThreshs = list.map((x) => (x === null ? NaN : (x as number)));
    }
  }
}
