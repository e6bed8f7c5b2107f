/**
 * Gaussian mixtures with everything in closed form: sampling, the log-density on the host (f64)
 * and on the GPU (differentiable tensor ops), component posteriors, and the mixture perturbed by
 * an SDE's transition kernel. Under x_t = m(t) x_0 + s(t) z, a mixture sum_k pi_k N(mu_k, S_k)
 * stays a mixture: sum_k pi_k N(m mu_k, m^2 S_k + s^2 I), so its score is known exactly (see
 * `gmm_score.ts`). This is the test bed of the `sde-gmm` experiment.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { GaussianMixture } from "./gmm.ts";
 * const gmm = new GaussianMixture({
 *   weights: [0.3, 0.7],
 *   means: [[-2, 0], [2, 0]],
 *   covs: [[[0.2, 0], [0, 0.2]], [[0.5, 0.1], [0.1, 0.3]]],
 * });
 * const x = gmm.sample(random.key(0), 8);
 * console.log(x.shape, gmm.logDensityHost([0, 0])[0] < 0); // [8, 2] true
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, NotPositiveDefiniteError, ShapeError } from "../errors.ts";
import {
  add,
  broadcastTo,
  logsumexp,
  matmul,
  mul,
  random,
  reshape,
  squeeze,
  stack,
  sub,
  sum,
  take,
  type Tensor,
  tensor,
} from "../gpu/mod.ts";
import { parseOptions } from "../options.ts";

/** A mixture's parameters: K weights (summing to 1), K means of length D, K DxD covariances. */
export interface GaussianMixtureSpec {
  /** Mixture weights (positive; normalised to sum 1). */
  weights: number[];
  /** Component means, K x D. */
  means: number[][];
  /** Component covariances, K x D x D, symmetric positive definite. */
  covs: number[][][];
}

const specSchema = z.strictObject({
  weights: z.array(z.number().positive()).min(1),
  means: z.array(z.array(z.number()).min(1)).min(1),
  covs: z.array(z.array(z.array(z.number()))).min(1),
});

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Eigen-decomposition of a symmetric matrix (cyclic Jacobi, f64): `a` is n x n row-major;
 * returns eigenvalues and the eigenvectors as the columns of a row-major n x n matrix.
 *
 * @example
 * ```ts
 * import { symEig } from "./gmm.ts";
 * const { values } = symEig(Float64Array.from([2, 1, 1, 2]), 2);
 * console.log([...values].sort()); // [1, 3]
 * ```
 */
export function symEig(
  a: ArrayLike<number>,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p], akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k], aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p], vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => A[i * n + i]), vectors: V };
}

/**
 * A Gaussian mixture in D dimensions (parameters held on the host in f64).
 *
 * @example
 * ```ts
 * import { GaussianMixture } from "./gmm.ts";
 * const g = GaussianMixture.isotropic([[0, 0], [3, 3]], 0.25);
 * console.log(g.K, g.D, g.weights); // 2 2 [0.5, 0.5]
 * ```
 */
export class GaussianMixture {
  /** Number of components. */
  readonly K: number;
  /** Dimension. */
  readonly D: number;
  /** Normalised weights. */
  readonly weights: readonly number[];
  /** Means, K x D. */
  readonly means: readonly (readonly number[])[];
  /** Covariances, K x D x D. */
  readonly covs: readonly (readonly (readonly number[])[])[];
  /** Eigenvalues of each covariance, K x D. */
  readonly eigenvalues: readonly Float64Array[];
  /** Eigenvectors of each covariance (columns of a row-major D x D matrix), K of them. */
  readonly eigenvectors: readonly Float64Array[];

  /** Validates (zod, shapes, symmetry, positive definiteness) and stores the mixture. */
  constructor(spec: GaussianMixtureSpec) {
    const o = parseOptions(specSchema, spec, "GaussianMixture");
    const K = o.weights.length, D = o.means[0].length;
    if (o.means.length !== K || o.covs.length !== K) {
      throw new ShapeError(
        `GaussianMixture: ${K} weights but ${o.means.length} means and ${o.covs.length} covs`,
      );
    }
    o.means.forEach((m, k) => {
      if (m.length !== D) {
        throw new ShapeError(`GaussianMixture: means[${k}] has length ${m.length}, expected ${D}`);
      }
    });
    const total = o.weights.reduce((a, b) => a + b, 0);
    this.K = K;
    this.D = D;
    this.weights = o.weights.map((w) => w / total);
    this.means = o.means.map((m) => [...m]);
    const vals: Float64Array[] = [], vecs: Float64Array[] = [];
    o.covs.forEach((c, k) => {
      if (c.length !== D || c.some((r) => r.length !== D)) {
        throw new ShapeError(`GaussianMixture: covs[${k}] must be ${D} x ${D}`);
      }
      for (let i = 0; i < D; i++) {
        for (let j = 0; j < i; j++) {
          if (Math.abs(c[i][j] - c[j][i]) > 1e-9 * (Math.abs(c[i][j]) + 1)) {
            throw new InvalidArgumentError(
              `GaussianMixture: covs[${k}] is not symmetric ([${i}][${j}] = ${c[i][j]}, ` +
                `[${j}][${i}] = ${c[j][i]})`,
            );
          }
        }
      }
      const e = symEig(c.flat(), D);
      const minEig = Math.min(...e.values);
      if (!(minEig > 0)) {
        throw new NotPositiveDefiniteError(
          `GaussianMixture: covs[${k}] is not positive definite (smallest eigenvalue ${minEig})`,
        );
      }
      vals.push(e.values);
      vecs.push(e.vectors);
    });
    this.covs = o.covs.map((c) => c.map((r) => [...r]));
    this.eigenvalues = vals;
    this.eigenvectors = vecs;
  }

