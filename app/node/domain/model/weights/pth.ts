import { DenseRayError } from '../../../shared/errors.ts';
import type { WeightMap, WeightTensor } from '../tensor.ts';
import { locateWeights, type LocatedWeights } from './locate.ts';
import { unpickle } from './pickle.ts';
import { describeValue, PyDict, PyGlobal, PyTuple, StorageRef, type PickleValue, type TensorRef } from './pickle-values.ts';
import { DTYPE_BYTES, materialize } from './storage.ts';
import { isZip, openZip } from './zip.ts';

/**
 * Reads PyTorch `.pth` files without PyTorch: the zip archive of torch ≥ 1.6 and the legacy
 * stream of pickles older versions wrote (still produced with `_use_new_zipfile_serialization=False`).
 */

export type PthFormat = 'pth-zip' | 'pth-legacy';

export interface PthFile {
  format: PthFormat;
  /** The unpickled object graph (inert values). */
  root: PickleValue;
  /** Converts a tensor found in `root` to float32. */
  read(tensor: TensorRef): WeightTensor;
}

export interface PthWeights extends Omit<LocatedWeights, 'tensors'> {
  format: PthFormat;
  /** Tensors under the names the file uses, converted to float32. */
  tensors: WeightMap;
}

/** 0x1950a86a20f9469cfc6c, the legacy format's first pickle: PROTO 2, LONG1 of 10 bytes, then the number. */
const LEGACY_MAGIC = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);
const LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

export function isLegacyPth(bytes: Uint8Array): boolean {
  if (bytes.length < LEGACY_MAGIC.length) return false;
  // A PROTO of 3–5 before the magic is also possible (torch.save(..., pickle_protocol=N)).
  const fromProto = bytes[0] === 0x80 && bytes[1]! >= 2 && bytes[1]! <= 5;
  return fromProto && LEGACY_MAGIC.subarray(2).every((b, i) => bytes[i + 2] === b);
}

export function openPth(bytes: Uint8Array, source: string): PthFile {
  if (isZip(bytes)) return openZipPth(bytes, source);
  if (isLegacyPth(bytes)) return openLegacyPth(bytes, source);
  if (bytes.length > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar') {
    throw new DenseRayError(
      'WEIGHTS_FORMAT',
      `${source}: a tar-based PyTorch file from the earliest torch releases, which DenseRay does not read; re-save it with a current torch.save`,
    );
  }
  throw new DenseRayError('WEIGHTS_FORMAT', `${source}: not a PyTorch file (neither a zip archive nor the legacy pickle stream)`);
}

/** Reads a .pth and finds its weights (foreign names kept) plus what it says about the model. */
export function readPth(bytes: Uint8Array, source: string): PthWeights {
  const file = openPth(bytes, source);
  const located = locateWeights(file.root, source, file.read);
  const tensors: WeightMap = new Map();
  for (const [name, ref] of located.tensors) tensors.set(name, file.read(ref));
  return { ...located, format: file.format, tensors };
}

/** Validates torch's persistent id `('storage', StorageType, key, location, numel[, view_metadata])`. */
function parseStorageId(pid: PickleValue, source: string): { key: string; ref: StorageRef; rootNumel: number } {
  const fail = (message: string): never => {
    throw new DenseRayError('WEIGHTS_FORMAT', `${source}: unexpected persistent id: ${message}`);
  };
  if (!(pid instanceof PyTuple)) return fail(describeValue(pid));
  const [tag, type, key, , numelValue, view] = pid.items;
  if (tag !== 'storage' || pid.items.length < 5) return fail(`(${String(tag)}, …) with ${pid.items.length} items`);
  if (!(type instanceof PyGlobal) || type.role.kind !== 'storage-type') return fail(`storage type ${describeValue(type)}`);
  if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(key)) return fail(`storage key ${String(key)}`);
  const numel = typeof numelValue === 'bigint' ? Number(numelValue) : numelValue;
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) return fail(`storage size ${String(numelValue)}`);
  const dtype = type.role.dtype;
  if (view === undefined || view === null) return { key, ref: new StorageRef(key, dtype, 0, numel), rootNumel: numel };
  // Legacy storage views: (view_key, offset, size) in elements of the root storage.
  const parts = view instanceof PyTuple ? view.items : [];
  const [, offset, size] = parts;
  if (parts.length !== 3 || typeof offset !== 'number' || typeof size !== 'number' || offset < 0 || size < 0 || offset + size > numel) {
    return fail('malformed storage view');
  }
  return { key, ref: new StorageRef(key, dtype, offset, size), rootNumel: numel };
}

type Declared = Map<string, { dtype: StorageRef['dtype']; numel: number }>;

/** Records a storage's type and size; every reference to one key must agree on both. */
function declare(declared: Declared, key: string, ref: StorageRef, rootNumel: number, source: string): void {
  const known = declared.get(key);
  if (known && (known.dtype !== ref.dtype || known.numel !== rootNumel)) {
    throw new DenseRayError('WEIGHTS_FORMAT', `${source}: storage ${key} is declared twice with different types or sizes`);
  }
  declared.set(key, { dtype: ref.dtype, numel: rootNumel });
}

/**
 * Legacy files name each pickled module class as `('module', Class, source_file, source)` so torch
 * could warn about changed source; the class itself already passed the allow-list as a GLOBAL.
 */
