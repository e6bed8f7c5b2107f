/**
 * Regularized ZCA whitening transforms, fitted on one set of inputs and applied to any other
 * (Wadia, Duckworth, Schoenholz, Dyer & Sohl-Dickstein 2021, "Whitening and second order
 * optimization both make information in the dataset unusable during training, and can reduce or
 * prevent generalization", section 3).
 *
 * For a fit set F (m rows of d features) with second-moment matrix C = F^T F / m = V diag(l) V^T
 * (the paper works with second moments, so nothing is centred unless `center` is set), the
 * transform is x -> x W with
 *
 * ```
 * W = s V diag(g) V^T,   g_i = (l_i + eps)^(-1/2)                       (eps > 0)
 *                        g_i = l_i^(-1/2) if l_i > rankTol * max(l), else 0   (eps = 0)
 * ```
 *
 * `eps = reg * tr(C) / d` (`regMode: "scaled"`, relative to the mean eigenvalue as in Lee et al.
 * 2020 and `src/kernels_inf/zca.ts`) or `eps = reg` (`"absolute"`). `reg = 0` is full whitening
 * with the Moore-Penrose pseudo-inverse: components outside the span of the fit set are dropped.
 * As `reg` grows, W tends to `s / sqrt(eps)` times the identity, i.e. (scaled) raw data, so `reg`
 * interpolates from full whitening (0) to no whitening (infinity).
 *
 * `normalize` (default true) picks s so that the whitened fit set keeps the raw fit set's mean
 * squared row norm: `s^2 = tr(C) / sum_i l_i g_i^2`. Then `reg -> infinity` gives W -> I exactly,
 * and at `reg = 0` the whitened fit set has second moment `(tr(C) / rank) P` (P: the projector
 * on its span). With m <= d linearly independent rows, the whitened fit set's Gram matrix is
 * `(mean squared row norm) * I`: every pair of fit points is orthogonal and all have the same
 * norm, which is the paper's Theorem (whitening erases the sample-sample second moment matrix).
 *
 * The eigendecomposition runs once in f64 on the host (`eighHost`). The second-moment matrix is
 * formed in f64 on the host from the inputs read back once (`precision: "f64"`, the default), or
 * by an f32 GPU matmul (`"f32"`). The f64 path matters at `reg = 0`: f32 roundoff leaves
 * eigenvalues near 1e-7 * max where the data have none, and the pseudo-inverse would amplify
 * them (with "f32", raise `rankTol` to about 1e-5). Applying W is one GPU matmul.
 *
 * @example
 * ```ts
 * import { fitWhitening } from "./whitening_transform.ts";
 * import { matmul, random } from "../../gpu/mod.ts";
 * const x = random.normal(random.key(0), [6, 10]); // 6 points in 10 dimensions
 * const w = await fitWhitening(x); // full whitening
 * const xw = w.apply(x);
 * const gram = await matmul(xw, xw, { transB: true }).read(); // 6 x 6, a multiple of I
 * console.log(w.rank, Math.abs(gram[1]) < 1e-3 * gram[0]); // 6 true
 * w.dispose();
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { div, matmul, mean, scope, sub, type Tensor, tensor } from "../../gpu/mod.ts";
import { eighHost } from "../../kernels_inf/linalg/eigh.ts";
import { parseOptions } from "../../options.ts";

/**
 * Options of the whitening fit (see the module doc for the formulas).
 *
 * @example
 * ```ts
 * import type { WhiteningOptions } from "./whitening_transform.ts";
 * const o: WhiteningOptions = { reg: 0.1, regMode: "scaled", normalize: true };
 * console.log(o.reg); // 0.1
 * ```
 */