  /**
   * A mixture of isotropic components N(mu_k, variance I) with the given (or equal) weights.
   *
   * @example
   * ```ts
   * import { GaussianMixture } from "./gmm.ts";
   * console.log(GaussianMixture.isotropic([[1], [2]], 1, [1, 3]).weights); // [0.25, 0.75]
   * ```
   */
  static isotropic(means: number[][], variance: number, weights?: number[]): GaussianMixture {
    const D = means[0]?.length ?? 0;
    const cov = Array.from(
      { length: D },
      (_, i) => Array.from({ length: D }, (_, j) => (i === j ? variance : 0)),
    );
    return new GaussianMixture({
      weights: weights ?? means.map(() => 1),
      means,
      covs: means.map(() => cov.map((r) => [...r])),
    });
  }

  /**
   * The mixture of x_t = m x_0 + s z: means m mu_k, covariances m^2 S_k + s^2 I.
   *
   * @example
   * ```ts
   * import { GaussianMixture } from "./gmm.ts";
   * const g = GaussianMixture.isotropic([[1, 1]], 1).perturbed(2, 1);
   * console.log(g.means[0], g.covs[0][0][0]); // [2, 2] 5
   * ```
   */
  perturbed(meanCoef: number, std: number): GaussianMixture {
    const m = meanCoef, v = std * std;
    return new GaussianMixture({
      weights: [...this.weights],
      means: this.means.map((mu) => mu.map((x) => m * x)),
      covs: this.covs.map((c) => c.map((r, i) => r.map((x, j) => m * m * x + (i === j ? v : 0)))),
    });
  }

  /** Mean of the mixture (length D). */
  mean(): number[] {
    const out = new Array(this.D).fill(0);
    this.means.forEach((mu, k) => mu.forEach((x, j) => (out[j] += this.weights[k] * x)));
    return out;
  }

  /** Covariance of the mixture (D x D): sum_k pi_k (S_k + mu_k mu_k^T) - mu mu^T. */
  covariance(): number[][] {
    const mu = this.mean();
    return Array.from({ length: this.D }, (_, i) =>
      Array.from({ length: this.D }, (_, j) => {
        let c = -mu[i] * mu[j];
        for (let k = 0; k < this.K; k++) {
          c += this.weights[k] * (this.covs[k][i][j] + this.means[k][i] * this.means[k][j]);
        }
        return c;
      }));
  }

