/**
 * Layer normalisation (Ba et al. 2016) over the last axis:
 * `y = (x - mean) / sqrt(var + eps) * scale + offset`, with learned `scale` (init 1) and
 * `offset` (init 0) of the feature size.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { layerNorm } from "./layer_norm.ts";
 * const ln = layerNorm();
 * const { params } = ln.init(0, [4]);
 * console.log(await ln.apply(params, tensor([[1, 2, 3, 4]])).read()); // ~[-1.34, -0.45, 0.45, 1.34]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { add, mean, mul, ones, rsqrt, sub, type Tensor, variance, zeros } from "../gpu/mod.ts";
import { checkInShape, type Layer } from "./layer.ts";
import { tidy } from "./tidy.ts";

/** Options of {@link layerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn `scale` and `offset` (default true); false makes the params `{}`. */
  affine?: boolean;
}

/** Parameters of {@link layerNorm}: per-feature `scale` and `offset` (or none). */
export type LayerNormParams = { scale: Tensor; offset: Tensor } | Record<string, never>;

/**
 * Normalises each example over its last axis.
 *
 * @example
 * ```ts
 * import { layerNorm } from "./layer_norm.ts";
 * const { params, outShape } = layerNorm({ eps: 1e-6 }).init(0, [8]);
 * console.log(outShape); // [8]
 * ```
 */
export function layerNorm(options: LayerNormOptions = {}): Layer<LayerNormParams> {
  const eps = options.eps ?? 1e-5;
  const affine = options.affine ?? true;
  if (!(Number.isFinite(eps) && eps >= 0)) {
    throw new InvalidArgumentError(
      `layerNorm: option eps must be a finite number >= 0, got ${eps}`,
    );
  }
  return {
    name: "layerNorm",
    init(_key, inShape) {
      const s = checkInShape("layerNorm.init", inShape);
      const d = s[s.length - 1];
      const params: LayerNormParams = affine ? { scale: ones([d]), offset: zeros([d]) } : {};
      return { params, outShape: s };
    },
    apply(params, x) {
      if (x.rank < 1) throw new ShapeError("layerNorm.apply: x must have a feature axis, got []");
      const p = params as { scale: Tensor; offset: Tensor };
      if (affine && (!p.scale || p.scale.shape[0] !== x.shape[x.rank - 1])) {
        throw new ShapeError(
          `layerNorm.apply: scale [${p.scale?.shape.join(",")}] does not match the feature ` +
            `size of x [${x.shape.join(",")}]`,
        );
      }
      return tidy(() => {
        const mu = mean(x, -1, true);
        const y = mul(sub(x, mu), rsqrt(add(variance(x, -1, true), eps)));
        return affine ? add(mul(y, p.scale), p.offset) : y;
      });
    },
  };
}
