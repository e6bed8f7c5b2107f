/**
 * Flattening images into rows (neural-tangents' `stax.Flatten`), the step from convolutional
 * features to a dense readout: the CNN-VEC architecture (Novak et al. 2019; Lee et al. 2020).
 *
 * The finite layer reshapes `[N, H, W, C]` to `[N, H*W*C]` (`[E, N, H, W, C]` to
 * `[E, N, H*W*C]`). Its kernel map averages a spatial kernel's `nngp`, `ntk`, `cov1` and `cov2`
 * over the P = H*W locations and returns a flat kernel of width H*W*C: a following NTK-
 * parameterized dense layer over the H*W*C features sees exactly this mean, since
 * `E[y y'] = W_std^2 / (H W C) sum_{p, c} E[x_pc x'_pc] = W_std^2 mean_p K[p]`. On a
 * cross-location kernel `[.., P, P]` it is the mean of the diagonal `K[p, p]`. Rows (flat inputs,
 * flat kernels) pass through unchanged.
 *
 * @example
 * ```ts
 * import { flatten } from "./flatten.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const x = tensor([1, 2, 3, 4], { shape: [1, 2, 1, 2] });
 * const k = flatten().kernel(x); // per-location kernels [2.5, 12.5], averaged
 * console.log(flatten().apply([], x).shape, await k.nngp.read(), k.width); // [1, 4] [~7.5] 4
 * ```
 * @module
 */
import { mean, reshape, scope, slice, type Tensor } from "../../gpu/mod.ts";
import { ShapeError } from "../../errors.ts";
import { type Kernel, kernelLocations, mapKernelTensors } from "../kernel.ts";
import { channels, type Flow, type Layer, makeLayer, singleKernel, singleTensor } from "./layer.ts";

/**
 * The flat kernel of a spatial kernel's flattened features (location means); flat kernels are
 * returned as they are.
 *
 * @example
 * ```ts
 * import { flattenKernel } from "./flatten.ts";
 * import { inputKernel } from "../kernel.ts";
 * import { ones } from "../../gpu/mod.ts";
 * const k = flattenKernel(inputKernel(ones([2, 3, 3, 4])));
 * console.log(k.nngp.shape, k.cov1.shape, k.width, k.spatial ?? null); // [2, 2] [2] 36 null
 * ```
 */
export function flattenKernel(k: Kernel): Kernel {
  if (!k.spatial) return k;
  const p = kernelLocations(k);
  return scope(() => {
    // a cross-location kernel's same-location entries are its [P, P] diagonals
    const sameLocation = (t: Tensor) =>
      slice(reshape(t, [...t.shape.slice(0, -2), p * p]), [
        ...t.shape.slice(0, -2).map(() => null),
        [0, p * p, p + 1],
      ]);
    const avg = k.crossLocations
      ? (t: Tensor) => mean(sameLocation(t), -1)
      : (t: Tensor) => mean(t, -1);
    return {
      ...mapKernelTensors(k, avg),
      width: k.width * p,
      diagonal: k.diagonal,
      computeNtk: k.computeNtk,
    };
  });
}

/**
 * Flattens image features `[H, W, C]` into `[H*W*C]` (a no-op on flat features).
 *
 * @example
 * ```ts
 * import { conv, dense, flatten, serial } from "../mod.ts";
 * const net = serial(conv(8, [3, 3]), flatten(), dense(10));
 * console.log(net.outputShape([5, 4, 3])); // [10]
 * ```
 */
export function flatten(): Layer {
  const name = "flatten";
  return makeLayer({
    name,
    init: () => [],
    outputShape(inShape) {
      channels(inShape, name);
      const s = inShape as readonly number[];
      if (s.length !== 1 && s.length !== 3) {
        throw new ShapeError(
          `${name}: expected a feature shape [d] or [H, W, C], got ${JSON.stringify(s)}`,
        );
      }
      return [s.reduce((a, b) => a * b, 1)];
    },
    apply(_p, x: Flow<Tensor>) {
      const xs = singleTensor(x, name);
      if (xs.rank <= 3) return xs; // rows [N, d] or an ensemble's [E, N, d]
      if (xs.rank > 5) {
        throw new ShapeError(
          `${name}: expected [N, H, W, C] or [E, N, H, W, C], got [${xs.shape.join(", ")}]`,
        );
      }
      const lead = xs.shape.slice(0, -3);
      const [h, w, c] = xs.shape.slice(-3);
      return reshape(xs, [...lead, h * w * c]);
    },
    kernelFn: (k: Flow<Kernel>) => flattenKernel(singleKernel(k, name)),
  });
}
