/**
 * Parameters of many MCMC chains at once: a record of named tensors whose leading axis is the
 * chain (`[C, ...]`), and the per-chain arithmetic samplers need on them (sums and dot products
 * per chain, per-chain scaling, per-chain selection with `where`, fresh normal draws).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { chainSumSquares, normalLike } from "./chain_params.ts";
 * const q = { w: random.normal(random.key(0), [4, 3, 2]), b: random.normal(random.key(1), [4, 2]) };
 * console.log(chainSumSquares(q).shape); // [4]: one value per chain
 * console.log(normalLike(random.key(2), q).w.shape); // [4, 3, 2]
 * ```
 * @module
 */
import { ShapeError } from "../errors.ts";
import { add, mul, neg, random, reshape, sub, sum, type Tensor, where } from "../gpu/mod.ts";

/** Chain parameters: named tensors, each `[C, ...]` with the same C. */
export type ChainParams = Readonly<Record<string, Tensor>>;

/** A per-chain scalar: a JS number (same for all chains) or an f32 tensor `[C]`. */
export type ChainScalar = number | Tensor;

/**
 * The number of chains C of `q` (checks that every leaf agrees).
 *
 * @example
 * ```ts
 * import { zeros } from "../gpu/mod.ts";
 * import { chainCount } from "./chain_params.ts";
 * console.log(chainCount({ a: zeros([5, 2]), b: zeros([5]) })); // 5
 * ```
 */
export function chainCount(q: ChainParams): number {
  const names = Object.keys(q);
  if (names.length === 0) {
    throw new ShapeError("chain params: expected at least one tensor, got {}");
  }
  const C = q[names[0]].shape[0];
  for (const n of names) {
    if (q[n].rank === 0 || q[n].shape[0] !== C) {
      throw new ShapeError(
        `chain params: "${n}" has shape [${q[n].shape.join(", ")}] but "${names[0]}" has ` +
          `${C} chains along axis 0`,
      );
    }
  }
  return C;
}

/**
 * Applies `fn` to matching leaves of one or more chain-parameter records.
 *
 * @example
 * ```ts
 * import { add, ones } from "../gpu/mod.ts";
 * import { mapParams } from "./chain_params.ts";
 * const q = { a: ones([2, 3]) };
 * console.log(mapParams((x, y) => add(x, y), q, q).a.shape); // [2, 3]
 * ```
 */
export function mapParams(
  fn: (...leaves: Tensor[]) => Tensor,
  q: ChainParams,
  ...rest: ChainParams[]
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const k of Object.keys(q)) out[k] = fn(q[k], ...rest.map((r) => r[k]));
  return out;
}

/**
 * A per-chain scalar reshaped to broadcast against `leaf` (`[C] -> [C, 1, ..., 1]`).
 *
 * @example
 * ```ts
 * import { ones, zeros } from "../gpu/mod.ts";
 * import { perChain } from "./chain_params.ts";
 * console.log((perChain(ones([3]), zeros([3, 4, 5])) as { shape: readonly number[] }).shape); // [3, 1, 1]
 * ```
 */
export function perChain(s: ChainScalar, leaf: Tensor): ChainScalar {
  if (typeof s === "number") return s;
  return reshape(s, [s.size, ...leaf.shape.slice(1).map(() => 1)]);
}

/**
 * `a + s * b` per leaf, with `s` a per-chain scalar.
 *
 * @example
 * ```ts
 * import { ones } from "../gpu/mod.ts";
 * import { axpy } from "./chain_params.ts";
 * const r = axpy({ x: ones([2, 2]) }, 0.5, { x: ones([2, 2]) });
 * console.log(await r.x.read()); // Float32Array [1.5, 1.5, 1.5, 1.5]
 * ```
 */
export function axpy(a: ChainParams, s: ChainScalar, b: ChainParams): Record<string, Tensor> {
  return mapParams((x, y) => add(x, mul(y, perChain(s, y))), a, b);
}

