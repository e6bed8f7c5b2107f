/**
 * Chunk partitions of a deep network for local parallelism (Laskin et al. 2020, "Parallel
 * Training of Deep Networks with Local Updates", section 2): the `depth` blocks of a network
 * are split into K consecutive chunks; chunk k owns blocks `[starts[k], ends[k])` and an
 * auxiliary head on its output, and is trained only on its own head's loss.
 *
 * With `overlap = 0` ("chunked local backpropagation") the input of every chunk is a constant
 * (stop-gradient), so chunk k's loss reaches exactly its own blocks. With `overlap = m > 0`
 * ("overlapping local updates") chunk k's loss also reaches the last m blocks of chunk k-1,
 * i.e. the blocks `[max(0, starts[k] - m), ends[k])`; those blocks then receive gradient from
 * two losses (their own chunk's and the next one's). K = 1 is ordinary backprop, K = depth
 * with overlap 0 is greedy layer-wise training.
 *
 * @example
 * ```ts
 * import { chunkPlan, reachedBlocks } from "./partition.ts";
 * const plan = chunkPlan(8, { chunks: 4, overlap: 1 });
 * console.log(plan.sizes, plan.starts); // [2, 2, 2, 2] [0, 2, 4, 6]
 * console.log(reachedBlocks(plan, 2)); // [3, 4, 5]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";

/** A validated partition of `depth` blocks into consecutive chunks. */
export interface ChunkPlan {
  /** Number of blocks of the network. */
  readonly depth: number;
  /** Blocks per chunk (each >= 1, summing to `depth`). */
  readonly sizes: readonly number[];
  /** First block of each chunk. */
  readonly starts: readonly number[];
  /** One past the last block of each chunk. */
  readonly ends: readonly number[];
  /** Blocks of the previous chunk that each chunk's loss also reaches (0: no overlap). */
  readonly overlap: number;
}

/** Options of {@link chunkPlan}: either `chunks` (equal sizes) or explicit `sizes`. */
export interface ChunkPlanOptions {
  /** Number of chunks K; sizes as equal as possible (earlier chunks get the remainder). */
  chunks?: number;
  /** Explicit blocks per chunk (positive integers summing to `depth`). */
  sizes?: readonly number[];
  /** Overlap m in blocks (default 0); at most the size of every chunk but the last. */
  overlap?: number;
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 1;
}

/**
 * Sizes of K chunks of `depth` blocks that differ by at most one (the first `depth mod K`
 * chunks are one block longer).
 *
 * @example
 * ```ts
 * import { equalChunkSizes } from "./partition.ts";
 * console.log(equalChunkSizes(8, 4), equalChunkSizes(7, 3)); // [2, 2, 2, 2] [3, 2, 2]
 * ```
 */
export function equalChunkSizes(depth: number, chunks: number): number[] {
  if (!isPositiveInt(depth)) {
    throw new InvalidArgumentError(
      `equalChunkSizes: depth must be a positive integer, got ${depth}`,
    );
  }
  if (!isPositiveInt(chunks) || chunks > depth) {
    throw new InvalidArgumentError(
      `equalChunkSizes: chunks must be an integer in [1, depth = ${depth}] (every chunk needs ` +
        `at least one block), got ${chunks}`,
    );
  }
  const base = Math.floor(depth / chunks), extra = depth % chunks;
  return Array.from({ length: chunks }, (_, k) => base + (k < extra ? 1 : 0));
}

/**
 * Builds and validates a {@link ChunkPlan}. Throws InvalidArgumentError naming the field when
 * `sizes` do not sum to `depth`, a chunk is empty, both or neither of `chunks`/`sizes` are
 * given, or the overlap reaches beyond the previous chunk.
 *
 * @example
 * ```ts
 * import { chunkPlan } from "./partition.ts";
 * console.log(chunkPlan(5, { sizes: [3, 2] }).ends); // [3, 5]
 * try {
 *   chunkPlan(5, { sizes: [3, 3] });
 * } catch (e) {
 *   console.log((e as Error).name); // "InvalidArgumentError"
 * }
 * ```
 */
