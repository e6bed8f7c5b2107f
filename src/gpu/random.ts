/**
 * Deterministic random numbers with JAX-style explicit keys (DESIGN.md principle 5).
 *
 * A {@link Key} is a pair of u32 words held on the host; `split` and `foldIn` derive new keys
 * with the host Philox (no GPU work, no sync), and each sampler hashes (key, element index) on
 * the GPU. Same key, same numbers, on every adapter. The numbers differ from JAX's (which uses
 * Threefry) by design.
 *
 * @example
 * ```ts
 * import { key, normal, split } from "./random.ts";
 * const [k1, k2] = split(key(0));
 * const x = normal(k1, [2, 3]);
 * console.log(x.shape, k2.words);
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { memoKernel, paramWords } from "./kernels/indexing.ts";
import { philoxHost, randomKernel, type RandomKind } from "./kernels/philox.ts";
import { grid, runtime } from "./runtime.ts";
import { checkShape, fmtShape } from "./shape.ts";
import { Tensor, tensor } from "./tensor.ts";
import { add } from "./ops/binary.ts";
import { argmax } from "./ops/reduce.ts";

const randK = memoKernel(randomKernel);

const SPLIT_TAG = 0x73706c74; // "splt"
const FOLD_TAG = 0x666f6c64; // "fold"
const PERM_TAG = 0x7065726d; // "perm"

/**
 * A random key: two u32 words. Create with {@link key}; derive with {@link split}/{@link foldIn}.
 *
 * @example
 * ```ts
 * import { key } from "./random.ts";
 * console.log(key(42).words); // [0, 42]
 * ```
 */
export class Key {
  /** The two key words. */
  readonly words: readonly [number, number];
  /** Wraps two u32 words. */
  constructor(w0: number, w1: number) {
    this.words = [w0 >>> 0, w1 >>> 0];
  }
  /** `Key(0x..., 0x...)`. */
  toString(): string {
    return `Key(${this.words.map((w) => "0x" + w.toString(16)).join(", ")})`;
  }
}

/**
 * A key from an integer seed (0 <= seed < 2^53).
 *
 * @example
 * ```ts
 * import { key } from "./random.ts";
 * const k = key(0);
 * ```
 */
export function key(seed: number): Key {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(`key: seed must be a non-negative safe integer, got ${seed}`);
  }
  return new Key(Math.floor(seed / 2 ** 32), seed % 2 ** 32);
}

function checkKey(k: unknown, where: string): Key {
  if (!(k instanceof Key)) {
    throw new InvalidArgumentError(
      `${where}: expected a random Key (from key(seed)), got ${String(k)}`,
    );
  }
  return k;
}

/**
 * Derives `n` (default 2) independent keys.
 *
 * @example
 * ```ts
 * import { key, split } from "./random.ts";
 * const [a, b, c] = split(key(1), 3);
 * ```
 */
export function split(k: Key, n = 2): Key[] {
  checkKey(k, "split");
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`split: n must be a positive integer, got ${n}`);
  }
  return Array.from({ length: n }, (_, i) => {
    const r = philoxHost([i, 0, 0, SPLIT_TAG], k.words);
    return new Key(r[0], r[1]);
  });
}

/**
 * Derives a key from `k` and an integer (e.g. a step counter), as JAX's `fold_in`.
 *
 * @example
 * ```ts
 * import { foldIn, key } from "./random.ts";
 * const k7 = foldIn(key(0), 7);
 * ```
 */
export function foldIn(k: Key, data: number): Key {
  checkKey(k, "foldIn");
  if (!Number.isInteger(data)) {
    throw new InvalidArgumentError(`foldIn: data must be an integer, got ${data}`);
  }
  const r = philoxHost([data >>> 0, Math.floor(data / 2 ** 32) >>> 0, 0, FOLD_TAG], k.words);
  return new Key(r[0], r[1]);
}

function draw(
  kind: RandomKind,
  k: Key,
  shape: readonly number[],
  a: number,
  b: number,
  where: string,
): Tensor {
  checkKey(k, where);
  const s = checkShape(shape, where);
  const out = Tensor.empty(s, kind === "bits" ? "u32" : "f32", where);
  const w = paramWords();
  w.u[0] = out.size;
  w.u[1] = k.words[0];
  w.u[2] = k.words[1];
  w.u[3] = 0;
  w.f[4] = a;
  w.f[5] = b;
  runtime().dispatch(randK(kind), [], [out.buffer()], w.u, grid(Math.ceil(out.size / 4)));
  return out;
}

/**
 * Raw 32-bit random words (u32).
 *
 * @example
 * ```ts
 * import { bits, key } from "./random.ts";
 * bits(key(0), [4]).dtype; // "u32"
 * ```
 */
