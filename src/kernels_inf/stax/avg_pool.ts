/**
 * Local average pooling (neural-tangents' `stax.AvgPool`): each output location is the mean of a
 * KH x KW window of input locations, channel by channel; no parameters.
 *
 * The finite layer averages the `conv2d` patches of its input (stride, padding and dilation as
 * `conv2d`; padding zeros count in the mean over all KH*KW taps, as neural-tangents'
 * `normalize_edges=False` and torch's `count_include_pad`). Its kernel map averages the two
 * locations of a pair over their windows independently (there is no shared weight to tie their
 * taps, unlike a convolution):
 * `K'[p, q] = mean_{s in window(p)} mean_{t in window(q)} K[s, t]`, which needs the covariances
 * across locations even at p = q. So `avgPool` reports `crossLocations: true`, and networks
 * containing it compute cross-location kernels ([N1, N2, P, P]; see `Kernel.crossLocations`).
 * The map is two same-location window means, one per location axis.
 *
 * @example
 * ```ts
 * import { avgPool, conv, dense, flatten, relu, serial } from "../mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * const net = serial(conv(8, [3, 3]), relu(), avgPool([2, 2]), flatten(), dense(1));
 * const x = random.normal(random.key(0), [3, 4, 4, 2]);
 * console.log(net.outputShape([4, 4, 2]), net.kernel(x).nngp.shape); // [1] [3, 3]
 * ```
 * @module
 */
import { ShapeError } from "../../errors.ts";
import {
  type Conv2dOptions,
  im2col,
  mean,
  reshape,
  scope,
  type Tensor,
  transpose,
} from "../../gpu/mod.ts";
import { type Kernel, mapKernelTensors, requireCrossLocations } from "../kernel.ts";
import {
  checkFilterShape,
  checkWindowOptions,
  windowGeometry,
  windowMean,
  windowOptions,
} from "../window_mean.ts";
import {
  type Flow,
  imageShape,
  type Layer,
  makeLayer,
  singleKernel,
  singleTensor,
} from "./layer.ts";

/**
 * Options of {@link avgPool}: `conv2d`'s window options, with the stride defaulting to the
 * window (non-overlapping windows, as torch and Keras; neural-tangents defaults to 1) and the
 * padding to "valid".
 *
 * @example
 * ```ts
 * import type { AvgPoolOptions } from "./avg_pool.ts";
 * const o: AvgPoolOptions = { stride: 1, padding: "same" };
 * console.log(o.stride); // 1
 * ```
 */
export type AvgPoolOptions = Conv2dOptions;

/**
 * The kernel of locally average-pooled features: window means over each location of every pair
 * of a cross-location kernel.
 *
 * @example
 * ```ts
 * import { poolWindowKernel } from "./avg_pool.ts";
 * import { inputKernel } from "../kernel.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * // one image, two locations holding 1 and 3, pooled by a 1 x 2 window: (1 + 3) / 2 squared
 * const k = inputKernel(tensor([1, 3], { shape: [1, 1, 2, 1] }), null, { crossLocations: true });
 * console.log(await poolWindowKernel(k, [1, 2], { stride: 2 }).nngp.read()); // Float32Array [4]
 * ```
 */
export function poolWindowKernel(
  k: Kernel,
  windowShape: readonly [number, number],
  options: AvgPoolOptions,
  where = "avgPool",
): Kernel {
  const [h, w] = requireCrossLocations(k, where);
  const g = windowGeometry([h, w], windowShape, options, where);
  const p = h * w, q = g.oh * g.ow;
  return scope(() => {
    // [B, P, P] -> window means over the second location, then (moved last) the first one
    const pool = (t: Tensor) => {
      const b = t.size / (p * p);
      const second = windowMean(reshape(t, [b * p, h, w]), windowShape, options);
      const firstLast = transpose(reshape(second, [b, h, w, q]), [0, 3, 1, 2]);
      const both = windowMean(firstLast, windowShape, options); // [B, Q, OH, OW]
      return reshape(transpose(reshape(both, [b, q, q]), [0, 2, 1]), [
        ...t.shape.slice(0, -2),
        q,
        q,
      ]);
    };
    return {
      ...mapKernelTensors(k, pool),
      width: k.width,
      diagonal: k.diagonal,
      computeNtk: k.computeNtk,
      spatial: [g.oh, g.ow] as const,
      crossLocations: true,
    };
  });
}

/**
 * Averages each `windowShape` `[KH, KW]` window of image features `[H, W, C]` (stride = window
 * unless given; padding "valid" unless given).
 *
 * @example
 * ```ts
 * import { avgPool } from "./avg_pool.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const x = tensor([1, 2, 3, 4], { shape: [1, 2, 2, 1] });
 * console.log(await avgPool([2, 2]).apply([], x).read()); // Float32Array [2.5]
 * ```
 */
export function avgPool(
  windowShape: readonly [number, number],
  options: AvgPoolOptions = {},
): Layer {
  const window = checkFilterShape(windowShape, "avgPool");
  const o: Conv2dOptions = {
    padding: "valid",
    stride: window,
    ...windowOptions(options, "avgPool"),
  };
  checkWindowOptions(window, o, "avgPool");
  const [kh, kw] = window;
  const name = `avgPool([${kh}, ${kw}])`;
  return makeLayer({
    name,
    crossLocations: true,
    init: () => [],
    outputShape(inShape) {
      const [h, w, c] = imageShape(inShape, name);
      const g = windowGeometry([h, w], window, o, name);
      return [g.oh, g.ow, c];
    },
    apply(_p, x: Flow<Tensor>) {
      const xs = singleTensor(x, name);
      if (xs.rank !== 4 && xs.rank !== 5) {
        throw new ShapeError(
          `${name}: expected images [N, H, W, C] or [E, N, H, W, C], got ` +
            `[${xs.shape.join(", ")}]`,
        );
      }
      const lead = xs.shape.slice(0, -3);
      const [h, w, c] = xs.shape.slice(-3);
      const g = windowGeometry([h, w], window, o, name);
      const n = lead.reduce((a, b) => a * b, 1);
      const cols = im2col(reshape(xs, [n, h, w, c]), window, o); // [N*OH*OW, KH*KW*C]
      const pooled = mean(reshape(cols, [n * g.oh * g.ow, kh * kw, c]), 1);
      return reshape(pooled, [...lead, g.oh, g.ow, c]);
    },
    kernelFn: (k: Flow<Kernel>) => poolWindowKernel(singleKernel(k, name), window, o, name),
  });
}
