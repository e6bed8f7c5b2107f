/**
 * Repriorisation of a wide BNN (Hron, Novak, Pennington and Sohl-Dickstein 2022, "Wide Bayesian
 * neural networks have a simple weight posterior: theory and accelerated sampling", Sec. 3;
 * reference implementation google/wide_bnn_sampling `reparametrisation.py`).
 *
 * The readout weights `theta_L` are replaced by new coordinates `phi_L` through a data-dependent
 * map, the other layers are unchanged:
 *
 *   theta_L = A^-1 Phi^T y + sqrt(lambda) U^-1 phi_L,   A = Phi^T Phi + lambda I = U^T U,
 *
 * with `Phi` the readout features of the inner layers (`BnnModel.embed`, including the bias
 * column) and U the upper Cholesky factor. With lambda = sigma^2 (the default, as in the
 * reference) N(0, I) pushed through the map is exactly the Bayesian linear-regression posterior
 * of the readout given the inner layers, and the posterior in the new coordinates is
 * `p(theta_inner | y) N(phi_L; 0, I)`; as the width grows it approaches the N(0, I) prior, which
 * is why samplers mix faster in these coordinates, and faster the wider the net.
 *
 * The energy in the new coordinates is the original negative log posterior at theta(phi) minus
 * the log-Jacobian `k (d/2 log lambda - sum log U_ii)`. For lambda = sigma^2 it reduces to
 * `|phi|^2/2 + E_marg(Phi)` ({@link marginalEnergy}), which {@link repriorTarget} samples;
 * {@link repriorEnergy} evaluates the general-lambda energy (no gradient) and {@link repriorMap}
 * maps samples back to weights.
 *
 * Precision: the reference computes in float64. Here Phi and its Gram matrix are f32 (GPU
 * matmul); the Cholesky factor, log-determinant and solves are df64 by default (about 48
 * mantissa bits; `precision: "f32"` for speed), and the gradient is f32 (any deterministic
 * gradient keeps the leapfrog volume-preserving and reversible, so Metropolis-Hastings stays
 * exact for the df64 energy). `tests/bnn/reprior_test.ts` checks the energy against an f64 host
 * computation of `-log p(theta(phi) | y) - log|J|`.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { repriorMap, repriorTarget } from "./reprior.ts";
 * const net = fcNet({ inputDim: 2, width: 6, outputDim: 1 });
 * const data = { x: tensor([[0, 1], [1, 0], [1, 1]]), y: tensor([[1], [-1], [0]]) };
 * const phi = net.init(random.key(0), 2);                  // 2 chains, N(0, I)
 * const { u } = repriorTarget(net, data, 0.1).evaluate(phi);
 * const theta = repriorMap(net, phi, data, 0.1);           // weights with the mapped readout
 * console.log(u.shape, theta.readout.shape); // [2] [2, 7, 1]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { add, matmul, mul, sub, type Tensor } from "../gpu/mod.ts";
import { type ChainParams, chainSumSquares } from "./chain_params.ts";
import { batchedCholesky } from "./linalg/batched_cholesky.ts";
import { batchedTriSolve } from "./linalg/batched_tri_solve.ts";
import { tiledCholesky, tiledSolve } from "./linalg/tiled_cholesky.ts";
import type { Precision } from "./linalg/numeric_wgsl.ts";
import { checkRegression, negLogPosterior, type RegressionData } from "./log_density.ts";
import { marginalEnergy } from "./marginal_energy.ts";
import type { BnnModel } from "./models/model.ts";
import { potentialTarget, type Target } from "./target.ts";

/** Options of the repriorisation functions. */
export interface RepriorOptions {
  /** Ridge lambda of the map (default sigma^2, the reference's `kernel_reg`). */
  lambda?: number;
  /** Arithmetic of the Cholesky factor and solves (default df64). */
  precision?: Precision;
  /**
   * How {@link repriorMap} factors the d x d matrix A: `"workgroup"` (one GPU workgroup per
   * chain, in `precision`), `"tiled"` (blocked over the whole GPU, f32; see
   * `tiled_cholesky.ts`), or `"auto"` (default): tiled when d > {@link TILED_MAP_THRESHOLD}.
   */
  mapMethod?: "auto" | "workgroup" | "tiled";
}

