/**
 * The inert values a pickle can produce in DenseRay. Nothing here refers to Python behaviour:
 * globals are names, objects are records of (class name, constructor args, __dict__).
 */

export type StorageDType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[] // a Python list (mutable)
  | PyTuple
  | PyDict
  | PySet
  | PyGlobal
  | PyObject
  | StorageRef
  | TensorRef;

export class PyTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** dict / OrderedDict; insertion order is kept, keys are compared by value for primitives. */
export class PyDict {
  private readonly index = new Map<unknown, number>();
  private readonly keyList: PickleValue[] = [];
  private readonly valueList: PickleValue[] = [];
  /** Instance state BUILD gave the dict (OrderedDict's `_metadata`), kept only for inspection. */
  attrs: PickleValue | undefined;

  constructor(readonly ordered: boolean) {}

  set(key: PickleValue, value: PickleValue): void {
    const k = indexKey(key);
    const at = this.index.get(k);
    if (at === undefined) {
      this.index.set(k, this.keyList.length);
      this.keyList.push(key);
      this.valueList.push(value);
    } else {
      this.valueList[at] = value;
    }
  }

  get(key: string): PickleValue | undefined {
    const at = this.index.get(indexKey(key));
    return at === undefined ? undefined : this.valueList[at];
  }

  has(key: string): boolean {
    return this.index.has(indexKey(key));
  }

  get size(): number {
    return this.keyList.length;
  }

  *entries(): IterableIterator<[PickleValue, PickleValue]> {
    for (let i = 0; i < this.keyList.length; i++) yield [this.keyList[i]!, this.valueList[i]!];
  }

  /** The string keys, for messages. */
  stringKeys(): string[] {
    return this.keyList.filter((k): k is string => typeof k === 'string');
  }
}

function indexKey(key: PickleValue): unknown {
  if (typeof key === 'string') return `s:${key}`;
  if (typeof key === 'number' || typeof key === 'bigint') return `n:${String(key)}`;
  if (typeof key === 'boolean') return `n:${key ? 1 : 0}`;
  if (key === null) return 'none';
  return key; // tuples and other objects: by identity, which is all a weights file needs
}

export class PySet {
  constructor(readonly items: PickleValue[]) {}
}

/** What an allow-listed global stands for; decides what REDUCE / NEWOBJ may do with it. */
export type GlobalRole =
  | { kind: 'ordered-dict' }
  | { kind: 'set' }
  | { kind: 'rebuild-tensor'; version: 1 | 2 }
  | { kind: 'rebuild-parameter'; withState: boolean }
  | { kind: 'storage-type'; dtype: StorageDType }
  | { kind: 'torch-size' }
  | { kind: 'torch-device' }
  /** A value, never called: torch dtypes such as `torch.float32` stored as module attributes. */
  | { kind: 'constant' }
  | { kind: 'class' };

/** A resolved, allow-listed `module.name` reference. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly role: GlobalRole,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of an allow-listed class, never constructed: its class name, args and the state BUILD gave it. */
export class PyObject {
  state: PickleValue | undefined;
  constructor(
    readonly cls: PyGlobal,
    readonly args: readonly PickleValue[],
  ) {}
}

/**
 * A storage named by a persistent id. `elementOffset`/`numel` select a window of the stored
 * bytes (non-zero only for legacy storage views).
 */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: StorageDType,
    readonly elementOffset: number,
    readonly numel: number,
  ) {}
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided window into a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
    readonly parameter: boolean,
  ) {}
}

/** Short human description of a value's type, for error messages. */
export function describeValue(v: PickleValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PySet) return 'set';
  if (v instanceof PyGlobal) return `global ${v.qualifiedName}`;
  if (v instanceof PyObject) return `${v.cls.qualifiedName} object`;
  if (v instanceof StorageRef) return 'storage';
  if (v instanceof TensorRef) return 'tensor';
  return typeof v;
}
