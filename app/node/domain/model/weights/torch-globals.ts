import { DenseRayError } from '../../../shared/errors.ts';
import {
  describeValue,
  PyDict,
  PyGlobal,
  PyObject,
  PySet,
  PyTuple,
  StorageRef,
  TensorRef,
  type GlobalRole,
  type PickleValue,
  type StorageDType,
} from './pickle-values.ts';

/**
 * The allow-list: the only globals a weights pickle may name. Each resolves to an inert role;
 * nothing is imported or called. Everything else (os.system, builtins.eval, …) is WEIGHTS_UNSAFE.
 */

const STORAGE_DTYPES: Record<string, StorageDType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const EXACT: Record<string, GlobalRole> = {
  'collections.OrderedDict': { kind: 'ordered-dict' },
  'builtins.set': { kind: 'set' },
  '__builtin__.set': { kind: 'set' },
  'builtins.frozenset': { kind: 'set' },
  '__builtin__.frozenset': { kind: 'set' },
  'torch._utils._rebuild_tensor': { kind: 'rebuild-tensor', version: 1 },
  'torch._utils._rebuild_tensor_v2': { kind: 'rebuild-tensor', version: 2 },
  'torch._utils._rebuild_parameter': { kind: 'rebuild-parameter', withState: false },
  'torch._utils._rebuild_parameter_with_state': { kind: 'rebuild-parameter', withState: true },
  'torch.Size': { kind: 'torch-size' },
  'torch.device': { kind: 'torch-device' },
  // DataParallel-wrapped whole models (old checkpoints): its __dict__ holds the real model under _modules.module.
  'torch.nn.parallel.data_parallel.DataParallel': { kind: 'class' },
  ...Object.fromEntries(
    [
      'float32',
      'float',
      'float64',
      'double',
      'float16',
      'half',
      'bfloat16',
      'int64',
      'long',
      'int32',
      'int',
      'int16',
      'int8',
      'uint8',
      'bool',
    ].map((d): [string, GlobalRole] => [`torch.${d}`, { kind: 'constant' }]),
  ),
};

/** Modules whose classes become inert object records (whole pickled models). */
const CLASS_MODULE_PREFIXES = ['torch.nn.modules.', 'torchvision.models.densenet', 'torchxrayvision.models'];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function classModuleAllowed(module: string): boolean {
  return CLASS_MODULE_PREFIXES.some((p) => (p.endsWith('.') ? module.startsWith(p) : module === p || module.startsWith(`${p}.`)));
}

export function resolveGlobal(module: string, name: string): PyGlobal {
  const qualified = `${module}.${name}`;
  // Plain identifiers only: a dotted name would let Python's find_class walk attributes to anything.
  if (!DOTTED.test(module) || !IDENTIFIER.test(name)) {
    throw new DenseRayError('WEIGHTS_UNSAFE', `pickle names a malformed global ${JSON.stringify(qualified)}; refusing to load it`, {
      details: { global: qualified },
    });
  }
  // Object.hasOwn: a name like `constructor` must not find Object.prototype's members.
  if (Object.hasOwn(EXACT, qualified)) return new PyGlobal(module, name, EXACT[qualified]!);
  if ((module === 'torch' || module === 'torch.cuda') && Object.hasOwn(STORAGE_DTYPES, name)) {
    return new PyGlobal(module, name, { kind: 'storage-type', dtype: STORAGE_DTYPES[name]! });
  }
  if (classModuleAllowed(module)) return new PyGlobal(module, name, { kind: 'class' });
  throw new DenseRayError(
    'WEIGHTS_UNSAFE',
    `pickle references ${qualified}, which is not on the allow-list of weight-file globals; refusing to load it (a pickle can run code through such names)`,
    { details: { global: qualified } },
  );
}

function formatError(message: string): DenseRayError {
  return new DenseRayError('WEIGHTS_FORMAT', message);
}

