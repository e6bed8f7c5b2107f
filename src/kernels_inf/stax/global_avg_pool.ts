/**
 * Global average pooling (neural-tangents' `stax.GlobalAvgPool`): the step from convolutional
 * features to a dense readout of the CNN-GAP architecture (Novak et al. 2019, "Bayesian deep
 * convolutional networks with many channels are Gaussian processes"; Lee et al. 2020 find it the
 * best of their kernels).
 *
 * The finite layer averages `[N, H, W, C]` over the H*W locations to `[N, C]` (`[E, N, H, W, C]`
 * to `[E, N, C]`). Its kernel map averages a cross-location kernel over all P x P pairs of
 * locations: `E[mean_p x_p mean_q x'_q] = mean_{p, q} K[p, q]`, which a same-location kernel does
 * not hold. So a network containing `globalAvgPool` reports `crossLocations: true` and its
 * `kernel` (and `kernelBatched`, `monteCarloKernel`) starts from a cross-location input kernel
 * `[N1, N2, P, P]`: P = H*W times the memory and work of CNN-VEC kernels.
 *
 * @example
 * ```ts
 * import { conv, dense, globalAvgPool, relu, serial } from "../mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * const net = serial(conv(8, [3, 3]), relu(), globalAvgPool(), dense(1));
 * const x = random.normal(random.key(0), [3, 4, 4, 2]);
 * console.log(net.crossLocations, net.kernel(x).nngp.shape); // true [3, 3]
 * ```
 * @module
 */
import { ShapeError } from "../../errors.ts";
import { mean, scope, type Tensor } from "../../gpu/mod.ts";
import { type Kernel, mapKernelTensors, requireCrossLocations } from "../kernel.ts";
import {
  type Flow,
  imageShape,
  type Layer,
  makeLayer,
  singleKernel,
  singleTensor,
} from "./layer.ts";

/**
 * The flat kernel of globally average-pooled features: the mean over every pair of locations of
 * a cross-location kernel.
 *
 * @example
 * ```ts
 * import { poolKernel } from "./global_avg_pool.ts";
 * import { inputKernel } from "../kernel.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * // one image, two locations holding 1 and 3: the pooled feature is 2, squared 4
 * const k = inputKernel(tensor([1, 3], { shape: [1, 1, 2, 1] }), null, { crossLocations: true });
 * console.log(await poolKernel(k).nngp.read()); // Float32Array [4]
 * ```
 */
export function poolKernel(k: Kernel, where = "globalAvgPool"): Kernel {
  requireCrossLocations(k, where);
  return scope(() => {
    const avg = (t: Tensor) => mean(t, [-2, -1]);
    return {
      ...mapKernelTensors(k, avg),
      width: k.width,
      diagonal: k.diagonal,
      computeNtk: k.computeNtk,
    };
  });
}

/**
 * Averages image features `[H, W, C]` over their locations to `[C]`.
 *
 * @example
 * ```ts
 * import { globalAvgPool } from "./global_avg_pool.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const x = tensor([1, 2, 3, 4], { shape: [1, 2, 1, 2] }); // locations (1, 2) and (3, 4)
 * console.log(await globalAvgPool().apply([], x).read()); // Float32Array [2, 3]
 * ```
 */
export function globalAvgPool(): Layer {
  const name = "globalAvgPool";
  return makeLayer({
    name,
    crossLocations: true,
    init: () => [],
    outputShape(inShape) {
      return [imageShape(inShape, name)[2]];
    },
    apply(_p, x: Flow<Tensor>) {
      const xs = singleTensor(x, name);
      if (xs.rank !== 4 && xs.rank !== 5) {
        throw new ShapeError(
          `${name}: expected images [N, H, W, C] or [E, N, H, W, C], got ` +
            `[${xs.shape.join(", ")}]`,
        );
      }
      return mean(xs, [-3, -2]);
    },
    kernelFn: (k: Flow<Kernel>) => poolKernel(singleKernel(k, name), name),
  });
}
