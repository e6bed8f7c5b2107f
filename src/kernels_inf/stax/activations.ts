/**
 * Pointwise nonlinearity layers. Each wraps a {@link DualActivation}: the finite network applies
 * the function, the kernel map applies its dual (`nngp' = T(nngp)`, `ntk' = ntk * Tdot(nngp)`,
 * and the variances through T), fused into the surrounding chain on the GPU.
 *
 * @example
 * ```ts
 * import { relu } from "./activations.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const k = relu().kernel(tensor([[1, 0], [0, 1]]));
 * console.log(await k.nngp.toArray()); // [[0.25, 0.0796], [0.0796, 0.25]] (input kernel I/2)
 * ```
 * @module
 */
import type { Tensor } from "../../gpu/mod.ts";
import {
  abReluDual,
  absDual,
  cosDual,
  type DualActivation,
  erfDual,
  geluDual,
  identityDual,
  leakyReluDual,
  monomialDual,
  rbfDual,
  reluDual,
  sigmoidLikeDual,
  sinDual,
} from "../dual_activations.ts";
import { applyStages, type Stage } from "../fused_stages.ts";
import type { Kernel } from "../kernel.ts";
import { numericalDual, type NumericalDualOptions } from "../numerical_dual.ts";
import { type Flow, type Layer, makeLayer, singleKernel, singleTensor } from "./layer.ts";

/**
 * The fusable kernel stage of a dual activation.
 *
 * @example
 * ```ts
 * import { activationStage } from "./activations.ts";
 * import { erfDual } from "../dual_activations.ts";
 * console.log(activationStage(erfDual(2, 1, 0)).params); // [2, 1, 0, 0]
 * ```
 */
export function activationStage(act: DualActivation): Stage {
  const f = act.wgslName;
  return {
    key: `act:${f}`,
    helpers: [{ name: f, code: act.wgsl }],
    params: act.params,
    outWidth: (w) => w,
    body: (p) =>
      `let q = vec4<f32>(${p(0)}, ${p(1)}, ${p(2)}, ${p(3)});
    let r = ${f}(k, c1, c2, q); let d1 = ${f}_diag(c1, q); let d2 = ${f}_diag(c2, q);
    t = t * r.y; k = r.x; c1 = d1; c2 = d2;`,
  };
}

/**
 * A layer applying any {@link DualActivation} (closed form or numerical).
 *
 * @example
 * ```ts
 * import { activation } from "./activations.ts";
 * import { sinDual } from "../dual_activations.ts";
 * console.log(activation(sinDual(1, 2, 0)).name); // "sin"
 * ```
 */
export function activation(act: DualActivation): Layer {
  const stage = activationStage(act);
  return makeLayer({
    name: act.name,
    init: () => [],
    outputShape: (s) => s,
    apply: (_params, x: Flow<Tensor>) => act.apply(singleTensor(x, act.name)),
    kernelFn: (k: Flow<Kernel>) => applyStages(singleKernel(k, act.name), [stage]),
    stages: () => [stage],
  });
}

/**
 * ReLU, max(x, 0) (arc-cosine kernel of degree 1, Cho & Saul 2009).
 *
 * @example
 * ```ts
 * import { relu } from "./activations.ts";
 * console.log(relu().name); // "relu"
 * ```
 */
export function relu(): Layer {
  return activation(reluDual());
}

/**
 * ABReLU: a x for x < 0, b x for x >= 0.
 *
 * @example
 * ```ts
 * import { abRelu } from "./activations.ts";
 * console.log(abRelu(-0.5, 1).name); // "ab_relu"
 * ```
 */
export function abRelu(a: number, b: number): Layer {
  return activation(abReluDual(a, b));
}

/**
 * Leaky ReLU with negative slope `alpha` (default 0.01).
 *
 * @example
 * ```ts
 * import { leakyRelu } from "./activations.ts";
 * console.log(leakyRelu(0.1).name); // "leaky_relu"
 * ```
 */
