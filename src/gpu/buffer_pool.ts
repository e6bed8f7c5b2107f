/**
 * A size-class pool of GPU storage buffers.
 *
 * Sizes are rounded up to classes of 2^k * {1, 1.25, 1.5, 1.75} bytes (at most 25% waste), so a
 * training loop that frees and re-creates same-sized tensors reuses the same buffers.
 *
 * @example
 * ```ts
 * import { BufferPool, sizeClass } from "./buffer_pool.ts";
 * console.log(sizeClass(1000)); // 1024
 * ```
 * @module
 */

/** A pooled GPU buffer plus the submission epoch in which it was last bound. */
export interface PooledBuffer {
  /** The WebGPU buffer (STORAGE | COPY_SRC | COPY_DST). */
  readonly buffer: GPUBuffer;
  /** Its size in bytes (a size class). */
  readonly size: number;
  /** Epoch of the command stream in which a dispatch last used it (see Runtime). */
  lastUse: number;
  /** A unique id (bind groups are cached by the ids of the buffers they bind). */
  readonly id: number;
}

let nextBufferId = 1;

/** A fresh id for a pooled buffer. */
export function newBufferId(): number {
  return nextBufferId++;
}

/** Counters describing the pool, for leak tests and benchmarks. */
export interface PoolStats {
  /** Bytes of all buffers the pool created and has not destroyed. */
  allocatedBytes: number;
  /** Bytes currently handed out. */
  inUseBytes: number;
  /** Buffers currently handed out. */
  inUseBuffers: number;
  /** Buffers waiting for reuse. */
  freeBuffers: number;
  /** Acquisitions served from the free lists. */
  hits: number;
  /** Acquisitions that created a new buffer. */
  misses: number;
}

const MIN_BYTES = 16;

/**
 * Rounds a byte count up to its size class (minimum 16 bytes, so vec4 access is always legal).
 *
 * @example
 * ```ts
 * import { sizeClass } from "./buffer_pool.ts";
 * sizeClass(1); // 16
 * sizeClass(1100); // 1280
 * ```
 */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_BYTES) return MIN_BYTES;
  const p = bytes < 2 ** 31 ? 2 ** (31 - Math.clz32(bytes)) : 2 ** Math.floor(Math.log2(bytes));
  const quarter = p / 4;
  const c = p + Math.ceil((bytes - p) / quarter) * quarter;
  return Math.ceil(c / 16) * 16;
}

/**
 * Free lists of buffers keyed by size class.
 *
 * @example
 * ```ts
 * import { BufferPool } from "./buffer_pool.ts";
 * import { requestGpu } from "./device.ts";
 * const { device } = await requestGpu();
 * const pool = new BufferPool(device);
 * const b = pool.acquire(100);
 * pool.release(b);
 * console.log(pool.acquire(90) === b); // true: same class, reused
 * device.destroy();
 * ```
 */
export class BufferPool {
  #free = new Map<number, PooledBuffer[]>();
  #stats: PoolStats = {
    allocatedBytes: 0,
    inUseBytes: 0,
    inUseBuffers: 0,
    freeBuffers: 0,
    hits: 0,
    misses: 0,
  };

  /** Creates a pool on `device`. */
  constructor(readonly device: GPUDevice) {}

  /**
   * Hands out a buffer of at least `bytes` bytes; with `avoidEpoch`, never one whose `lastUse`
   * equals it.
   */
  acquire(bytes: number, avoidEpoch?: number): PooledBuffer {
    const size = sizeClass(bytes);
    const list = this.#free.get(size);
    let b: PooledBuffer | undefined;
    if (avoidEpoch === undefined) b = list?.pop();
    else if (list) {
      // For uploads: a buffer not bound by the unsubmitted command stream (a queue write to
      // one that is would land before the pending reads of its old contents).
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i].lastUse !== avoidEpoch) {
          b = list[i];
          list.splice(i, 1);
          break;
        }
      }
    }
    if (b) {
      this.#stats.hits++;
      this.#stats.freeBuffers--;
    } else {
      this.#stats.misses++;
      const buffer = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      b = { buffer, size, lastUse: -1, id: newBufferId() };
      this.#stats.allocatedBytes += size;
    }
    this.#stats.inUseBytes += size;
    this.#stats.inUseBuffers++;
    return b;
  }

  /** Returns a buffer for reuse. */
  release(b: PooledBuffer): void {
    this.#stats.inUseBytes -= b.size;
    this.#stats.inUseBuffers--;
    this.#stats.freeBuffers++;
    let list = this.#free.get(b.size);
    if (!list) this.#free.set(b.size, list = []);
    list.push(b);
  }

  /** Destroys every free buffer (memory handed out stays valid). */
  trim(): void {
    for (const list of this.#free.values()) {
      for (const b of list) {
        b.buffer.destroy();
        this.#stats.allocatedBytes -= b.size;
      }
    }
    this.#stats.freeBuffers = 0;
    this.#free.clear();
  }

  /** A snapshot of the counters. */
  stats(): PoolStats {
    return { ...this.#stats };
  }
}