export function chunkPlan(depth: number, options: ChunkPlanOptions): ChunkPlan {
  if (!isPositiveInt(depth)) {
    throw new InvalidArgumentError(`chunkPlan: depth must be a positive integer, got ${depth}`);
  }
  const o = options ?? {};
  if ((o.chunks === undefined) === (o.sizes === undefined)) {
    throw new InvalidArgumentError(
      `chunkPlan: give exactly one of options.chunks (a count) and options.sizes (blocks per ` +
        `chunk), got ${o.chunks === undefined ? "neither" : "both"}`,
    );
  }
  let sizes: number[];
  if (o.sizes !== undefined) {
    if (!Array.isArray(o.sizes) || o.sizes.length === 0) {
      throw new InvalidArgumentError(
        `chunkPlan: options.sizes must be a non-empty array of positive integers, got ${
          JSON.stringify(o.sizes)
        }`,
      );
    }
    o.sizes.forEach((s, k) => {
      if (!isPositiveInt(s)) {
        throw new InvalidArgumentError(
          `chunkPlan: options.sizes[${k}] = ${s}: every chunk must hold a positive integer ` +
            `number of blocks`,
        );
      }
    });
    const total = o.sizes.reduce((a, b) => a + b, 0);
    if (total !== depth) {
      throw new InvalidArgumentError(
        `chunkPlan: options.sizes [${o.sizes.join(", ")}] sum to ${total}; expected the ` +
          `network depth ${depth}`,
      );
    }
    sizes = [...o.sizes];
  } else {
    if (!isPositiveInt(o.chunks) || o.chunks > depth) {
      throw new InvalidArgumentError(
        `chunkPlan: options.chunks must be an integer in [1, depth = ${depth}], got ${o.chunks}`,
      );
    }
    sizes = equalChunkSizes(depth, o.chunks);
  }
  const overlap = o.overlap ?? 0;
  if (typeof overlap !== "number" || !Number.isInteger(overlap) || overlap < 0) {
    throw new InvalidArgumentError(
      `chunkPlan: options.overlap must be a non-negative integer, got ${overlap}`,
    );
  }
  // An overlap longer than the previous chunk would reach two chunks back; the paper's
  // overlapping updates share blocks with the neighbouring chunk only.
  for (let k = 1; k < sizes.length; k++) {
    if (overlap > sizes[k - 1]) {
      throw new InvalidArgumentError(
        `chunkPlan: options.overlap = ${overlap} exceeds the size ${sizes[k - 1]} of chunk ` +
          `${k - 1}; expected at most ${Math.min(...sizes.slice(0, -1))}`,
      );
    }
  }
  const starts: number[] = [], ends: number[] = [];
  let s = 0;
  for (const n of sizes) {
    starts.push(s);
    s += n;
    ends.push(s);
  }
  return Object.freeze({
    depth,
    sizes: Object.freeze(sizes),
    starts: Object.freeze(starts),
    ends: Object.freeze(ends),
    overlap,
  });
}

/**
 * The first block chunk k's loss reaches: `starts[k] - overlap` (0 for the first chunk).
 *
 * @example
 * ```ts
 * import { chunkPlan, reachStart } from "./partition.ts";
 * console.log(reachStart(chunkPlan(6, { chunks: 3, overlap: 1 }), 1)); // 1
 * ```
 */
export function reachStart(plan: ChunkPlan, k: number): number {
  checkChunkIndex("reachStart", plan, k);
  return Math.max(0, plan.starts[k] - plan.overlap);
}

/**
 * The blocks whose parameters chunk k's local loss reaches (gets a gradient for), in order:
 * `[max(0, starts[k] - overlap), ends[k])`. Chunk k's head is reached by loss k only.
 *
 * @example
 * ```ts
 * import { chunkPlan, reachedBlocks } from "./partition.ts";
 * const plan = chunkPlan(6, { chunks: 3 });
 * console.log(reachedBlocks(plan, 1)); // [2, 3]
 * ```
 */
export function reachedBlocks(plan: ChunkPlan, k: number): number[] {
  const from = reachStart(plan, k);
  return Array.from({ length: plan.ends[k] - from }, (_, i) => from + i);
}

/**
 * Throws InvalidArgumentError unless `k` is a chunk index of `plan`.
 *
 * @example
 * ```ts
 * import { checkChunkIndex, chunkPlan } from "./partition.ts";
 * checkChunkIndex("demo", chunkPlan(4, { chunks: 2 }), 1); // ok
 * ```
 */
export function checkChunkIndex(where: string, plan: ChunkPlan, k: number): void {
  if (!Number.isInteger(k) || k < 0 || k >= plan.sizes.length) {
    throw new InvalidArgumentError(
      `${where}: chunk index k must be an integer in [0, ${plan.sizes.length - 1}], got ${k}`,
    );
  }
}