export function leakyRelu(alpha = 0.01): Layer {
  return activation(leakyReluDual(alpha));
}

/**
 * Absolute value |x|.
 *
 * @example
 * ```ts
 * import { abs } from "./activations.ts";
 * console.log(abs().name); // "abs"
 * ```
 */
export function abs(): Layer {
  return activation(absDual());
}

/**
 * a erf(b x) + c (Williams 1997 kernel).
 *
 * @example
 * ```ts
 * import { erf } from "./activations.ts";
 * console.log(erf().name); // "erf"
 * ```
 */
export function erf(a = 1, b = 1, c = 0): Layer {
  return activation(erfDual(a, b, c));
}

/**
 * The sigmoid-like erf 0.5 erf(x / 2.4020563531719796) + 0.5 (closed-form kernel).
 *
 * @example
 * ```ts
 * import { sigmoidLike } from "./activations.ts";
 * console.log(sigmoidLike().name); // "sigmoid_like"
 * ```
 */
export function sigmoidLike(): Layer {
  return activation(sigmoidLikeDual());
}

/**
 * GELU, x Phi(x) (exact form).
 *
 * @example
 * ```ts
 * import { gelu } from "./activations.ts";
 * console.log(gelu().name); // "gelu"
 * ```
 */
export function gelu(): Layer {
  return activation(geluDual());
}

/**
 * a sin(b x + c).
 *
 * @example
 * ```ts
 * import { sin } from "./activations.ts";
 * console.log(sin(1, 2).name); // "sin"
 * ```
 */
export function sin(a = 1, b = 1, c = 0): Layer {
  return activation(sinDual(a, b, c));
}

/**
 * a cos(b x + c).
 *
 * @example
 * ```ts
 * import { cos } from "./activations.ts";
 * console.log(cos().name); // "cos"
 * ```
 */
export function cos(a = 1, b = 1, c = 0): Layer {
  return activation(cosDual(a, b, c));
}

/**
 * Random Fourier features of exp(-gamma |x - x'|^2): sqrt(2) sin(sqrt(2 gamma) x + pi/4).
 *
 * @example
 * ```ts
 * import { rbf } from "./activations.ts";
 * console.log(rbf(0.5).name); // "rbf"
 * ```
 */
export function rbf(gamma = 1): Layer {
  return activation(rbfDual(gamma));
}

/**
 * x^degree for an integer degree in 0..12.
 *
 * @example
 * ```ts
 * import { monomial } from "./activations.ts";
 * console.log(monomial(3).name); // "monomial3"
 * ```
 */
export function monomial(degree: number): Layer {
  return activation(monomialDual(degree));
}

/**
 * The identity (a no-op in both the network and the kernel).
 *
 * @example
 * ```ts
 * import { identity } from "./activations.ts";
 * console.log(identity().name); // "identity"
 * ```
 */
export function identity(): Layer {
  const act = identityDual();
  return makeLayer({
    name: act.name,
    init: () => [],
    outputShape: (s) => s,
    apply: (_params, x: Flow<Tensor>) => x,
    kernelFn: (k: Flow<Kernel>) => k,
    stages: () => [],
  });
}

/**
 * Any activation, with its kernel by Gauss-Hermite quadrature (see {@link numericalDual}).
 *
 * @example
 * ```ts
 * import { elementwiseNumerical } from "./activations.ts";
 * import { tanh } from "../../gpu/mod.ts";
 * const layer = elementwiseNumerical({ name: "tanh", f: Math.tanh, wgslF: "tanh(x)",
 *   wgslDf: "1.0 - tanh(x) * tanh(x)", apply: tanh, degree: 20 });
 * console.log(layer.name); // "tanh"
 * ```
 */
export function elementwiseNumerical(options: NumericalDualOptions): Layer {
  return activation(numericalDual(options));
}