/** REDUCE: `callable(*args)`, only for allow-listed callables, computed without running Python. */
export function applyReduce(fn: PickleValue, args: PickleValue): PickleValue {
  if (!(fn instanceof PyGlobal)) throw formatError(`REDUCE applied to ${describeValue(fn)}, not a global`);
  if (!(args instanceof PyTuple))
    throw formatError(`REDUCE on ${fn.qualifiedName} with ${describeValue(args)} instead of an argument tuple`);
  const a = args.items;
  const role = fn.role;
  switch (role.kind) {
    case 'ordered-dict':
      return buildDict(fn, a, true);
    case 'set': {
      if (a.length === 0) return new PySet([]);
      const items = a[0];
      if (a.length === 1 && Array.isArray(items)) return new PySet([...items]);
      if (a.length === 1 && items instanceof PyTuple) return new PySet([...items.items]);
      throw formatError(`${fn.qualifiedName} called with ${describeValue(items)}`);
    }
    case 'rebuild-tensor':
      return rebuildTensor(fn, a, role.version);
    case 'rebuild-parameter': {
      const data = a[0];
      if (!(data instanceof TensorRef) || a.length < 3) throw formatError(`${fn.qualifiedName} called without a tensor`);
      return new TensorRef(data.storage, data.offset, data.shape, data.stride, true);
    }
    case 'torch-size': {
      const dims = a[0];
      if (a.length === 1 && dims instanceof PyTuple) return dims;
      throw formatError('torch.Size called without a tuple');
    }
    case 'torch-device':
    case 'class':
      return new PyObject(fn, a);
    case 'storage-type':
    case 'constant':
      throw new DenseRayError('WEIGHTS_UNSAFE', `pickle calls ${fn.qualifiedName}; weights files never do`);
  }
}

/** NEWOBJ: `cls.__new__(cls, *args)`; only classes get an (inert) instance. */
export function applyNewObj(cls: PickleValue, args: PickleValue): PickleValue {
  if (!(cls instanceof PyGlobal)) throw formatError(`NEWOBJ applied to ${describeValue(cls)}, not a class`);
  if (!(args instanceof PyTuple)) throw formatError(`NEWOBJ on ${cls.qualifiedName} without an argument tuple`);
  if (cls.role.kind === 'class' || cls.role.kind === 'torch-device') return new PyObject(cls, args.items);
  if (cls.role.kind === 'ordered-dict') return buildDict(cls, args.items, true);
  if (cls.role.kind === 'set') return new PySet([]);
  throw new DenseRayError('WEIGHTS_UNSAFE', `pickle instantiates ${cls.qualifiedName} with NEWOBJ; weights files never do`);
}

function buildDict(fn: PyGlobal, a: readonly PickleValue[], ordered: boolean): PyDict {
  const dict = new PyDict(ordered);
  if (a.length === 0) return dict;
  const pairs = a[0];
  const list = Array.isArray(pairs) ? pairs : pairs instanceof PyTuple ? pairs.items : undefined;
  if (a.length !== 1 || !list) throw formatError(`${fn.qualifiedName} called with ${describeValue(pairs)}`);
  for (const pair of list) {
    const kv = Array.isArray(pair) ? pair : pair instanceof PyTuple ? pair.items : undefined;
    if (kv?.length !== 2) throw formatError(`${fn.qualifiedName} given an item that is not a pair`);
    dict.set(kv[0]!, kv[1]!);
  }
  return dict;
}

/** Above this many elements a tensor is not a DenseNet weight but an attempt to exhaust memory. */
const MAX_TENSOR_ELEMENTS = 1 << 28;

function intList(v: PickleValue | undefined, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : undefined;
  if (!items) throw formatError(`tensor ${what} is ${describeValue(v)}, not a tuple`);
  if (items.length > 16) throw formatError(`tensor ${what} has ${items.length} dimensions`);
  return items.map((x) => {
    const n = typeof x === 'bigint' ? Number(x) : x;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw formatError(`tensor ${what} holds ${String(x)}`);
    return n;
  });
}

function rebuildTensor(fn: PyGlobal, a: readonly PickleValue[], version: 1 | 2): TensorRef {
  const [storage, offsetValue, sizeValue, strideValue] = a;
  if (a.length < (version === 1 ? 4 : 6)) throw formatError(`${fn.qualifiedName} called with ${a.length} arguments`);
  if (!(storage instanceof StorageRef)) throw formatError(`${fn.qualifiedName} given ${describeValue(storage)} instead of a storage`);
  const offset = typeof offsetValue === 'bigint' ? Number(offsetValue) : offsetValue;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    throw formatError('tensor storage offset is not a non-negative integer');
  const shape = intList(sizeValue, 'size');
  const stride = intList(strideValue, 'stride');
  if (shape.length !== stride.length)
    throw formatError(`tensor size ${JSON.stringify(shape)} and stride ${JSON.stringify(stride)} differ in rank`);
  const count = shape.reduce((x, y) => x * y, 1);
  if (count > MAX_TENSOR_ELEMENTS) throw formatError(`tensor of shape ${JSON.stringify(shape)} is implausibly large`);
  if (count > 0) {
    const last = shape.reduce((acc, d, i) => acc + (d - 1) * stride[i]!, offset);
    if (last >= storage.numel) {
      throw formatError(
        `tensor of shape ${JSON.stringify(shape)}, stride ${JSON.stringify(stride)}, offset ${offset} reaches past its storage of ${storage.numel} elements`,
      );
    }
  }
  return new TensorRef(storage, offset, shape, stride, false);
}