export interface WhiteningOptions {
  /** Regularizer (default 0: full whitening); larger values move toward the raw data. */
  reg?: number;
  /** "scaled" (default): eps = reg * tr(C) / d; "absolute": eps = reg. */
  regMode?: "scaled" | "absolute";
  /** Keep the fit set's mean squared row norm (default true); false: plain (C + eps I)^(-1/2). */
  normalize?: boolean;
  /** Subtract the fit set's mean first and whiten its covariance (default false). */
  center?: boolean;
  /** At reg = 0, eigenvalues at most rankTol * max are treated as zero (default 1e-10). */
  rankTol?: number;
  /** Second moments in "f64" on the host (default) or "f32" on the GPU (GPU fits only). */
  precision?: "f64" | "f32";
}

/**
 * zod schema of {@link WhiteningOptions} (with defaults).
 *
 * @example
 * ```ts
 * import { whiteningOptionsSchema } from "./whitening_transform.ts";
 * console.log(whiteningOptionsSchema.parse({}).regMode); // "scaled"
 * ```
 */
export const whiteningOptionsSchema = z.strictObject({
  reg: z.number().nonnegative().finite().default(0),
  regMode: z.enum(["scaled", "absolute"]).default("scaled"),
  normalize: z.boolean().default(true),
  center: z.boolean().default(false),
  rankTol: z.number().nonnegative().lt(1).default(1e-10),
  precision: z.enum(["f64", "f32"]).default("f64"),
});

/** Parsed {@link WhiteningOptions}. */
export type WhiteningConfig = z.infer<typeof whiteningOptionsSchema>;

/**
 * A fitted whitening transform x -> (x - mean) W. Holds the f64 matrix on the host and, once
 * `apply` has run, an f32 copy on the GPU (free it with `dispose`).
 *
 * @example
 * ```ts
 * import { whiteningFromMoment } from "./whitening_transform.ts";
 * const w = whiteningFromMoment([4, 0, 0, 1], 2, { normalize: false });
 * console.log(w.matrix); // Float64Array [0.5, 0, 0, 1]
 * ```
 */
export class WhiteningTransform {
  #gpu: Tensor | null = null;
  #gpuMean: Tensor | null = null;

  /** @internal Use {@link whiteningFromMoment}, {@link fitWhitening} or {@link fitWhiteningHost}. */
  constructor(
    /** Number of features d. */
    readonly dim: number,
    /** W, d x d row-major f64 (symmetric). */
    readonly matrix: Float64Array,
    /** The fit set's mean (subtracted before W), or null without centring. */
    readonly mean: Float64Array | null,
    /** Eigenvalues of the fit set's second-moment (or covariance) matrix, ascending. */
    readonly eigenvalues: Float64Array,
    /** The absolute regularizer added to the eigenvalues. */
    readonly eps: number,
    /** The scale s (1 without `normalize`). */
    readonly scale: number,
    /** Eigenvalues above `rankTol * max`: the numerical rank of the fit set. */
    readonly rank: number,
  ) {}

  /**
   * Whitens the rows of `x` [..., d] on the GPU: `(x - mean) W`.
   *
   * @example
   * ```ts
   * import { whiteningFromMoment } from "./whitening_transform.ts";
   * import { tensor } from "../../gpu/mod.ts";
   * const w = whiteningFromMoment([4, 0, 0, 1], 2, { normalize: false });
   * console.log(await w.apply(tensor([[2, 3]])).read()); // Float32Array [1, 3]
   * w.dispose();
   * ```
   */
  apply(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[x.rank - 1] !== this.dim) {
      throw new ShapeError(
        `WhiteningTransform.apply: expected rows of ${this.dim} features ([..., ${this.dim}]), ` +
          `got [${x.shape.join(", ")}]`,
      );
    }
    this.#gpu ??= tensor(Float32Array.from(this.matrix), { shape: [this.dim, this.dim] });
    if (this.mean) this.#gpuMean ??= tensor(Float32Array.from(this.mean), { shape: [this.dim] });
    const w = this.#gpu, m = this.#gpuMean;
    return scope(() => matmul(m ? sub(x, m) : x, w));
  }

  /**
   * Whitens `rows` host rows (row-major, `rows * d` values) in f64.
   *
   * @example
   * ```ts
   * import { whiteningFromMoment } from "./whitening_transform.ts";
   * const w = whiteningFromMoment([4, 0, 0, 1], 2, { normalize: false });
   * console.log(w.applyHost([2, 3], 1)); // Float64Array [1, 3]
   * ```
   */
  applyHost(x: ArrayLike<number>, rows: number): Float64Array {
    const d = this.dim;
    if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * d) {
      throw new ShapeError(
        `WhiteningTransform.applyHost: expected ${rows} rows of ${d} features ` +
          `(${rows * d} values), got ${x.length} values`,
      );
    }
    const out = new Float64Array(rows * d);
    const row = new Float64Array(d);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < d; j++) row[j] = x[i * d + j] - (this.mean ? this.mean[j] : 0);
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += row[k] * this.matrix[k * d + j];
        out[i * d + j] = s;
      }
    }
    return out;
  }

  /**
   * Frees the GPU copy (the host matrix stays usable; `apply` uploads it again).
   *
   * @example
   * ```ts
   * import { whiteningFromMoment } from "./whitening_transform.ts";
   * whiteningFromMoment([1], 1).dispose();
   * ```
   */
  dispose(): void {
    this.#gpu?.dispose();
    this.#gpuMean?.dispose();
    this.#gpu = this.#gpuMean = null;
  }
}