export function bits(k: Key, shape: readonly number[]): Tensor {
  return draw("bits", k, shape, 0, 0, "bits");
}

/**
 * Uniform floats in [minval, maxval).
 *
 * @example
 * ```ts
 * import { key, uniform } from "./random.ts";
 * const u = uniform(key(0), [1000], -1, 1);
 * ```
 */
export function uniform(k: Key, shape: readonly number[], minval = 0, maxval = 1): Tensor {
  if (!(maxval > minval)) {
    throw new InvalidArgumentError(`uniform: need minval < maxval, got ${minval} and ${maxval}`);
  }
  return draw("uniform", k, shape, minval, maxval, "uniform");
}

/**
 * Normal samples with mean `loc` and standard deviation `scale` (Box-Muller).
 *
 * @example
 * ```ts
 * import { key, normal } from "./random.ts";
 * const z = normal(key(0), [3, 3]);
 * ```
 */
export function normal(k: Key, shape: readonly number[], loc = 0, scale = 1): Tensor {
  if (!(scale >= 0)) throw new InvalidArgumentError(`normal: scale must be >= 0, got ${scale}`);
  return draw("normal", k, shape, loc, scale, "normal");
}

/**
 * 0/1 (f32) samples that are 1 with probability `p`.
 *
 * @example
 * ```ts
 * import { bernoulli, key } from "./random.ts";
 * const m = bernoulli(key(0), [10], 0.3);
 * ```
 */
export function bernoulli(k: Key, shape: readonly number[], p = 0.5): Tensor {
  if (!(p >= 0 && p <= 1)) {
    throw new InvalidArgumentError(`bernoulli: p must be in [0, 1], got ${p}`);
  }
  return draw("bernoulli", k, shape, p, 0, "bernoulli");
}

/**
 * Random signs: -1 or +1 (f32) with equal probability.
 *
 * @example
 * ```ts
 * import { key, rademacher } from "./random.ts";
 * const s = rademacher(key(0), [8]);
 * ```
 */
export function rademacher(k: Key, shape: readonly number[]): Tensor {
  return draw("rademacher", k, shape, 0, 0, "rademacher");
}

/**
 * Standard Gumbel samples.
 *
 * @example
 * ```ts
 * import { gumbel, key } from "./random.ts";
 * const g = gumbel(key(0), [5]);
 * ```
 */
export function gumbel(k: Key, shape: readonly number[]): Tensor {
  return draw("gumbel", k, shape, 0, 0, "gumbel");
}

/**
 * Samples class indices (i32) from unnormalised log-probabilities along `axis` (Gumbel-max).
 *
 * @example
 * ```ts
 * import { categorical, key } from "./random.ts";
 * import { tensor } from "./tensor.ts";
 * const c = categorical(key(0), tensor([[0, 0, 10]]));
 * console.log(await c.read()); // Int32Array [2] (almost surely)
 * ```
 */
export function categorical(k: Key, logits: Tensor, axis = -1): Tensor {
  if (logits.rank === 0) {
    throw new ShapeError(`categorical: logits must be at least 1-D, got ${fmtShape(logits.shape)}`);
  }
  const g = gumbel(k, logits.shape);
  const z = add(logits, g);
  const out = argmax(z, axis);
  g.dispose();
  z.dispose();
  return out;
}

/**
 * A random permutation of 0..n-1 (i32), by a Fisher-Yates shuffle driven by the host Philox.
 *
 * @example
 * ```ts
 * import { key, permutation } from "./random.ts";
 * console.log((await permutation(key(0), 5).read()).length); // 5
 * ```
 */
export function permutation(k: Key, n: number): Tensor {
  return tensor(permutationHost(k, n), "i32");
}

/**
 * The permutation of {@link permutation} as a host Int32Array (no GPU involved).
 *
 * @example
 * ```ts
 * import { key, permutationHost } from "./random.ts";
 * permutationHost(key(0), 4); // e.g. Int32Array [2, 0, 3, 1]
 * ```
 */
export function permutationHost(k: Key, n: number): Int32Array {
  checkKey(k, "permutation");
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`permutation: n must be a non-negative integer, got ${n}`);
  }
  const p = Int32Array.from({ length: n }, (_, i) => i);
  let words: number[] = [];
  for (let i = n - 1, c = 0; i > 0; i--) {
    if (words.length === 0) words = philoxHost([c++, 0, PERM_TAG, 0], k.words);
    // 32 random bits -> index in [0, i]; bias < 2^-32 * n, negligible for n << 2^32.
    const j = Math.floor((words.pop()! / 2 ** 32) * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
