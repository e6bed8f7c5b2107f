/**
 * `mlp(sizes, options)`: a multilayer perceptron, i.e. `serial(dense(sizes[0]), act, ...,
 * dense(sizes[last]))` with no activation after the last layer.
 *
 * `sizes` are the OUTPUT widths of the Dense layers; the input width comes from `init`'s
 * `inShape`. A 784-256-10 network is `mlp([256, 10]).init(key, [784])`.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { mlp } from "./mlp.ts";
 * const net = mlp([32, 10], { activation: "relu", parameterization: "standard" });
 * const { params, outShape } = net.init(random.key(0), [784]);
 * console.log(params.length, outShape); // 3 [10]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { activation, type ActivationName, type ActivationOptions } from "./activation.ts";
import { dense } from "./dense.ts";
import type { DenseOptions } from "./init.ts";
import type { Layer, Params } from "./layer.ts";
import { serial } from "./serial.ts";

/** Options of {@link mlp}: the Dense options plus the hidden activation. */
export interface MlpOptions extends DenseOptions {
  /** Activation between Dense layers (default `"relu"`). */
  activation?: ActivationName;
  /** Options of the activation (`slope`, `alpha`). */
  activationOptions?: ActivationOptions;
}

/**
 * A multilayer perceptron; params are `[dense0, {}, dense1, {}, ..., denseLast]`.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { mlp } from "./mlp.ts";
 * const net = mlp([16, 1], { activation: "tanh", wStd: 1.5, bStd: 0.1 });
 * const { params } = net.init(random.key(0), [2]);
 * console.log(net.apply(params, random.normal(random.key(1), [4, 2])).shape); // [4, 1]
 * ```
 */
export function mlp(sizes: readonly number[], options: MlpOptions = {}): Layer<Params[]> {
  if (!Array.isArray(sizes) || sizes.length === 0) {
    throw new InvalidArgumentError(
      `mlp: sizes must be a non-empty array of layer output widths (e.g. [256, 10]), got ${
        JSON.stringify(sizes)
      }`,
    );
  }
  const { activation: act = "relu", activationOptions, ...denseOpts } = options;
  const layers: Layer[] = [];
  sizes.forEach((s, i) => {
    if (i > 0) layers.push(activation(act, activationOptions));
    layers.push(dense(s, denseOpts));
  });
  return serial(...layers);
}
