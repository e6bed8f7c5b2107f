/**
 * Global-norm gradient clipping, entirely on the GPU: `scale = min(1, maxNorm / ||g||)` is a
 * scalar tensor (never read back) that multiplies every leaf.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { clipByGlobalNorm } from "./clip.ts";
 * const g = clipByGlobalNorm({ a: tensor([3]), b: tensor([4]) }, 1); // norm 5 -> scaled by 0.2
 * console.log(await g.a.read(), await g.b.read()); // [0.6] [0.8]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import {
  add,
  div,
  type MapTree,
  maximum,
  minimum,
  mul,
  sqrt,
  square,
  sum,
  type Tensor,
  treeFlatten,
  zeros,
} from "../../gpu/mod.ts";
import type { Params } from "../layer.ts";
import { assertFloatTree } from "../tree_check.ts";
import type { Grads, Optimizer } from "./optimizer.ts";

/**
 * The global L2 norm `sqrt(sum over leaves of sum(g^2))` of a tree, as a scalar GPU tensor.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { globalNorm } from "./clip.ts";
 * await globalNorm([tensor([3]), tensor([4])]).item(); // 5
 * ```
 */
export function globalNorm(tree: unknown): Tensor {
  assertFloatTree("globalNorm", "tree", tree);
  let acc: Tensor | null = null;
  for (const leaf of treeFlatten(tree).leaves) {
    const s = sum(square(leaf));
    acc = acc ? add(acc, s) : s;
  }
  return sqrt(acc ?? zeros([]));
}

/**
 * Scales a gradient tree so its global norm is at most `maxNorm` (unchanged when already
 * smaller), without reading anything back.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { clipByGlobalNorm } from "./clip.ts";
 * await clipByGlobalNorm(tensor([0.3, 0.4]), 1).read(); // unchanged: Float32Array [0.3, 0.4]
 * ```
 */
export function clipByGlobalNorm<T>(grads: T, maxNorm: number): MapTree<T, Tensor> {
  if (!(typeof maxNorm === "number" && Number.isFinite(maxNorm) && maxNorm > 0)) {
    throw new InvalidArgumentError(
      `clipByGlobalNorm: maxNorm must be a finite number > 0, got ${String(maxNorm)}`,
    );
  }
  const f = treeFlatten(grads);
  const norm = globalNorm(grads);
  const scale = minimum(div(maxNorm, maximum(norm, 1e-30)), 1);
  return f.rebuild(f.leaves.map((g) => mul(g, scale)));
}

/**
 * Wraps an optimizer so every update first clips the gradients to global norm `maxNorm` (like
 * optax's `chain(clip_by_global_norm(maxNorm), opt)`). The clipped gradients are freed after
 * the update.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { sgd } from "./sgd.ts";
 * import { withGradientClipping } from "./clip.ts";
 * const opt = withGradientClipping(sgd({ lr: 1 }), 1);
 * const p = tensor([0, 0]);
 * const { params } = opt.update(tensor([30, 40]), opt.init(p), p);
 * console.log(await params.read()); // Float32Array [-0.6, -0.8]
 * ```
 */
export function withGradientClipping<S>(optimizer: Optimizer<S>, maxNorm: number): Optimizer<S> {
  if (!(typeof maxNorm === "number" && Number.isFinite(maxNorm) && maxNorm > 0)) {
    throw new InvalidArgumentError(
      `withGradientClipping: maxNorm must be a finite number > 0, got ${String(maxNorm)}`,
    );
  }
  return {
    name: `clip(${maxNorm}) -> ${optimizer.name}`,
    init: (params) => optimizer.init(params),
    update<P extends Params>(grads: Grads<P>, state: S, params: P) {
      const f = treeFlatten(grads);
      const norm = globalNorm(grads);
      const cap = maximum(norm, 1e-30);
      const ratio = div(maxNorm, cap);
      const scale = minimum(ratio, 1);
      const clipped = f.leaves.map((g) => mul(g, scale));
      const out = optimizer.update(f.rebuild(clipped) as Grads<P>, state, params);
      for (const t of [norm, cap, ratio, scale, ...clipped]) t.dispose();
      return out;
    },
  };
}
