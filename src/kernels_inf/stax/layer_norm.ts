/**
 * Layer normalization over the feature axis, and its kernel map.
 *
 * The finite layer maps each example's features to zero mean and unit variance:
 * `y = (x - mean(x)) / sqrt(var(x) + eps)`. In the infinite-width limit the per-example variance
 * over channels is the kernel's diagonal, so the map is `nngp'[i, j] = nngp[i, j] /
 * sqrt((cov1[i] + eps)(cov2[j] + eps))`, the same for the NTK (neural-tangents' LayerNorm).
 * The channel mean of a layer fed by a Dense layer vanishes at infinite width (its weights and
 * biases are zero-mean), so the kernel map is exact there; after a non-centred activation
 * (e.g. ReLU) the finite layer also subtracts a nonzero mean that this map ignores.
 *
 * @example
 * ```ts
 * import { layerNorm } from "./layer_norm.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const k = layerNorm().kernel(tensor([[2, 2], [1, -1]]));
 * console.log(await k.nngp.toArray()); // [[1, 0], [0, 1]]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { add, div, mean, sqrt, square, sub, type Tensor } from "../../gpu/mod.ts";
import { applyStages, type Stage } from "../fused_stages.ts";
import type { Kernel } from "../kernel.ts";
import { type Flow, type Layer, makeLayer, singleKernel, singleTensor } from "./layer.ts";

/**
 * The kernel stage of layer normalization with epsilon `eps`.
 *
 * @example
 * ```ts
 * import { layerNormStage } from "./layer_norm.ts";
 * console.log(layerNormStage(1e-5).params); // [0.00001]
 * ```
 */
export function layerNormStage(eps: number): Stage {
  return {
    key: "layer_norm",
    helpers: [],
    params: [eps],
    outWidth: (w) => w,
    body: (p) =>
      `let e = ${p(0)}; let s = inverseSqrt((c1 + e) * (c2 + e));
    k = k * s; t = t * s; c1 = c1 / (c1 + e); c2 = c2 / (c2 + e);`,
  };
}

/**
 * Layer normalization over the last axis (no learned scale or shift).
 *
 * @example
 * ```ts
 * import { layerNorm } from "./layer_norm.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const y = layerNorm().apply([], tensor([[1, 3]]));
 * console.log(await y.read()); // Float32Array [-1, 1] (approximately)
 * ```
 */
export function layerNorm(eps = 1e-12): Layer {
  if (!(eps >= 0) || !Number.isFinite(eps)) {
    throw new InvalidArgumentError(`layerNorm: eps must be a finite number >= 0, got ${eps}`);
  }
  const stage = layerNormStage(eps);
  return makeLayer({
    name: "layerNorm",
    init: () => [],
    outputShape: (s) => s,
    apply(_p, x: Flow<Tensor>) {
      const xs = singleTensor(x, "layerNorm");
      const m = mean(xs, -1, true);
      const c = sub(xs, m);
      const v = mean(square(c), -1, true);
      return div(c, sqrt(add(v, eps)));
    },
    kernelFn: (k: Flow<Kernel>) => applyStages(singleKernel(k, "layerNorm"), [stage]),
    stages: () => [stage],
  });
}
