/**
 * Elementwise activation layers, by name, covering every activation of the tensor core.
 *
 * Names: `identity`, `relu`, `leakyRelu` (option `slope`, default 0.01), `elu` (option `alpha`,
 * default 1), `selu`, `gelu` (exact, erf-based), `geluTanh` (tanh approximation), `erf`, `tanh`,
 * `sigmoid`, `softplus`, `swish` (alias `silu`), `sin`, `cos`, `abs`, `square`, `exp`, and the
 * piecewise-constant `step` (Heaviside) and `sign`, whose gradients are zero.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { activation } from "./activation.ts";
 * const relu = activation("relu");
 * console.log(await relu.apply({}, tensor([-1, 2])).read()); // Float32Array [0, 2]
 * ```
 * @module
 */
import { InvalidArgumentError, UnknownNameError } from "../errors.ts";
import {
  abs,
  cos,
  elu,
  erf,
  exp,
  gelu,
  leakyRelu,
  relu,
  reshape,
  selu,
  sigmoid,
  sign,
  sin,
  softplus,
  square,
  step,
  swish,
  tanh,
  type Tensor,
} from "../gpu/mod.ts";
import { checkInShape, type Layer } from "./layer.ts";

/** Names accepted by {@link activation}. */
export type ActivationName =
  | "identity"
  | "relu"
  | "leakyRelu"
  | "elu"
  | "selu"
  | "gelu"
  | "geluTanh"
  | "erf"
  | "tanh"
  | "sigmoid"
  | "softplus"
  | "swish"
  | "silu"
  | "sin"
  | "cos"
  | "abs"
  | "square"
  | "exp"
  | "step"
  | "sign";

/** Parameters of the parameterised activations. */
export interface ActivationOptions {
  /** Negative-side slope of `leakyRelu` (default 0.01). */
  slope?: number;
  /** Scale of the negative side of `elu` (default 1). */
  alpha?: number;
}

const FNS: Record<ActivationName, (x: Tensor, o: Required<ActivationOptions>) => Tensor> = {
  // A fresh view (shared storage, gradient recorded), so disposing the output never frees x.
  identity: (x) => reshape(x, x.shape),
  relu: (x) => relu(x),
  leakyRelu: (x, o) => leakyRelu(x, o.slope),
  elu: (x, o) => elu(x, o.alpha),
  selu: (x) => selu(x),
  gelu: (x) => gelu(x),
  geluTanh: (x) => gelu(x, true),
  erf: (x) => erf(x),
  tanh: (x) => tanh(x),
  sigmoid: (x) => sigmoid(x),
  softplus: (x) => softplus(x),
  swish: (x) => swish(x),
  silu: (x) => swish(x),
  sin: (x) => sin(x),
  cos: (x) => cos(x),
  abs: (x) => abs(x),
  square: (x) => square(x),
  exp: (x) => exp(x),
  step: (x) => step(x),
  sign: (x) => sign(x),
};

/** Every name {@link activation} accepts. */
export const ACTIVATION_NAMES: readonly ActivationName[] = Object.keys(FNS) as ActivationName[];

/**
 * The activation function for a name, as a plain `(x) => y` function.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { activationFn } from "./activation.ts";
 * await activationFn("leakyRelu", { slope: 0.1 })(tensor([-10])).read(); // Float32Array [-1]
 * ```
 */
export function activationFn(
  name: ActivationName,
  options: ActivationOptions = {},
): (x: Tensor) => Tensor {
  const f = Object.hasOwn(FNS, name) ? FNS[name] : undefined;
  if (!f) {
    throw new UnknownNameError(
      `activation: unknown name ${JSON.stringify(name)}; expected one of: ${
        ACTIVATION_NAMES.join(", ")
      }`,
    );
  }
  const o = { slope: options.slope ?? 0.01, alpha: options.alpha ?? 1 };
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isFinite(v)) {
      throw new InvalidArgumentError(`activation(${name}): option ${k} must be finite, got ${v}`);
    }
  }
  return (x) => f(x, o);
}

/**
 * An activation layer (no parameters: `params` is `{}`).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { activation } from "./activation.ts";
 * const act = activation("gelu");
 * const { params, outShape } = act.init(random.key(0), [4]);
 * console.log(outShape, act.apply(params, random.normal(random.key(1), [2, 4])).shape); // [4] [2, 4]
 * ```
 */
export function activation(
  name: ActivationName,
  options: ActivationOptions = {},
): Layer<Record<string, never>> {
  const f = activationFn(name, options);
  return {
    name,
    init(_key, inShape) {
      return { params: {}, outShape: checkInShape(`${name}.init`, inShape) };
    },
    apply(_params, x) {
      return f(x);
    },
  };
}
