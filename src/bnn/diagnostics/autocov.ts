/**
 * Autocovariance of a chain by FFT (f64, host): `acov[t] = (1/n) sum_i (x_i - m)(x_{i+t} - m)`,
 * the biased estimator used by Stan and ArviZ for ESS.
 *
 * @example
 * ```ts
 * import { autocovariance } from "./autocov.ts";
 * const a = autocovariance([1, -1, 1, -1]);
 * console.log(a[0], a[1]); // 1 -0.75
 * ```
 * @module
 */

/** In-place iterative radix-2 complex FFT (`re`, `im` of power-of-two length). */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (2 * Math.PI / len) * (inverse ? 1 : -1);
    const wr = Math.cos(ang), wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k, b = a + len / 2;
        const xr = re[b] * cr - im[b] * ci;
        const xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = t;
      }
    }
  }
}

/**
 * Biased autocovariance at every lag 0..n-1, computed with a zero-padded FFT in O(n log n).
 *
 * @example
 * ```ts
 * import { autocovariance } from "./autocov.ts";
 * console.log(autocovariance([2, 2, 2])[0]); // 0
 * ```
 */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  if (n === 0) return new Float64Array(0);
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size), im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = x[i] - m;
  fft(re, im, false);
  for (let i = 0; i < size; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = re[t] / size / n;
  return out;
}
