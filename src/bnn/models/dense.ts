/**
 * A dense layer in NTK parameterization for C chains: `h W * wStd / sqrt(fanIn) + bStd * b` with
 * raw `W [C, fanIn, fanOut]`, `b [C, 1, fanOut]` ~ N(0, 1), and the nonlinearities of the models.
 *
 * @example
 * ```ts
 * import { random } from "../../gpu/mod.ts";
 * import { denseNtk } from "./dense.ts";
 * const x = random.normal(random.key(0), [5, 3]);                    // shared inputs [n, fanIn]
 * const w = random.normal(random.key(1), [2, 3, 4]);                 // [C, fanIn, fanOut]
 * const b = random.normal(random.key(2), [2, 1, 4]);
 * console.log(denseNtk(x, w, b, 1.4, 0.1).shape); // [2, 5, 4]
 * ```
 * @module
 */
import { add, erf, gelu, matmul, mul, relu, type Tensor } from "../../gpu/mod.ts";
import type { Activation } from "./model.ts";

/**
 * The NTK-parameterized affine map (see the module doc). `h` is `[n, fanIn]` or `[C, n, fanIn]`.
 *
 * @example
 * ```ts
 * import { ones } from "../../gpu/mod.ts";
 * import { denseNtk } from "./dense.ts";
 * console.log(await denseNtk(ones([1, 4]), ones([1, 4, 1]), ones([1, 1, 1]), 1, 0).read()); // [2]
 * ```
 */
export function denseNtk(h: Tensor, w: Tensor, b: Tensor, wStd: number, bStd: number): Tensor {
  const fanIn = w.shape[w.rank - 2];
  const z = mul(matmul(h, w), wStd / Math.sqrt(fanIn));
  return bStd === 0 ? z : add(z, mul(b, bStd));
}

/**
 * Applies a named nonlinearity.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { activate } from "./dense.ts";
 * console.log(await activate("relu", tensor([-1, 2])).read()); // [0, 2]
 * ```
 */
export function activate(name: Activation, x: Tensor): Tensor {
  switch (name) {
    case "relu":
      return relu(x);
    case "gelu":
      return gelu(x);
    case "erf":
      return erf(x);
  }
}
