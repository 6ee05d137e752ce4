/**
 * Large buffers reused from one study to the next on the same thread (module state is per
 * thread in Node, so each decoding thread has its own pool).
 *
 * Why: a 1024² film needs ~6 MB of short-lived buffers (the file, the decoded image, the resize's
 * intermediate rows), and first touches of fresh memory are page faults. Measured on the bench
 * machine (a VM): writing a freshly allocated 1 MiB buffer took 4–6 ms (256 faults), the same
 * buffer reused 0.01 ms; scaling a film into a fresh 4 MiB image took 3.6 ms, into a reused one 2.1.
 *
 * A buffer handed out by `take` belongs to the caller until it `give`s it back; nothing may keep
 * a view of it after that. Its bytes are whatever the last user left: callers overwrite all of it.
 */
export class ScratchPool {
  readonly #free: ArrayBuffer[] = [];
  readonly #keep: number;
  readonly #maxIdleBytes: number;

  /**
   * Keeps at most `keep` idle buffers and `maxIdleBytes` in all: after a giant image, the pool
   * lets its buffers go rather than hold them for films a tenth of the size.
   */
  constructor(keep = 6, maxIdleBytes = 128 * 2 ** 20) {
    this.#keep = keep;
    this.#maxIdleBytes = maxIdleBytes;
  }

  /** The smallest idle buffer of at least `byteLength` bytes, or a new one. */
  take(byteLength: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const size = this.#free[i]!.byteLength;
      if (size >= byteLength && (best < 0 || size < this.#free[best]!.byteLength)) best = i;
    }
    if (best >= 0) return this.#free.splice(best, 1)[0]!;
    return new ArrayBuffer(byteLength);
  }

  /** Returns a buffer from `take`. Over the count, the smallest idle one goes; over the bytes, the largest. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength > this.#maxIdleBytes || buffer.byteLength === 0 || this.#free.includes(buffer)) return;
    this.#free.push(buffer);
    if (this.#free.length > this.#keep) this.#drop((a, b) => a < b);
    while (this.idleBytes > this.#maxIdleBytes) this.#drop((a, b) => a > b);
  }

  /** Bytes held by idle buffers. */
  get idleBytes(): number {
    return this.#free.reduce((sum, b) => sum + b.byteLength, 0);
  }

  /** Lets go of the idle buffer whose size beats every other's by `first` (the smallest, or the largest). */
  #drop(first: (a: number, b: number) => boolean): void {
    let index = 0;
    for (let i = 1; i < this.#free.length; i++) if (first(this.#free[i]!.byteLength, this.#free[index]!.byteLength)) index = i;
    this.#free.splice(index, 1);
  }

  /** `length` floats over a taken buffer (give back `array.buffer`). */
  takeFloats(length: number): Float32Array<ArrayBuffer> {
    return new Float32Array(this.take(length * Float32Array.BYTES_PER_ELEMENT), 0, length);
  }

  /** Number of idle buffers, for tests. */
  get idle(): number {
    return this.#free.length;
  }
}

/** This thread's pool for the one file → model-input path (read, decode, resize). */
export const studyScratch = new ScratchPool();

/**
 * Network inputs (C×size×size floats) of files prepared on the inference thread itself (a lone
 * study): taken by prepareFile, given back once the batch tensor holds them. On a decoding thread
 * the input is transferred away instead, and that thread's pool simply stays empty.
 */
export const modelInputScratch = new ScratchPool(2);