/**
 * Readout dimension above which {@link repriorMap} switches to the tiled f32 factorization by
 * default (a single workgroup per chain takes ~0.4 s for d = 1025 in df64 on an H100).
 */
export const TILED_MAP_THRESHOLD = 256;

function lambdaOf(noiseStd: number, options: RepriorOptions, where: string): number {
  const lambda = options.lambda ?? noiseStd * noiseStd;
  if (!(lambda > 0) || !Number.isFinite(lambda)) {
    throw new InvalidArgumentError(`${where}: lambda must be a positive number, got ${lambda}`);
  }
  return lambda;
}

/**
 * The repriorised posterior as a sampling target (lambda = sigma^2): parameters are the inner
 * layers and `readout` = phi_L; `evaluate` returns `E_marg(Phi)` and its gradient (zero for phi_L:
 * its whole energy is the standard-normal part the samplers add).
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { repriorTarget } from "./reprior.ts";
 * const net = fcNet({ inputDim: 1, width: 4, outputDim: 1 });
 * const t = repriorTarget(net, { x: tensor([[1], [2]]), y: tensor([[0], [1]]) }, 0.1);
 * console.log(t.evaluate(net.init(random.key(0), 3)).grad.w0.shape); // [3, 1, 4]
 * ```
 */
export function repriorTarget(
  model: BnnModel,
  data: RegressionData,
  noiseStd: number,
  options: Omit<RepriorOptions, "lambda"> = {},
): Target {
  checkRegression(data, noiseStd, model.outputDim, "repriorTarget");
  const s2 = noiseStd * noiseStd;
  return potentialTarget(
    (q) => marginalEnergy(model.embed(q, data.x), data.y, s2, { precision: options.precision }),
    { standardNormalPrior: true },
  );
}

/**
 * Maps repriorised parameters (inner layers + `readout` = phi_L) to weights theta: the inner
 * layers are returned as they are (same tensors), `readout` is replaced by
 * `A^-1 Phi^T y + sqrt(lambda) U^-1 phi_L` (computed as `L^-T (L^-1 Phi^T y + sqrt(lambda) phi_L)`
 * with L = U^T, in one chained df64 solve). Cost: one `[C, d, d]` Gram product and Cholesky.
 * For d above {@link TILED_MAP_THRESHOLD} the factorization is tiled over the whole GPU in f32
 * (`mapMethod`): the map then carries f32 rounding (relative error up to about cond(A) * 6e-8 in
 * the mean part), which is fine for recording samples; the energy never uses this path.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { repriorMap } from "./reprior.ts";
 * const net = fcNet({ inputDim: 1, width: 3, outputDim: 2 });
 * const data = { x: tensor([[1], [2]]), y: tensor([[0, 1], [1, 0]]) };
 * console.log(repriorMap(net, net.init(random.key(0), 2), data, 0.1).readout.shape); // [2, 4, 2]
 * ```
 */
export function repriorMap(
  model: BnnModel,
  phi: ChainParams,
  data: RegressionData,
  noiseStd: number,
  options: RepriorOptions = {},
): Record<string, Tensor> {
  checkRegression(data, noiseStd, model.outputDim, "repriorMap");
  const lambda = lambdaOf(noiseStd, options, "repriorMap");
  const feats = model.embed(phi, data.x);
  const a = matmul(feats, feats, { transA: true });
  const b = matmul(feats, data.y, { transA: true });
  const method = options.mapMethod ?? "auto";
  if (method === "tiled" || (method === "auto" && model.readoutDim > TILED_MAP_THRESHOLD)) {
    const tf = tiledCholesky(a, { diag: lambda });
    const theta = tiledSolve(tf, b, { addend: phi.readout, addendScale: Math.sqrt(lambda) });
    return { ...phi, readout: theta };
  }
  const f = batchedCholesky(a, { diag: lambda, precision: options.precision ?? "df64" });
  const z = batchedTriSolve(f, b);
  const theta = batchedTriSolve(f, z.precise, {
    transpose: true,
    addend: phi.readout,
    addendScale: Math.sqrt(lambda),
  });
  return { ...phi, readout: theta.x };
}