function checkMoment(moment: ArrayLike<number>, d: number, where: string): void {
  if (!Number.isInteger(d) || d < 1) {
    throw new InvalidArgumentError(`${where}: d must be a positive integer, got ${d}`);
  }
  if (moment.length !== d * d) {
    throw new ShapeError(
      `${where}: second-moment matrix has ${moment.length} entries, expected d * d = ${d * d}`,
    );
  }
}

/**
 * The whitening transform of a fit set given its d x d second-moment (or, with `mean`, its
 * covariance) matrix, in f64 on the host. Throws an InvalidArgumentError when the matrix is zero
 * (nothing to whiten).
 *
 * @example
 * ```ts
 * import { whiteningFromMoment } from "./whitening_transform.ts";
 * // reg = 0 drops the null direction; normalize keeps tr(C) = 4 on the whitened fit set
 * const w = whiteningFromMoment([4, 0, 0, 0], 2);
 * console.log(w.rank, w.matrix); // 1 Float64Array [1, 0, 0, 0]
 * ```
 */
export function whiteningFromMoment(
  moment: ArrayLike<number>,
  d: number,
  options: WhiteningOptions = {},
  mean: Float64Array | null = null,
): WhiteningTransform {
  const where = "whiteningFromMoment";
  const o = parseOptions(whiteningOptionsSchema, options, where);
  checkMoment(moment, d, where);
  if (mean && mean.length !== d) {
    throw new ShapeError(`${where}: mean has ${mean.length} entries, expected d = ${d}`);
  }
  const { values, vectors } = eighHost(moment, d);
  const l = values.map((v) => Math.max(v, 0));
  const trace = l.reduce((s, v) => s + v, 0);
  const top = l[d - 1];
  if (!(top > 0)) {
    throw new InvalidArgumentError(
      `${where}: the fit set's second-moment matrix is zero; expected inputs that are not all 0`,
    );
  }
  const eps = o.regMode === "scaled" ? (o.reg * trace) / d : o.reg;
  const kept = Array.from(l, (v) => v > o.rankTol * top);
  const rank = kept.filter(Boolean).length;
  const g = l.map((v, i) => (eps > 0 ? 1 / Math.sqrt(v + eps) : kept[i] ? 1 / Math.sqrt(v) : 0));
  let whitenedTrace = 0;
  for (let i = 0; i < d; i++) whitenedTrace += l[i] * g[i] * g[i];
  const scale = o.normalize ? Math.sqrt(trace / whitenedTrace) : 1;
  const W = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += vectors[i * d + k] * g[k] * vectors[j * d + k];
      W[i * d + j] = W[j * d + i] = scale * s;
    }
  }
  return new WhiteningTransform(d, W, mean, Float64Array.from(l), eps, scale, rank);
}

