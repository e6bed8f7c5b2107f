/**
 * The Dense (fully connected) layer in the NTK or standard parameterization.
 *
 * - `"ntk"` (default): `y = (wStd / sqrt(n_in)) x W + bStd b` with `W, b ~ N(0, 1)`.
 * - `"standard"`: `y = x W + b` with `W ~ N(0, wStd^2 / n_in)`, `b ~ N(0, bStd^2)`.
 *
 * Both give the same function at initialisation; they differ in how gradient steps scale
 * (Jacot et al. 2018; Lee et al. 2020).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { dense } from "./dense.ts";
 * const layer = dense(4, { parameterization: "standard", wStd: 1.4, bStd: 0.1 });
 * const { params } = layer.init(random.key(0), [3]);
 * console.log(layer.apply(params, random.normal(random.key(1), [8, 3])).shape); // [8, 4]
 * ```
 * @module
 */
import { ShapeError } from "../errors.ts";
import { add, matmul, mul, type Tensor } from "../gpu/mod.ts";
import { toKey } from "./host_rng.ts";
import { checkDim, denseInit, type DenseOptions, denseOptions, type DenseParams } from "./init.ts";
import { checkInShape, type Layer } from "./layer.ts";
import { tidy } from "./tidy.ts";

/**
 * Applies Dense parameters to `x` [..., in] -> [..., out].
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { denseApply } from "./dense.ts";
 * const p = { w: tensor([[1], [2]]), b: tensor([0.5]) };
 * await denseApply(p, tensor([[1, 1]]), { parameterization: "standard" }).toArray(); // [[3.5]]
 * ```
 */
export function denseApply(params: DenseParams, x: Tensor, options: DenseOptions = {}): Tensor {
  const o = denseOptions("dense.apply", options);
  const { w, b } = params;
  const nIn = w.shape[0];
  if (x.rank < 1 || x.shape[x.rank - 1] !== nIn) {
    throw new ShapeError(
      `dense.apply: input x [${x.shape.join(",")}] must end in the weight's input dimension ` +
        `${nIn} (w is [${w.shape.join(",")}])`,
    );
  }
  return tidy(() => {
    if (o.parameterization === "standard") return add(matmul(x, w), b);
    const c = o.wStd / Math.sqrt(nIn);
    // Scale whichever of W and the output is smaller (same function, fewer elements touched).
    const rows = x.size / nIn;
    const y = w.shape[0] <= rows ? matmul(x, mul(w, c)) : mul(matmul(x, w), c);
    return o.bStd === 0 ? y : add(y, mul(b, o.bStd));
  });
}

/**
 * A Dense layer with `outDim` outputs; params `{ w: [in, out], b: [out] }`.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { dense } from "./dense.ts";
 * const { params, outShape } = dense(10).init(random.key(0), [784]);
 * console.log(params.w.shape, outShape); // [784, 10] [10]
 * ```
 */
export function dense(outDim: number, options: DenseOptions = {}): Layer<DenseParams> {
  checkDim("dense", "outDim", outDim);
  const o = denseOptions("dense", options);
  const name = `dense(${outDim})`;
  return {
    name,
    init(key, inShape) {
      const s = checkInShape(`${name}.init`, inShape);
      const params = denseInit(toKey(key, `${name}.init`), s[s.length - 1], outDim, o);
      return { params, outShape: [...s.slice(0, -1), outDim] };
    },
    apply(params, x) {
      return denseApply(params, x, o);
    },
  };
}
