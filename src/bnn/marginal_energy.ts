/**
 * The readout-marginalised energy of a linear-Gaussian readout, as a differentiable GPU op for C
 * chains: for readout features `Phi` `[C, n, d]`, targets `y` `[n, k]`, N(0, I) readout prior and
 * noise variance s2,
 *
 *   E(Phi) = |y|^2 / (2 s2) - tr(b^T A^-1 b) / (2 s2) + (k/2) (log det A - d log s2),
 *   A = Phi^T Phi + s2 I (d x d), b = Phi^T y,
 *
 * which equals `(1/2) tr(y^T K^-1 y) + (k/2)(log det K - n log s2)` with `K = Phi Phi^T + s2 I`
 * (n x n; Sylvester/Woodbury). It is exactly the energy of the repriorised BNN (Hron et al. 2022)
 * minus `|phi|^2/2` when the ridge lambda equals the noise variance (see `reprior.ts`). The op
 * factors whichever of A and K is smaller with the batched df64 Cholesky (or f32), so its cost
 * is O(C min(n, d)^3) on top of one Gram product. Above size 64 the factorization, solves and
 * inverse run blocked, over many workgroups per chain (`method`); under a gradient trace the
 * forward solve and `L^-1` ride along in the factorization's dispatches (`batchedCholeskySolve`),
 * so at min(n, d) = 256 a forward and backward pass is about 33 dispatches (20 for the value).
 *
 * Gradient (f32, from the same factor): `dE/dPhi = (k K^-1 - alpha alpha^T) Phi` with
 * `alpha = K^-1 y` (n-space), or `-(y - Phi mu) mu^T / s2 + k Phi A^-1` with `mu = A^-1 b`.
 *
 * @example
 * ```ts
 * import { grad, random, sum, tensor } from "../gpu/mod.ts";
 * import { marginalEnergy } from "./marginal_energy.ts";
 * const y = tensor([[1], [0], [-1]]);
 * const phi = random.normal(random.key(0), [2, 3, 4]);           // 2 chains, n = 3, d = 4
 * console.log(marginalEnergy(phi, y, 0.01).shape);               // [2]
 * const g = grad((p: typeof phi) => sum(marginalEnergy(p, y, 0.01)))(phi);
 * console.log(g.shape); // [2, 3, 4]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { add, customVjp, matmul, mul, reshape, square, sub, sum, type Tensor } from "../gpu/mod.ts";
import { liveTrace } from "../gpu/tape.ts";
import {
  batchedCholeskySolve,
  type CholeskyFactor,
  type LinalgMethod,
} from "./linalg/batched_cholesky.ts";
import { batchedTriInverse } from "./linalg/batched_tri_inverse.ts";
import { batchedTriSolve, type TriSolveResult } from "./linalg/batched_tri_solve.ts";
import type { Precision } from "./linalg/numeric_wgsl.ts";

/** Options of {@link marginalEnergy}. */
export interface MarginalEnergyOptions {
  /** Arithmetic of the Cholesky factor and solves (default df64). */
  precision?: Precision;
  /** Force the d x d ("weights") or n x n ("data") formulation (default: the smaller). */
  space?: "auto" | "weights" | "data";
  /**
   * How the factorization, solves and inverse use the GPU: `"auto"` (default: blocked, many
   * workgroups per chain, when min(n, d) > 64), `"blocked"` or `"workgroup"` (one workgroup per
   * chain). See `linalg/batched_cholesky.ts`.
   */
  method?: LinalgMethod;
}

/**
 * E(Phi) per chain `[C]` (see the module doc). `noiseVar` is sigma^2.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { marginalEnergy } from "./marginal_energy.ts";
 * // n = 1, d = 1: A = phi^2 + s2, E = (y^2 - (phi y)^2 / A) / (2 s2) + (log A - log s2) / 2
 * const e = marginalEnergy(tensor([[[1]]]), tensor([[2]]), 1);
 * console.log((await e.read())[0].toFixed(4)); // "1.3466" = (4 - 2) / 2 + log(2) / 2
 * ```
 */
