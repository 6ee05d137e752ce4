import { DenseRayError } from '../../../shared/errors.ts';
import { describeValue, PyDict, PyObject, PySet, PyTuple, TensorRef, type PickleValue } from './pickle-values.ts';
import { applyNewObj, applyReduce, resolveGlobal } from './torch-globals.ts';

/**
 * A pickle reader for weight files (protocols 2–5, the subset torch.save emits). It is a stack
 * machine that builds inert values only: globals resolve against an allow-list
 * (torch-globals.ts), REDUCE/NEWOBJ compute their result from that list without calling
 * anything, and opcodes that could only matter to code execution are refused.
 */

export interface UnpickleOptions {
  /** For messages: the file (and member) being read. */
  source: string;
  /** Byte position where the pickle starts (legacy .pth files hold several in a row). */
  offset?: number;
  /** Resolves BINPERSID ids (torch's storages); without it a persistent id is a format error. */
  persistentLoad?: (pid: PickleValue) => PickleValue;
}

export interface UnpickleResult {
  value: PickleValue;
  /** Position just after STOP. */
  end: number;
}

// Hard limits so crafted input cannot blow memory; a DenseNet-201 pickle stays far below them.
const MAX_STACK = 1 << 20;
const MAX_MARKS = 1 << 14;
const MAX_MEMO = 1 << 22;
const MAX_LONG_BYTES = 64;
const MAX_LINE = 512;

const UNSAFE_OPCODES: Record<number, string> = {
  105: 'INST', // 'i': instantiates a class by name
  111: 'OBJ', // 'o': calls a class on stack items
  130: 'EXT1', // extension registry: names globals through copyreg
  131: 'EXT2',
  132: 'EXT4',
};

const decoder = new TextDecoder('utf-8');

export function unpickle(bytes: Uint8Array, options: UnpickleOptions): UnpickleResult {
  return new Machine(bytes, options).run();
}