/**
 * `log |det d theta / d phi| = k (d/2 log lambda - sum log U_ii)` per chain `[C]`.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { repriorLogJacobian } from "./reprior.ts";
 * const net = fcNet({ inputDim: 1, width: 3, outputDim: 1 });
 * const data = { x: tensor([[1]]), y: tensor([[0]]) };
 * console.log(repriorLogJacobian(net, net.init(random.key(0), 2), data, 0.1).shape); // [2]
 * ```
 */
export function repriorLogJacobian(
  model: BnnModel,
  phi: ChainParams,
  data: RegressionData,
  noiseStd: number,
  options: RepriorOptions = {},
): Tensor {
  const lambda = lambdaOf(noiseStd, options, "repriorLogJacobian");
  const feats = model.embed(phi, data.x);
  const a = matmul(feats, feats, { transA: true });
  const f = batchedCholesky(a, { diag: lambda, precision: options.precision ?? "df64" });
  const d = model.readoutDim, k = model.outputDim;
  // logdet A = 2 sum log U_ii
  return mul(sub(d * Math.log(lambda), f.logdet), 0.5 * k);
}

/**
 * The energy in repriorised coordinates for any lambda: `-log p(theta(phi) | y) - log|J|` per
 * chain (f32 likelihood, df64 log-determinant; no gradient: for sampling use
 * {@link repriorTarget}, whose energy `|phi|^2/2 + V` equals this at lambda = sigma^2).
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { repriorEnergy } from "./reprior.ts";
 * const net = fcNet({ inputDim: 1, width: 3, outputDim: 1 });
 * const data = { x: tensor([[1], [0.5]]), y: tensor([[0], [1]]) };
 * console.log(repriorEnergy(net, net.init(random.key(0), 2), data, 0.1, { lambda: 0.5 }).shape); // [2]
 * ```
 */
export function repriorEnergy(
  model: BnnModel,
  phi: ChainParams,
  data: RegressionData,
  noiseStd: number,
  options: RepriorOptions = {},
): Tensor {
  const theta = repriorMap(model, phi, data, noiseStd, options);
  const nlp = negLogPosterior(model, theta, data, noiseStd);
  return sub(nlp, repriorLogJacobian(model, phi, data, noiseStd, options));
}

/**
 * The full repriorised energy `|phi|^2/2 + V(phi)` of {@link repriorTarget} per chain (for checks).
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { repriorTargetEnergy } from "./reprior.ts";
 * const net = fcNet({ inputDim: 1, width: 3, outputDim: 1 });
 * const data = { x: tensor([[1], [0.5]]), y: tensor([[0], [1]]) };
 * console.log(repriorTargetEnergy(net, net.init(random.key(0), 2), data, 0.1).shape); // [2]
 * ```
 */
export function repriorTargetEnergy(
  model: BnnModel,
  phi: ChainParams,
  data: RegressionData,
  noiseStd: number,
  options: Omit<RepriorOptions, "lambda"> = {},
): Tensor {
  checkRegression(data, noiseStd, model.outputDim, "repriorTargetEnergy");
  const v = marginalEnergy(model.embed(phi, data.x), data.y, noiseStd * noiseStd, {
    precision: options.precision,
  });
  return add(v, mul(chainSumSquares(phi), 0.5));
}