function legacyModuleClass(pid: PickleValue): PyGlobal | undefined {
  if (!(pid instanceof PyTuple) || pid.items[0] !== 'module') return undefined;
  const cls = pid.items[1];
  if (!(cls instanceof PyGlobal) || cls.role.kind !== 'class') {
    throw new DenseRayError('WEIGHTS_FORMAT', `persistent id names a module class that is ${describeValue(cls)}`);
  }
  return cls;
}

function openZipPth(bytes: Uint8Array, source: string): PthFile {
  const zip = openZip(bytes, source);
  const pickles = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    throw new DenseRayError(
      'WEIGHTS_FORMAT',
      `${source}: zip archive has ${pickles.length} <name>/data.pkl members; expected one (is it a PyTorch file?)`,
    );
  }
  const prefix = pickles[0]!.slice(0, -'/data.pkl'.length);
  if ([...zip.entries.keys()].some((n) => n.startsWith(`${prefix}/code/`) || n === `${prefix}/constants.pkl`)) {
    throw new DenseRayError(
      'WEIGHTS_FORMAT',
      `${source}: a TorchScript archive (torch.jit.save); save the model's state_dict with torch.save instead`,
    );
  }
  const byteorderEntry = zip.entries.get(`${prefix}/byteorder`);
  const byteorder = byteorderEntry ? new TextDecoder().decode(zip.read(byteorderEntry.name)).trim() : 'little';
  if (byteorder !== 'little' && byteorder !== 'big')
    throw new DenseRayError('WEIGHTS_FORMAT', `${source}: unknown byteorder ${JSON.stringify(byteorder)}`);

  const declared: Declared = new Map();
  const pickleSource = `${source} (${prefix}/data.pkl)`;
  const { value: root } = unpickle(zip.read(pickles[0]!), {
    source: pickleSource,
    persistentLoad: (pid) => {
      const { key, ref, rootNumel } = parseStorageId(pid, pickleSource);
      declare(declared, key, ref, rootNumel, source);
      return ref;
    },
  });

  // Tensors often share a storage; read (and CRC-check) each member once.
  const cache = new Map<string, Uint8Array>();
  const storageBytes = (key: string): Uint8Array => {
    const cached = cache.get(key);
    if (cached) return cached;
    const name = `${prefix}/data/${key}`;
    if (!zip.entries.has(name)) throw new DenseRayError('WEIGHTS_FORMAT', `${source}: storage ${key} is missing from the archive`);
    const data = zip.read(name);
    const d = declared.get(key);
    if (d && data.length < d.numel * DTYPE_BYTES[d.dtype]) {
      throw new DenseRayError(
        'WEIGHTS_FORMAT',
        `${source}: storage ${key} holds ${data.length} bytes, fewer than its ${d.numel} ${d.dtype} elements`,
      );
    }
    cache.set(key, data);
    return data;
  };
  return { format: 'pth-zip', root, read: (t) => materialize(t, storageBytes, byteorder === 'big') };
}

function openLegacyPth(bytes: Uint8Array, source: string): PthFile {
  const fail = (message: string): never => {
    throw new DenseRayError('WEIGHTS_FORMAT', `${source}: not a readable legacy PyTorch file: ${message}`);
  };
  const magic = unpickle(bytes, { source: `${source} (magic number)` });
  if (magic.value !== LEGACY_MAGIC_NUMBER) fail('wrong magic number');
  const protocol = unpickle(bytes, { source: `${source} (protocol version)`, offset: magic.end });
  if (protocol.value !== LEGACY_PROTOCOL_VERSION) fail(`protocol version ${String(protocol.value)}, expected ${LEGACY_PROTOCOL_VERSION}`);
  const sysInfo = unpickle(bytes, { source: `${source} (sys_info)`, offset: protocol.end });
  if (!(sysInfo.value instanceof PyDict)) return fail('sys_info is not a dict');
  const littleEndian = sysInfo.value.get('little_endian');
  if (typeof littleEndian !== 'boolean') fail('sys_info lacks little_endian');

  const declared: Declared = new Map();
  const main = unpickle(bytes, {
    source,
    offset: sysInfo.end,
    persistentLoad: (pid) => {
      const moduleClass = legacyModuleClass(pid);
      if (moduleClass) return moduleClass;
      const { key, ref, rootNumel } = parseStorageId(pid, source);
      declare(declared, key, ref, rootNumel, source);
      return ref;
    },
  });
  const keys = unpickle(bytes, { source: `${source} (storage keys)`, offset: main.end });
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string'))
    return fail('storage key list is not a list of strings');

  // Then, per key in that order: an 8-byte little-endian element count and the raw elements.
  const storages = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const d = declared.get(key) ?? fail(`storage ${key} is listed but never used`);
    if (at + 8 > bytes.length) fail(`truncated before storage ${key}`);
    const count = view.getBigInt64(at, true);
    if (count !== BigInt(d.numel)) fail(`storage ${key} holds ${count} elements, the pickle says ${d.numel}`);
    const length = d.numel * DTYPE_BYTES[d.dtype];
    if (at + 8 + length > bytes.length) fail(`storage ${key} is truncated`);
    storages.set(key, bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  const storageBytes = (key: string): Uint8Array => storages.get(key) ?? fail(`storage ${key} has no data`);
  return { format: 'pth-legacy', root: main.value, read: (t) => materialize(t, storageBytes, littleEndian === false) };
}
