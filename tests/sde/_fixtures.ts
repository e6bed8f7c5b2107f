/**
 * Shared fixtures of the sde tests: a well-separated 2-D Gaussian mixture and moment helpers.
 *
 * @module
 */
import { GaussianMixture } from "../../src/sde/gmm.ts";

/** Three well-separated anisotropic components (overlap below 1e-6). */
export function separatedMixture(): GaussianMixture {
  return new GaussianMixture({
    weights: [0.2, 0.3, 0.5],
    means: [[-3, 0], [3, 0], [0, 3.5]],
    covs: [
      [[0.3, 0.1], [0.1, 0.2]],
      [[0.25, -0.1], [-0.1, 0.35]],
      [[0.15, 0], [0, 0.3]],
    ],
  });
}

/** Per-component weights, means and covariances of samples assigned by the exact posterior. */
export function componentMoments(
  gmm: GaussianMixture,
  x: ArrayLike<number>,
): { weights: number[]; means: number[][]; covs: number[][][]; counts: number[] } {
  const D = gmm.D, K = gmm.K, n = x.length / D;
  const L = gmm.componentLogitsHost(x);
  const counts = new Array(K).fill(0);
  const sums = Array.from({ length: K }, () => new Array(D).fill(0));
  const sq = Array.from({ length: K }, () => Array.from({ length: D }, () => new Array(D).fill(0)));
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (L[i * K + k] > L[i * K + best]) best = k;
    counts[best]++;
    for (let a = 0; a < D; a++) {
      sums[best][a] += x[i * D + a];
      for (let b = 0; b < D; b++) sq[best][a][b] += x[i * D + a] * x[i * D + b];
    }
  }
  const means = sums.map((s, k) => s.map((v) => v / counts[k]));
  const covs = sq.map((m, k) =>
    m.map((r, a) => r.map((v, b) => v / counts[k] - means[k][a] * means[k][b]))
  );
  return { weights: counts.map((c) => c / n), means, covs, counts };
}

/**
 * Asserts that sample moments match the mixture within `z` standard errors plus a slack for
 * discretization bias (absolute for weights and means, relative for covariances).
 */
export function checkMixtureRecovery(
  gmm: GaussianMixture,
  x: ArrayLike<number>,
  what: string,
  slack = { weight: 0.005, mean: 0.02, cov: 0.05 },
  z = 4,
): void {
  const m = componentMoments(gmm, x);
  const n = x.length / gmm.D;
  for (let k = 0; k < gmm.K; k++) {
    const w = gmm.weights[k];
    const seW = Math.sqrt((w * (1 - w)) / n);
    if (Math.abs(m.weights[k] - w) > z * seW + slack.weight) {
      throw new Error(`${what}: weight[${k}] ${m.weights[k]} vs ${w} (se ${seW})`);
    }
    for (let a = 0; a < gmm.D; a++) {
      const se = Math.sqrt(gmm.covs[k][a][a] / m.counts[k]);
      if (Math.abs(m.means[k][a] - gmm.means[k][a]) > z * se + slack.mean) {
        throw new Error(
          `${what}: mean[${k}][${a}] ${m.means[k][a]} vs ${gmm.means[k][a]} (se ${se})`,
        );
      }
      for (let b = 0; b < gmm.D; b++) {
        const c = gmm.covs[k][a][b];
        const se2 = Math.sqrt(
          (gmm.covs[k][a][a] * gmm.covs[k][b][b] + c * c) / m.counts[k],
        );
        const scale = Math.sqrt(gmm.covs[k][a][a] * gmm.covs[k][b][b]);
        if (Math.abs(m.covs[k][a][b] - c) > z * se2 + slack.cov * scale) {
          throw new Error(`${what}: cov[${k}][${a}][${b}] ${m.covs[k][a][b]} vs ${c} (se ${se2})`);
        }
      }
    }
  }
}
