/**
 * Multi-chain effective sample size, as in Stan and ArviZ (Geyer 1992; Vehtari et al. 2021).
 *
 * The autocorrelation at lag t combines all chains, `rho_t = 1 - (W - mean_m acov_m(t)) / var+`
 * with W the mean within-chain variance and var+ the pooled variance estimate; the sum of
 * `rho` is truncated by Geyer's initial positive sequence (pairs `rho_2k + rho_2k+1` summed while
 * positive) made monotone (initial monotone sequence). ESS = M N / tau with
 * `tau = -1 + 2 sum rho`, floored at `1 / log10(M N)` as ArviZ does. `"bulk"` ESS (default)
 * applies this to split, rank-normalized chains; `"mean"` to split chains; `"tail"` is the minimum
 * of the ESS of the 5% and 95% quantile indicators.
 *
 * @example
 * ```ts
 * import { ess } from "./ess.ts";
 * // two chains of independent-looking draws: ESS close to the number of draws
 * let s = 1;
 * const u = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
 * const draws = [Array.from({ length: 500 }, u), Array.from({ length: 500 }, u)];
 * console.log(ess(draws) > 700); // true
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { autocovariance } from "./autocov.ts";
import { checkDraws, componentDraws, type Draws, splitChains } from "./chains.ts";
import { rankNormalize } from "./rank_normalize.ts";

/** Which ESS: `"bulk"` (rank-normalized split chains), `"mean"` (split chains), `"tail"`. */
export type EssMethod = "bulk" | "mean" | "tail";

/**
 * ESS of already-prepared chains (no splitting, no normalization): the core estimator.
 *
 * @example
 * ```ts
 * import { essBasic } from "./ess.ts";
 * console.log(essBasic([[1, 2, 1, 2, 1, 2, 1, 2]]) > 8); // true (antithetic chain)
 * ```
 */
export function essBasic(draws: Draws): number {
  const chains = checkDraws(draws, "ess", 4);
  const M = chains.length, N = chains[0].length;
  let lo = Infinity, hi = -Infinity, finite = true;
  for (const c of chains) {
    for (const v of c) {
      if (!Number.isFinite(v)) finite = false;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!finite) return NaN;
  if (hi - lo < 1e-15 * Math.max(1, Math.abs(hi))) return M * N; // constant: nothing to estimate
  const acov = chains.map(autocovariance);
  const meanAcov = (t: number) => {
    let s = 0;
    for (const a of acov) s += a[t];
    return s / M;
  };
  const chainMean = chains.map((c) => c.reduce((a, b) => a + b, 0) / N);
  const meanVar = meanAcov(0) * N / (N - 1);
  let varPlus = meanVar * (N - 1) / N;
  if (M > 1) {
    const mm = chainMean.reduce((a, b) => a + b, 0) / M;
    varPlus += chainMean.reduce((a, b) => a + (b - mm) ** 2, 0) / (M - 1);
  }
  const rho = new Float64Array(N);
  let rhoEven = 1;
  let rhoOdd = 1 - (meanVar - meanAcov(1)) / varPlus;
  rho[0] = rhoEven;
  rho[1] = rhoOdd;
  // Geyer's initial positive sequence.
  let t = 1;
  while (t < N - 3 && rhoEven + rhoOdd > 0) {
    rhoEven = 1 - (meanVar - meanAcov(t + 1)) / varPlus;
    rhoOdd = 1 - (meanVar - meanAcov(t + 2)) / varPlus;
    if (rhoEven + rhoOdd >= 0) {
      rho[t + 1] = rhoEven;
      rho[t + 2] = rhoOdd;
    }
    t += 2;
  }
  const maxT = t - 2;
  if (rhoEven > 0) rho[maxT + 1] = rhoEven; // improves the estimate of the last pair
  // Geyer's initial monotone sequence.
  for (t = 1; t <= maxT - 2; t += 2) {
    if (rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]) {
      rho[t + 1] = (rho[t - 1] + rho[t]) / 2;
      rho[t + 2] = rho[t + 1];
    }
  }
  let sum = 0;
  for (let i = 0; i <= maxT; i++) sum += rho[i];
  const total = M * N;
  let tau = -1 + 2 * sum + (maxT + 1 < N ? rho[maxT + 1] : 0);
  tau = Math.max(tau, 1 / Math.log10(total));
  return rho.some(Number.isNaN) ? NaN : total / tau;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos), f = pos - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

/**
 * Effective sample size of one scalar quantity over several chains.
 *
 * @example
 * ```ts
 * import { ess } from "./ess.ts";
 * const ar = (phi: number, n: number, seed: number) => {
 *   let s = seed, x = 0;
 *   const u = () => (s = (s * 48271) % 2147483647) / 2147483647;
 *   return Array.from({ length: n }, () => {
 *     x = phi * x + Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
 *     return x;
 *   });
 * };
 * const e = ess([ar(0.5, 2000, 1), ar(0.5, 2000, 2)], "mean");
 * console.log(e > 900 && e < 1800); // true: theory 4000 * (1 - 0.5) / (1 + 0.5) = 1333
 * ```
 */
export function ess(draws: Draws, method: EssMethod = "bulk"): number {
  const chains = checkDraws(draws, "ess", 4);
  switch (method) {
    case "mean":
      return essBasic(splitChains(chains));
    case "bulk":
      return essBasic(rankNormalize(splitChains(chains)));
    case "tail": {
      const split = splitChains(chains);
      const all = Float64Array.from(split.flatMap((c) => Array.from(c))).sort();
      const q05 = quantile(all, 0.05), q95 = quantile(all, 0.95);
      const lo = essBasic(split.map((c) => c.map((v) => (v <= q05 ? 1 : 0))));
      const hi = essBasic(split.map((c) => c.map((v) => (v <= q95 ? 1 : 0))));
      return Math.min(lo, hi);
    }
    default:
      throw new InvalidArgumentError(
        `ess: method must be "bulk", "mean" or "tail", got ${JSON.stringify(method)}`,
      );
  }
}

/**
 * ESS of every component of a `[chains, draws, dims]` block of samples (e.g. network outputs
 * at test inputs, or random projections of the parameters), as a Float64Array of length dims.
 *
 * @example
 * ```ts
 * import { essOfComponents } from "./ess.ts";
 * const flat = Float32Array.from({ length: 2 * 8 * 3 }, (_, i) => Math.sin(i * 12.9898) * 43758 % 1);
 * console.log(essOfComponents(flat, [2, 8, 3]).length); // 3
 * ```
 */
export function essOfComponents(
  flat: ArrayLike<number>,
  shape: readonly [number, number, number],
  method: EssMethod = "bulk",
): Float64Array {
  return Float64Array.from(componentDraws(flat, shape), (d) => ess(d, method));
}
