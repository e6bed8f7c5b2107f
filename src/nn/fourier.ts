/**
 * Gaussian Fourier features of a scalar (e.g. the diffusion time), as in Song et al. 2021
 * (score_sde's `GaussianFourierProjection`): a fixed random `w ~ N(0, scale^2)` of size
 * `dim / 2` and `embed(t) = [sin(2 pi t w), cos(2 pi t w)]`.
 *
 * The frequencies live in the params (`{ w }`) so the layer stays a pure function, but `apply`
 * wraps them in `stopGradient`: their gradient is zero and optimizers leave them unchanged
 * (only a decoupled weight decay would shrink them; use weightDecay 0 or keep them out of the
 * optimized tree).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { fourierEmbedding } from "./fourier.ts";
 * const emb = fourierEmbedding(16, 30);
 * const { params } = emb.init(0, [1]);
 * console.log(emb.apply(params, tensor([0.1, 0.5])).shape); // [2, 16]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { concat, cos, mul, random, reshape, sin, stopGradient, type Tensor } from "../gpu/mod.ts";
import { toKey } from "./host_rng.ts";
import { checkInShape, type Layer } from "./layer.ts";
import { tidy } from "./tidy.ts";

/** Parameters of {@link fourierEmbedding}: the fixed frequencies `w` [dim / 2]. */
export type FourierParams = { w: Tensor };

/**
 * A Gaussian Fourier embedding layer: `t` [n] or [n, 1] -> [n, dim].
 *
 * @example
 * ```ts
 * import { fourierEmbedding } from "./fourier.ts";
 * const { params, outShape } = fourierEmbedding(8).init(0, [1]);
 * console.log(params.w.shape, outShape); // [4] [8]
 * ```
 */
export function fourierEmbedding(dim: number, scale = 16): Layer<FourierParams> {
  if (!Number.isInteger(dim) || dim < 2 || dim % 2 !== 0) {
    throw new InvalidArgumentError(
      `fourierEmbedding: dim must be an even integer >= 2, got ${dim}`,
    );
  }
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new InvalidArgumentError(`fourierEmbedding: scale must be a number > 0, got ${scale}`);
  }
  return {
    name: `fourierEmbedding(${dim}, ${scale})`,
    init(key, inShape) {
      const s = checkInShape("fourierEmbedding.init", inShape);
      if (s[s.length - 1] !== 1) {
        throw new ShapeError(
          `fourierEmbedding.init: the input is one scalar per example (inShape [1]), got ` +
            `[${s.join(",")}]`,
        );
      }
      const w = random.normal(toKey(key, "fourierEmbedding.init"), [dim / 2], 0, scale);
      return { params: { w }, outShape: [...s.slice(0, -1), dim] };
    },
    apply(params, t) {
      if (t.rank === 0 || (t.rank > 1 && t.shape[t.rank - 1] !== 1)) {
        throw new ShapeError(
          `fourierEmbedding.apply: t must be [n] or [..., 1], got [${t.shape.join(",")}]`,
        );
      }
      return tidy(() => {
        const t2 = t.rank === 1 ? reshape(t, [t.shape[0], 1]) : t;
        const proj = mul(t2, mul(stopGradient(params.w), 2 * Math.PI));
        return concat([sin(proj), cos(proj)], -1);
      });
    },
  };
}