  #precision(k: number): { P: Float64Array; logdet: number } {
    const D = this.D, lam = this.eigenvalues[k], U = this.eigenvectors[k];
    const P = new Float64Array(D * D);
    let logdet = 0;
    for (let j = 0; j < D; j++) logdet += Math.log(lam[j]);
    for (let r = 0; r < D; r++) {
      for (let c = 0; c < D; c++) {
        let s = 0;
        for (let j = 0; j < D; j++) s += (U[r * D + j] * U[c * D + j]) / lam[j];
        P[r * D + c] = s;
      }
    }
    return { P, logdet };
  }

  #cholesky(k: number): Float64Array {
    const D = this.D, A = this.covs[k], L = new Float64Array(D * D);
    for (let i = 0; i < D; i++) {
      for (let j = 0; j <= i; j++) {
        let s = A[i][j];
        for (let q = 0; q < j; q++) s -= L[i * D + q] * L[j * D + q];
        L[i * D + j] = i === j ? Math.sqrt(Math.max(s, 0)) : s / L[j * D + j];
      }
    }
    return L;
  }

  /**
   * Per-component log(pi_k N(x; mu_k, S_k)) on the host in f64, for n points given flat
   * (n x D, row-major): an n x K Float64Array.
   *
   * @example
   * ```ts
   * import { GaussianMixture } from "./gmm.ts";
   * const g = GaussianMixture.isotropic([[0], [5]], 1);
   * console.log(g.componentLogitsHost([0]).length); // 2
   * ```
   */
  componentLogitsHost(x: ArrayLike<number>): Float64Array {
    const D = this.D, K = this.K;
    if (x.length % D !== 0) {
      throw new ShapeError(`componentLogitsHost: ${x.length} values is not a multiple of D=${D}`);
    }
    const n = x.length / D;
    const out = new Float64Array(n * K);
    for (let k = 0; k < K; k++) {
      const { P, logdet } = this.#precision(k);
      const c = Math.log(this.weights[k]) - 0.5 * (D * LOG_2PI + logdet);
      const mu = this.means[k];
      for (let i = 0; i < n; i++) {
        let q = 0;
        for (let r = 0; r < D; r++) {
          let pr = 0;
          for (let s = 0; s < D; s++) pr += P[r * D + s] * (x[i * D + s] - mu[s]);
          q += (x[i * D + r] - mu[r]) * pr;
        }
        out[i * K + k] = c - 0.5 * q;
      }
    }
    return out;
  }

  /**
   * log p(x) on the host in f64, for n points given flat (n x D): a Float64Array of length n.
   *
   * @example
   * ```ts
   * import { GaussianMixture } from "./gmm.ts";
   * const g = GaussianMixture.isotropic([[0]], 1);
   * console.log(g.logDensityHost([0])[0]); // -0.9189... = -log(2 pi) / 2
   * ```
   */
  logDensityHost(x: ArrayLike<number>): Float64Array {
    const L = this.componentLogitsHost(x), K = this.K, n = L.length / K;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, L[i * K + k]);
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(L[i * K + k] - m);
      out[i] = m + Math.log(s);
    }
    return out;
  }

  /**
   * Per-component log(pi_k N(x; mu_k, S_k)) as differentiable tensor ops: x [n, D] -> [n, K].
   * (Its softmax is the component posterior: the exact "classifier" of this mixture.)
   *
   * @example
   * ```ts
   * import { tensor } from "../gpu/mod.ts";
   * import { GaussianMixture } from "./gmm.ts";
   * const g = GaussianMixture.isotropic([[0, 0], [4, 0]], 1);
   * console.log(g.componentLogits(tensor([[0, 0]])).shape); // [1, 2]
   * ```
   */
  componentLogits(x: Tensor): Tensor {
    this.#checkX(x, "componentLogits");
    const cols: Tensor[] = [];
    for (let k = 0; k < this.K; k++) {
      const { P, logdet } = this.#precision(k);
      const c = Math.log(this.weights[k]) - 0.5 * (this.D * LOG_2PI + logdet);
      const diff = sub(x, tensor(Float32Array.from(this.means[k]), { shape: [this.D] }));
      const pd = matmul(diff, tensor(Float32Array.from(P), { shape: [this.D, this.D] }));
      cols.push(add(mul(sum(mul(pd, diff), 1), -0.5), c));
    }
    return stack(cols, 1);
  }

  /**
   * log p(x) as differentiable tensor ops: x [n, D] -> [n].
   *
   * @example
   * ```ts
   * import { grad, sum, type Tensor, tensor } from "../gpu/mod.ts";
   * import { GaussianMixture } from "./gmm.ts";
   * const g = GaussianMixture.isotropic([[1, 0]], 1);
   * const s = grad((x: Tensor) => sum(g.logDensity(x)))(tensor([[0, 0]]));
   * console.log(await s.read()); // [1, 0]: the score mu - x
   * ```
   */
  logDensity(x: Tensor): Tensor {
    return logsumexp(this.componentLogits(x), 1);
  }

  /**
   * n samples [n, D] on the GPU: component indices by Gumbel-max, then mu_k + L_k z with the
   * Cholesky factor L_k.
   *
   * @example
   * ```ts
   * import { random } from "../gpu/mod.ts";
   * import { GaussianMixture } from "./gmm.ts";
   * const x = GaussianMixture.isotropic([[0, 0]], 1).sample(random.key(1), 100);
   * console.log(x.shape); // [100, 2]
   * ```
   */
  sample(key: random.Key, n: number): Tensor {
    if (!Number.isInteger(n) || n < 1) {
      throw new InvalidArgumentError(
        `GaussianMixture.sample: n must be a positive integer, got ${n}`,
      );
    }
    const [kc, kz] = random.split(key);
    const D = this.D, K = this.K;
    const logits = tensor(Float32Array.from(this.weights.map(Math.log)), { shape: [1, K] });
    const comp = random.categorical(kc, broadcastTo(logits, [n, K]), -1);
    const means = tensor(Float32Array.from(this.means.flat()), { shape: [K, D] });
    const chol = new Float32Array(K * D * D);
    for (let k = 0; k < K; k++) chol.set(this.#cholesky(k), k * D * D);
    const L = take(tensor(chol, { shape: [K, D, D] }), comp, 0); // [n, D, D]
    const zz = reshape(random.normal(kz, [n, D]), [n, D, 1]);
    return add(take(means, comp, 0), squeeze(matmul(L, zz), 2));
  }

  #checkX(x: Tensor, where: string): void {
    if (x.rank !== 2 || x.shape[1] !== this.D) {
      throw new ShapeError(`${where}: expected x of shape [n, ${this.D}], got [${x.shape}]`);
    }
  }
}
