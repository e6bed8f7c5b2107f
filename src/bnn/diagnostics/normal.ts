/**
 * The standard normal CDF and quantile function in f64 on the host (for rank normalization).
 *
 * `normalCdf` uses the Taylor series of erf for |x| < 2.5 and the continued fraction of erfc
 * beyond (relative error ~1e-13 across the range). `normalQuantile` starts from Acklam's rational
 * approximation and polishes it with Newton steps on `normalCdf`.
 *
 * @example
 * ```ts
 * import { normalCdf, normalQuantile } from "./normal.ts";
 * console.log(normalCdf(1.959963984540054).toFixed(6)); // "0.975000"
 * console.log(normalQuantile(0.5)); // 0
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";

/** erfc(x) for x >= 0. */
function erfcPos(x: number): number {
  if (x < 2.5) {
    // erf by its Maclaurin series: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x, sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // continued fraction erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  // evaluated backwards from a fixed depth (converges quickly for x >= 2.5).
  let f = x;
  for (let k = 120; k >= 1; k--) f = x + (k / 2) / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/**
 * The standard normal cumulative distribution function.
 *
 * @example
 * ```ts
 * import { normalCdf } from "./normal.ts";
 * console.log(normalCdf(0)); // 0.5
 * ```
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const e = erfcPos(Math.abs(x) / Math.SQRT2) / 2;
  return x >= 0 ? 1 - e : e;
}

// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9).
const A = [
  -3.969683028665376e+01,
  2.209460984245205e+02,
  -2.759285104469687e+02,
  1.383577518672690e+02,
  -3.066479806614716e+01,
  2.506628277459239e+00,
];
const B = [
  -5.447609879822406e+01,
  1.615858368580409e+02,
  -1.556989798598866e+02,
  6.680131188771972e+01,
  -1.328068155288572e+01,
];
const C = [
  -7.784894002430293e-03,
  -3.223964580411365e-01,
  -2.400758277161838e+00,
  -2.549732539343734e+00,
  4.374664141464968e+00,
  2.938163982698783e+00,
];
const D = [
  7.784695709041462e-03,
  3.224671290700398e-01,
  2.445134137142996e+00,
  3.754408661907416e+00,
];

function acklam(p: number): number {
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  if (p > 1 - pLow) return -acklam(1 - p);
  const q = p - 0.5, r = q * q;
  return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

/**
 * The standard normal quantile (inverse CDF) for p in (0, 1); +-Infinity at 1 and 0.
 *
 * @example
 * ```ts
 * import { normalQuantile } from "./normal.ts";
 * console.log(normalQuantile(0.975).toFixed(4)); // "1.9600"
 * ```
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) {
    throw new InvalidArgumentError(`normalQuantile: p must be in [0, 1], got ${p}`);
  }
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  let x = acklam(p);
  // Newton polish on the side with the better-conditioned tail probability.
  for (let i = 0; i < 3; i++) {
    const pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    if (pdf === 0) break;
    const err = p < 0.5 ? normalCdf(x) - p : (1 - p) - normalCdf(-x);
    const dx = err / pdf;
    x -= dx;
    if (Math.abs(dx) < 1e-15 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}
