/**
 * Seeded shuffling and mini-batching of GPU-resident data sets.
 *
 * The data is a tree of tensors sharing a leading (example) dimension, e.g.
 * `{ x: [n, 784], y: [n, 10] }`. Every epoch draws a fresh permutation
 * (`random.permutation(random.foldIn(key, epoch), n)`, uploaded once per epoch) and each batch
 * is a GPU `take` of a slice of it: no host round trip and no per-step upload.
 *
 * Batches are new tensors owned by the consumer (the `train` loop frees them each step). The
 * per-epoch permutation is kept out of enclosing scopes and freed when the iterator finishes or
 * is closed (`break` in a `for...of`, or `iterator.return()`).
 *
 * @example
 * ```ts
 * import { dispose, random, zeros } from "../../gpu/mod.ts";
 * import { batches } from "./batches.ts";
 * const data = { x: zeros([10, 3]), y: zeros([10]) };
 * let count = 0;
 * for (const b of batches(random.key(0), data, 4, { epochs: 1 })) {
 *   count++;
 *   dispose(b);
 * }
 * console.log(count); // 2 (the last partial batch is dropped)
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import {
  arange,
  keep,
  type MapTree,
  random,
  slice,
  take,
  type Tensor,
  treeFlatten,
} from "../../gpu/mod.ts";
import { type KeyOrSeed, toKey } from "../host_rng.ts";
import { treePaths } from "../tree_check.ts";
import { parseOptions } from "../../options.ts";

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Passes over the data (default Infinity: the iterator never ends). */
  epochs?: number;
  /** Drop the last batch of an epoch when it is smaller than batchSize (default true). */
  dropLast?: boolean;
  /** Shuffle every epoch (default true); false walks the data in order. */
  shuffle?: boolean;
}

const schema = z.object({
  epochs: z.number().min(1).default(Infinity).refine(
    (e) => e === Infinity || Number.isInteger(e),
    { message: "expected a positive integer or Infinity" },
  ),
  dropLast: z.boolean().default(true),
  shuffle: z.boolean().default(true),
}).strict();

/**
 * The example count of a data tree (the shared leading dimension), with typed errors naming
 * the leaf that disagrees.
 *
 * @example
 * ```ts
 * import { zeros } from "../../gpu/mod.ts";
 * import { datasetSize } from "./batches.ts";
 * datasetSize("demo", { x: zeros([5, 2]), y: zeros([5]) }); // 5
 * ```
 */
export function datasetSize(where: string, data: unknown): number {
  const leaves = treePaths(data, `${where}: data`);
  if (leaves.length === 0) {
    throw new InvalidArgumentError(`${where}: data has no tensors`);
  }
  let n = -1, first = "";
  for (const { path, tensor } of leaves) {
    const name = path || "data";
    if (tensor.rank < 1) {
      throw new ShapeError(
        `${where}: ${name} is a scalar; every leaf needs a leading example axis`,
      );
    }
    if (n < 0) {
      n = tensor.shape[0];
      first = name;
    } else if (tensor.shape[0] !== n) {
      throw new ShapeError(
        `${where}: ${name} has ${tensor.shape[0]} examples (shape [${tensor.shape.join(",")}]) ` +
          `but ${first} has ${n}; every leaf must share the leading dimension`,
      );
    }
  }
  return n;
}

/**
 * Batches of `batchSize` examples from `data`, reshuffled every epoch with a key derived from
 * `key` and the epoch number. Throws when batchSize exceeds the data set size.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../../gpu/mod.ts";
 * import { batches } from "./batches.ts";
 * const it = batches(random.key(0), tensor([[0], [1], [2], [3]]), 2);
 * const b = it.next().value!;
 * console.log(b.shape); // [2, 1]
 * it.return(undefined);
 * ```
 */
export function batches<T>(
  key: KeyOrSeed,
  data: T,
  batchSize: number,
  options: BatchOptions = {},
): Generator<MapTree<T, Tensor>, void, undefined> {
  const k = toKey(key, "batches");
  const o = parseOptions(schema, options, "batches");
  const n = datasetSize("batches", data);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(
      `batches: batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  if (batchSize > n) {
    throw new InvalidArgumentError(
      `batches: batchSize ${batchSize} exceeds the data set size ${n}; use at most ${n}`,
    );
  }
  const flat = treeFlatten(data);
  return (function* () {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const perm = keep(
        o.shuffle ? random.permutation(random.foldIn(k, epoch), n) : arange(0, n, 1, "i32"),
      );
      try {
        for (let start = 0; start < n; start += batchSize) {
          const end = Math.min(start + batchSize, n);
          if (end - start < batchSize && o.dropLast) break;
          const idx = slice(perm, [[start, end]]);
          const batch = flat.rebuild(flat.leaves.map((leaf) => take(leaf, idx)));
          idx.dispose();
          yield batch;
        }
      } finally {
        perm.dispose();
      }
    }
  })();
}

/**
 * The whole data set permuted by `random.permutation(key, n)` (a GPU `take` of every leaf).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { shuffled } from "./batches.ts";
 * const s = shuffled(0, { x: tensor([[1], [2], [3]]) });
 * console.log(s.x.shape); // [3, 1]
 * ```
 */
export function shuffled<T>(key: KeyOrSeed, data: T): MapTree<T, Tensor> {
  const k = toKey(key, "shuffled");
  const n = datasetSize("shuffled", data);
  const perm = random.permutation(k, n);
  const flat = treeFlatten(data);
  const out = flat.rebuild(flat.leaves.map((leaf) => take(leaf, perm)));
  perm.dispose();
  return out;
}

/**
 * Splits a data tree into batches of at most `batchSize` consecutive examples, in order
 * (for evaluation). The caller disposes each batch.
 *
 * @example
 * ```ts
 * import { dispose, zeros } from "../../gpu/mod.ts";
 * import { sequentialBatches } from "./batches.ts";
 * const sizes = [];
 * for (const b of sequentialBatches(zeros([5, 2]), 2)) { sizes.push(b.shape[0]); dispose(b); }
 * console.log(sizes); // [2, 2, 1]
 * ```
 */
export function* sequentialBatches<T>(
  data: T,
  batchSize: number,
): Generator<MapTree<T, Tensor>, void, undefined> {
  const n = datasetSize("sequentialBatches", data);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(
      `sequentialBatches: batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  const flat = treeFlatten(data);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(start + batchSize, n);
    yield flat.rebuild(flat.leaves.map((leaf) => slice(leaf, [[start, end]])));
  }
}