/**
 * `s * a` per leaf, with `s` a per-chain scalar.
 *
 * @example
 * ```ts
 * import { ones } from "../gpu/mod.ts";
 * import { scale } from "./chain_params.ts";
 * console.log(await scale({ x: ones([2]) }, -2).x.read()); // Float32Array [-2, -2]
 * ```
 */
export function scale(a: ChainParams, s: ChainScalar): Record<string, Tensor> {
  return mapParams((x) => (s === -1 ? neg(x) : mul(x, perChain(s, x))), a);
}

/**
 * Per-chain sum over all leaves of `f(leaf...)` flattened: `[C]`.
 *
 * @example
 * ```ts
 * import { ones } from "../gpu/mod.ts";
 * import { chainSum } from "./chain_params.ts";
 * console.log(await chainSum((x) => x, { a: ones([2, 3]), b: ones([2]) }).read()); // [4, 4]
 * ```
 */
export function chainSum(
  f: (...leaves: Tensor[]) => Tensor,
  q: ChainParams,
  ...rest: ChainParams[]
): Tensor {
  const C = chainCount(q);
  let acc: Tensor | null = null;
  for (const k of Object.keys(q)) {
    const v = f(q[k], ...rest.map((r) => r[k]));
    const s = sum(reshape(v, [C, v.size / C]), 1);
    acc = acc ? add(acc, s) : s;
  }
  return acc!;
}

/**
 * Per-chain squared norm `sum q^2` over all leaves: `[C]`.
 *
 * @example
 * ```ts
 * import { ones } from "../gpu/mod.ts";
 * import { chainSumSquares } from "./chain_params.ts";
 * console.log(await chainSumSquares({ a: ones([2, 3]) }).read()); // [3, 3]
 * ```
 */
export function chainSumSquares(q: ChainParams): Tensor {
  return chainSum((x) => mul(x, x), q);
}

/**
 * Per-chain `1/2 (|a|^2 - |b|^2)` computed as `1/2 sum (a - b)(a + b)`, which keeps its precision
 * when a and b are close (the quadratic energy differences of Metropolis-Hastings).
 *
 * @example
 * ```ts
 * import { full } from "../gpu/mod.ts";
 * import { halfSquareDiff } from "./chain_params.ts";
 * console.log(await halfSquareDiff({ a: full([1, 2], 3) }, { a: full([1, 2], 1) }).read()); // [8]
 * ```
 */
export function halfSquareDiff(a: ChainParams, b: ChainParams): Tensor {
  return mul(chainSum((x, y) => mul(sub(x, y), add(x, y)), a, b), 0.5);
}

/**
 * Per chain, picks `a` where `mask[c]` is nonzero, else `b` (`mask` is f32 `[C]`).
 *
 * @example
 * ```ts
 * import { ones, tensor, zeros } from "../gpu/mod.ts";
 * import { selectChains } from "./chain_params.ts";
 * const r = selectChains(tensor([1, 0]), { x: ones([2, 2]) }, { x: zeros([2, 2]) });
 * console.log(await r.x.read()); // Float32Array [1, 1, 0, 0]
 * ```
 */
export function selectChains(
  mask: Tensor,
  a: ChainParams,
  b: ChainParams,
): Record<string, Tensor> {
  return mapParams((x, y) => where(perChain(mask, x) as Tensor, x, y), a, b);
}

/**
 * Standard-normal draws shaped like `q` (one subkey per leaf, in sorted-name order).
 *
 * @example
 * ```ts
 * import { random, zeros } from "../gpu/mod.ts";
 * import { normalLike } from "./chain_params.ts";
 * console.log(normalLike(random.key(0), { a: zeros([2, 5]) }).a.shape); // [2, 5]
 * ```
 */
export function normalLike(key: random.Key, q: ChainParams): Record<string, Tensor> {
  const names = Object.keys(q).sort();
  const keys = random.split(key, names.length);
  const out: Record<string, Tensor> = {};
  names.forEach((n, i) => (out[n] = random.normal(keys[i], q[n].shape)));
  return out;
}