/**
 * Fits a whitening transform on the rows of `x` [m, d] on the host in f64.
 *
 * @example
 * ```ts
 * import { fitWhiteningHost } from "./whitening_transform.ts";
 * const w = fitWhiteningHost([1, 0, 0, 2], 2, 2, { normalize: false });
 * console.log(w.applyHost([1, 0, 0, 2], 2).map((v) => +v.toFixed(6))); // [1.414214, 0, 0, 1.414214]
 * ```
 */
export function fitWhiteningHost(
  x: ArrayLike<number>,
  rows: number,
  d: number,
  options: WhiteningOptions = {},
): WhiteningTransform {
  const where = "fitWhiteningHost";
  const o = parseOptions(whiteningOptionsSchema, options, where);
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(d) || d < 1) {
    throw new InvalidArgumentError(
      `${where}: rows and d must be positive integers, got ${rows} and ${d}`,
    );
  }
  if (x.length !== rows * d) {
    throw new ShapeError(`${where}: x has ${x.length} values, expected rows * d = ${rows * d}`);
  }
  if (!o.center) return whiteningFromMoment(secondMomentHost(x, rows, d), d, o);
  const mu = new Float64Array(d);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) mu[j] += x[i * d + j] / rows;
  const xc = Float64Array.from(x, (v, i) => v - mu[i % d]);
  return whiteningFromMoment(secondMomentHost(xc, rows, d), d, o, mu);
}

/**
 * Fits a whitening transform on the rows of the GPU tensor `x` [m, d]. With `precision: "f64"`
 * (default) `x` is read back once and everything runs in f64 on the host; with "f32" the
 * second-moment matrix (and mean, with `center`) is formed on the GPU and read back once.
 *
 * @example
 * ```ts
 * import { fitWhitening } from "./whitening_transform.ts";
 * import { random } from "../../gpu/mod.ts";
 * const w = await fitWhitening(random.normal(random.key(1), [200, 3]), { reg: 0.01 });
 * console.log(w.dim, w.rank, w.eps > 0); // 3 3 true
 * ```
 */
export async function fitWhitening(
  x: Tensor,
  options: WhiteningOptions = {},
): Promise<WhiteningTransform> {
  const where = "fitWhitening";
  const o = parseOptions(whiteningOptionsSchema, options, where);
  if (x.rank !== 2 || x.shape[0] < 1 || x.shape[1] < 1) {
    throw new ShapeError(`${where}: expected x of shape [m, d], got [${x.shape.join(", ")}]`);
  }
  const [m, d] = x.shape;
  if (o.precision === "f64") return fitWhiteningHost(await x.read(), m, d, o);
  const { c, mu } = scope(() => {
    const mu = o.center ? mean(x, 0) : null;
    const xc = mu ? sub(x, mu) : x;
    return { c: div(matmul(xc, xc, { transA: true }), m), mu };
  });
  const [cHost, muHost] = await Promise.all([c.read(), mu ? mu.read() : null]);
  c.dispose();
  mu?.dispose();
  return whiteningFromMoment(
    Float64Array.from(cHost),
    d,
    o,
    muHost ? Float64Array.from(muHost) : null,
  );
}

/**
 * The d x d second-moment matrix `x^T x / m` of host rows in f64 (a reference helper for tests
 * and for callers that hold their data on the host).
 *
 * @example
 * ```ts
 * import { secondMomentHost } from "./whitening_transform.ts";
 * console.log(secondMomentHost([1, 2, 3, 4], 2, 2)); // Float64Array [5, 7, 7, 10]
 * ```
 */
export function secondMomentHost(x: ArrayLike<number>, rows: number, d: number): Float64Array {
  if (x.length !== rows * d) {
    throw new ShapeError(`secondMomentHost: x has ${x.length} values, expected ${rows * d}`);
  }
  const C = new Float64Array(d * d);
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < d; a++) {
      const v = x[i * d + a] / rows;
      if (v === 0) continue;
      for (let b = 0; b < d; b++) C[a * d + b] += v * x[i * d + b];
    }
  }
  return C;
}
