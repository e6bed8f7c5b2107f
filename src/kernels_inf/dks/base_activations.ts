/**
 * The untransformed activations DKS can shape: each in f64 on the host (value, derivative, and
 * the points where it is not smooth, for the quadrature) and on tensors. The names follow the
 * reference implementation's supported list (deepmind/dks, `get_transformed_activations`):
 * tanh, softplus, relu, leaky_relu, elu, selu, swish, sigmoid, erf and softsign, plus gelu.
 *
 * @example
 * ```ts
 * import { baseActivation } from "./base_activations.ts";
 * const t = baseActivation("tanh");
 * console.log(t.f(0), t.df(0), t.kinks); // 0 1 []
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import {
  abs,
  add,
  div,
  elu,
  erf as erfOp,
  gelu,
  leakyRelu,
  relu,
  selu,
  sigmoid,
  softplus,
  swish,
  tanh,
  type Tensor,
} from "../../gpu/mod.ts";
import { erf, normalCdf, normalPdf } from "../special_functions.ts";

/**
 * A scalar activation in f64 with its derivative and its non-smooth points.
 *
 * @example
 * ```ts
 * import type { ScalarActivation } from "./base_activations.ts";
 * const id: ScalarActivation = { f: (x) => x, df: () => 1, kinks: [] };
 * console.log(id.f(2)); // 2
 * ```
 */
export interface ScalarActivation {
  /** The activation. */
  f: (x: number) => number;
  /** Its derivative (one-sided at kinks). */
  df: (x: number) => number;
  /** Points where f or f' jumps (quadrature breakpoints). */
  kinks: readonly number[];
}

/**
 * A named base activation: host f64 form, its second derivative where it has one, and the
 * tensor form.
 *
 * @example
 * ```ts
 * import { baseActivation } from "./base_activations.ts";
 * console.log(baseActivation("relu").kinks); // [0]
 * ```
 */
export interface BaseActivation extends ScalarActivation {
  /** The name it was looked up by. */
  name: DksActivationName;
  /** The activation on tensors (elementwise). */
  apply: (x: Tensor) => Tensor;
  /**
   * Its second derivative (one-sided at kinks), for the C map curvature C''(1) = E[phi''(z)^2]
   * that TAT targets. Undefined where phi' itself jumps (relu, leaky_relu, selu): there C''(1)
   * is infinite (a Dirac mass in phi'').
   */
  d2f?: (x: number) => number;
}

/** Names accepted by {@link baseActivation} and `dksTransform`. */
export const DKS_ACTIVATION_NAMES = [
  "tanh",
  "softplus",
  "relu",
  "leaky_relu",
  "elu",
  "selu",
  "swish",
  "sigmoid",
  "erf",
  "gelu",
  "softsign",
] as const;

/**
 * One of {@link DKS_ACTIVATION_NAMES}.
 *
 * @example
 * ```ts
 * import type { DksActivationName } from "./base_activations.ts";
 * const n: DksActivationName = "softplus";
 * console.log(n); // "softplus"
 * ```
 */
export type DksActivationName = typeof DKS_ACTIVATION_NAMES[number];

/**
 * Throws InvalidArgumentError (prefixed by `where`) unless `name` is one of
 * {@link DKS_ACTIVATION_NAMES}.
 *
 * @example
 * ```ts
 * import { checkActivationName } from "./base_activations.ts";
 * try { checkActivationName("demo", "relu6"); } catch (e) { console.log((e as Error).name); }
 * // "InvalidArgumentError"
 * ```
 */
export function checkActivationName(where: string, name: string): void {
  if (!(DKS_ACTIVATION_NAMES as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(
      `${where}: activation must be one of ${DKS_ACTIVATION_NAMES.join(", ")}, got ${
        JSON.stringify(name)
      }`,
    );
  }
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const sig = (x: number) => x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));

/**
 * The base activation called `name`; `negativeSlope` is leaky ReLU's slope for x < 0
 * (default 0.01, ignored by the others).
 *
 * @example
 * ```ts
 * import { baseActivation } from "./base_activations.ts";
 * const lr = baseActivation("leaky_relu", 0.2);
 * console.log(lr.f(-1), lr.df(-1)); // -0.2 0.2
 * ```
 */
export function baseActivation(name: DksActivationName, negativeSlope = 0.01): BaseActivation {
  const make = (
    f: (x: number) => number,
    df: (x: number) => number,
    apply: (x: Tensor) => Tensor,
    kinks: number[] = [],
    d2f?: (x: number) => number,
  ): BaseActivation => ({ name, f, df, apply, kinks, d2f });
  checkActivationName("baseActivation", name);
  switch (name) {
    case "tanh":
      return make(Math.tanh, (x) => 1 - Math.tanh(x) ** 2, tanh, [], (x) => {
        const t = Math.tanh(x);
        return -2 * t * (1 - t * t);
      });
    case "softplus":
      return make(
        (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
        sig,
        softplus,
        [],
        (x) => sig(x) * sig(-x),
      );
    case "relu":
      return make((x) => Math.max(x, 0), (x) => x > 0 ? 1 : 0, relu, [0]);
    case "leaky_relu": {
      if (!Number.isFinite(negativeSlope)) {
        throw new InvalidArgumentError(
          `baseActivation: negativeSlope must be finite, got ${negativeSlope}`,
        );
      }
      const a = negativeSlope;
      return make((x) => x > 0 ? x : a * x, (x) => x > 0 ? 1 : a, (t) => leakyRelu(t, a), [0]);
    }
    case "elu":
      return make(
        (x) => x > 0 ? x : Math.expm1(x),
        (x) => x > 0 ? 1 : Math.exp(x),
        elu,
        [0],
        (x) => x > 0 ? 0 : Math.exp(x),
      );
    case "selu":
      return make(
        (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
        (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)),
        selu,
        [0],
      );
    case "swish":
      return make(
        (x) => x * sig(x),
        (x) => sig(x) + x * sig(x) * sig(-x),
        swish,
        [],
        (x) => sig(x) * sig(-x) * (2 + x * (sig(-x) - sig(x))),
      );
    case "sigmoid":
      return make(
        sig,
        (x) => sig(x) * sig(-x),
        sigmoid,
        [],
        (x) => sig(x) * sig(-x) * (sig(-x) - sig(x)),
      );
    case "erf":
      return make(
        erf,
        (x) => TWO_OVER_SQRT_PI * Math.exp(-x * x),
        erfOp,
        [],
        (x) => -2 * x * TWO_OVER_SQRT_PI * Math.exp(-x * x),
      );
    case "gelu":
      return make(
        (x) => x * normalCdf(x),
        (x) => normalCdf(x) + x * normalPdf(x),
        gelu,
        [],
        (x) => (2 - x * x) * normalPdf(x),
      );
    case "softsign":
      return make(
        (x) => x / (1 + Math.abs(x)),
        (x) => 1 / (1 + Math.abs(x)) ** 2,
        (t) => div(t, add(abs(t), 1)),
        [0],
        (x) => -2 * Math.sign(x) / (1 + Math.abs(x)) ** 3,
      );
  }
}