class Machine {
  private pos: number;
  private readonly view: DataView;
  private stack: PickleValue[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PickleValue>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.pos = options.offset ?? 0;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(message: string, cause?: unknown): never {
    throw new DenseRayError(
      'WEIGHTS_FORMAT',
      `${this.options.source}: not a readable pickle: ${message}`,
      cause === undefined ? undefined : { cause },
    );
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.length) this.fail(`truncated at byte ${this.pos} (needs ${n} more)`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.bytes[this.need(1)]!;
  }
  private u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  private u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  private i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  private u64(): number {
    const v = this.view.getBigUint64(this.need(8), true);
    if (v > BigInt(this.bytes.length)) this.fail(`length ${v} exceeds the file`);
    return Number(v);
  }
  private take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  private text(n: number): string {
    return decoder.decode(this.take(n));
  }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0 || end - this.pos > MAX_LINE) this.fail('unterminated or overlong GLOBAL line');
    const s = decoder.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  private push(v: PickleValue): void {
    if (this.stack.length >= MAX_STACK) this.fail('stack limit exceeded');
    this.stack.push(v);
  }
  private pop(): PickleValue {
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
    if (this.stack.length <= floor) this.fail('stack underflow');
    return this.stack.pop()!;
  }
  private top(): PickleValue {
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
    if (this.stack.length <= floor) this.fail('stack underflow');
    return this.stack[this.stack.length - 1]!;
  }
  private popMark(): PickleValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail('no MARK to pop to');
    return this.stack.splice(mark);
  }
  private put(index: number, v: PickleValue): void {
    if (!this.memo.has(index) && this.memo.size >= MAX_MEMO) this.fail('memo limit exceeded');
    this.memo.set(index, v);
  }
  private get(index: number): PickleValue {
    const v = this.memo.get(index);
    if (v === undefined) this.fail(`memo entry ${index} is missing`);
    return v;
  }

  private long(n: number): number | bigint {
    if (n > MAX_LONG_BYTES) this.fail(`integer of ${n} bytes`);
    const b = this.take(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  private setItems(dict: PickleValue, items: PickleValue[]): void {
    if (!(dict instanceof PyDict)) this.fail(`SETITEM(S) on ${describeValue(dict)}`);
    if (items.length % 2 !== 0) this.fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) dict.set(items[i]!, items[i + 1]!);
  }

  private appendItems(list: PickleValue, items: PickleValue[]): void {
    if (!Array.isArray(list)) this.fail(`APPEND(S) on ${describeValue(list)}`);
    if (list.length + items.length > MAX_STACK) this.fail('list limit exceeded');
    for (const item of items) list.push(item);
  }

  private build(state: PickleValue, target: PickleValue): void {
    if (target instanceof PyObject) {
      // Python's default __setstate__ merges a dict into __dict__; (dict, slots) tuples are merged alike.
      target.state = mergeState(target.state ?? new PyDict(false), state);
    } else if (target instanceof PyDict) {
      target.attrs = state;
    } else if (target instanceof TensorRef) {
      // Parameter/tensor python state (rare); the numbers do not depend on it.
    } else {
      this.fail(`BUILD on ${describeValue(target)}`);
    }
  }

  run(): UnpickleResult {
    for (;;) {
      const op = this.u8();
      switch (op) {
        case 0x80: {
          // PROTO
          const proto = this.u8();
          if (proto < 2 || proto > 5) this.fail(`unsupported pickle protocol ${proto}`);
          break;
        }
        case 0x95: // FRAME: a length hint only
          this.u64();
          break;
        case 0x2e: // STOP
          return { value: this.pop(), end: this.pos };
        case 0x28: // MARK
          if (this.marks.length >= MAX_MARKS) this.fail('MARK nesting limit exceeded');
          this.marks.push(this.stack.length);
          break;
        case 0x30: // POP
          this.pop();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.push(this.top());
          break;
        case 0x7d: // EMPTY_DICT
          this.push(new PyDict(false));
          break;
        case 0x5d: // EMPTY_LIST
          this.push([]);
          break;
        case 0x29: // EMPTY_TUPLE
          this.push(new PyTuple([]));
          break;
        case 0x8f: // EMPTY_SET
          this.push(new PySet([]));
          break;
        case 0x73: {
          // SETITEM
          const v = this.pop();
          const k = this.pop();
          this.setItems(this.top(), [k, v]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x61: {
          // APPEND
          const v = this.pop();
          this.appendItems(this.top(), [v]);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          this.appendItems(this.top(), items);
          break;
        }
        case 0x90: {
          // ADDITEMS
          const items = this.popMark();
          const set = this.top();
          if (!(set instanceof PySet)) this.fail(`ADDITEMS on ${describeValue(set)}`);
          if (set.items.length + items.length > MAX_STACK) this.fail('set limit exceeded');
          // One push per item: spreading half a million arguments overflows the call stack.
          for (const item of items) set.items.push(item);
          break;
        }
        case 0x91: // FROZENSET
          this.push(new PySet(this.popMark()));
          break;
        case 0x74: // TUPLE
          this.push(new PyTuple(this.popMark()));
          break;
        case 0x85: // TUPLE1
          this.push(new PyTuple([this.pop()]));
          break;
        case 0x86: {
          // TUPLE2
          const b = this.pop();
          const a = this.pop();
          this.push(new PyTuple([a, b]));
          break;
        }
        case 0x87: {
          // TUPLE3
          const c = this.pop();
          const b = this.pop();
          const a = this.pop();
          this.push(new PyTuple([a, b, c]));
          break;
        }
        case 0x4a: // BININT
          this.push(this.i32());
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.u16());
          break;
        case 0x8a: // LONG1
          this.push(this.long(this.u8()));
          break;
        case 0x8b: {
          // LONG4
          const n = this.i32();
          if (n < 0) this.fail('negative LONG4 length');
          this.push(this.long(n));
          break;
        }
        case 0x47: // BINFLOAT (big-endian double)
          this.push(this.view.getFloat64(this.need(8), false));
          break;
        case 0x58: // BINUNICODE
          this.push(this.text(this.u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.text(this.u8()));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.text(this.u64()));
          break;
        case 0x55: // SHORT_BINSTRING (Python 2 str; torch loads these as text)
          this.push(this.text(this.u8()));
          break;
        case 0x54: {
          // BINSTRING
          const n = this.i32();
          if (n < 0) this.fail('negative BINSTRING length');
          this.push(this.text(n));
          break;
        }
        case 0x43: // SHORT_BINBYTES
          this.push(this.take(this.u8()));
          break;
        case 0x42: // BINBYTES
          this.push(this.take(this.u32()));
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.push(this.take(this.u64()));
          break;
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x71: // BINPUT
          this.put(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.put(this.u32(), this.top());
          break;
        case 0x94: // MEMOIZE
          this.put(this.memo.size, this.top());
          break;
        case 0x68: // BINGET
          this.push(this.get(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.push(this.get(this.u32()));
          break;
        case 0x63: {
          // GLOBAL
          const module = this.line();
          const name = this.line();
          this.push(resolveGlobal(module, name));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL operands are not strings');
          this.push(resolveGlobal(module, name));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const fn = this.pop();
          this.push(applyReduce(fn, args));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.pop();
          const cls = this.pop();
          this.push(applyNewObj(cls, args));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          if (!(kwargs instanceof PyDict) || kwargs.size > 0) this.fail('NEWOBJ_EX with keyword arguments');
          this.push(applyNewObj(cls, args));
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          this.build(state, this.top());
          break;
        }
        case 0x51: {
          // BINPERSID
          const pid = this.pop();
          if (!this.options.persistentLoad) this.fail('persistent id outside a torch file');
          this.push(this.options.persistentLoad(pid));
          break;
        }
        default: {
          const unsafe = UNSAFE_OPCODES[op];
          if (unsafe) {
            throw new DenseRayError(
              'WEIGHTS_UNSAFE',
              `${this.options.source}: pickle uses opcode ${unsafe}, which only serves to run code; refusing to load it`,
            );
          }
          this.fail(`unsupported opcode 0x${op.toString(16).padStart(2, '0')} at byte ${this.pos - 1}`);
        }
      }
    }
  }
}

function mergeState(previous: PickleValue, next: PickleValue): PickleValue {
  // (dict, slots) state: the dict part is what a module's __dict__ is made of.
  if (next instanceof PyTuple && next.items.length === 2 && next.items[0] instanceof PyDict) next = next.items[0];
  if (previous instanceof PyDict && next instanceof PyDict) {
    for (const [k, v] of next.entries()) previous.set(k, v);
    return previous;
  }
  return next;
}