export function marginalEnergy(
  phi: Tensor,
  y: Tensor,
  noiseVar: number,
  options: MarginalEnergyOptions = {},
): Tensor {
  if (!(noiseVar > 0) || !Number.isFinite(noiseVar)) {
    throw new InvalidArgumentError(`marginalEnergy: noiseVar must be positive, got ${noiseVar}`);
  }
  if (phi.rank !== 3 || y.rank !== 2 || phi.shape[1] !== y.shape[0]) {
    throw new ShapeError(
      `marginalEnergy: expected Phi [C, n, d] and y [n, k] with the same n, got Phi ` +
        `[${phi.shape.join(", ")}] and y [${y.shape.join(", ")}]`,
    );
  }
  const [C, n, d] = phi.shape;
  const k = y.shape[1];
  const precision = options.precision ?? "df64";
  const space = options.space ?? "auto";
  const useData = space === "data" || (space === "auto" && n < d);
  const yData = y;
  const method = options.method ?? "auto";
  // Under a gradient trace the backward pass will need L^-1: the blocked factorization computes
  // it in the same dispatches as the factor and the forward solve.
  const inverse = liveTrace(phi) !== null;
  let stash: { f: CholeskyFactor; z: TriSolveResult; sol: Tensor | null; linv: Tensor | null };
  const op = customVjp(
    (p: Tensor) => {
      const opts = { diag: noiseVar, precision, method, inverse };
      if (useData) {
        const kmat = matmul(p, p, { transB: true }); // [C, n, n]
        const yb = reshape(yData, [1, n, k]);
        const { factor: f, solve: z, inverse: linv } = batchedCholeskySolve(kmat, yb, opts);
        stash = { f, z, sol: null, linv };
        // (1/2)|L^-1 y|^2 + (k/2)(logdet K - n log s2)
        return add(mul(z.sumSquares, 0.5), mul(sub(f.logdet, n * Math.log(noiseVar)), 0.5 * k));
      }
      const a = matmul(p, p, { transA: true }); // [C, d, d]
      const b = matmul(p, yData, { transA: true }); // [C, d, k]
      const { factor: f, solve: z, inverse: linv } = batchedCholeskySolve(a, b, opts);
      const mu = batchedTriSolve(f, z.precise, { transpose: true, method }).x; // [C, d, k]
      stash = { f, z, sol: mu, linv };
      // |y|^2 - b^T A^-1 b = |y - Phi mu|^2 + s2 |mu|^2: no cancellation, and stationary in mu,
      // so rounding mu to f32 costs nothing to first order.
      const r = sub(yData, matmul(p, mu));
      const quad = add(sum(square(r), [1, 2]), mul(sum(square(mu), [1, 2]), noiseVar));
      return add(
        mul(quad, 1 / (2 * noiseVar)),
        mul(sub(f.logdet, d * Math.log(noiseVar)), 0.5 * k),
      );
    },
    (g: Tensor, [p]: [Tensor]) => {
      const { f, z } = stash;
      const linv = stash.linv ?? batchedTriInverse(f, { method });
      const inv = matmul(linv, linv, { transA: true }); // K^-1 or A^-1
      // alpha (data space) or mu (weights space)
      const sol = stash.sol ?? batchedTriSolve(f, z.precise, { transpose: true, method }).x;
      let dphi: Tensor;
      if (useData) {
        const m = sub(mul(inv, k), matmul(sol, sol, { transB: true })); // [C, n, n]
        dphi = matmul(m, p);
      } else {
        const r = sub(yData, matmul(p, sol)); // [C, n, k]
        dphi = sub(mul(matmul(p, inv), k), mul(matmul(r, sol, { transB: true }), 1 / noiseVar));
      }
      return [mul(dphi, reshape(g, [C, 1, 1]))];
    },
  );
  return op(phi);
}
