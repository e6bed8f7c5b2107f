import assert from "node:assert/strict";
import { autocovariance } from "../../src/bnn/diagnostics/autocov.ts";
import { splitChains } from "../../src/bnn/diagnostics/chains.ts";
import { ess, essBasic, essOfComponents } from "../../src/bnn/diagnostics/ess.ts";
import { normalCdf, normalQuantile } from "../../src/bnn/diagnostics/normal.ts";
import { rankNormalize } from "../../src/bnn/diagnostics/rank_normalize.ts";
import { rhat } from "../../src/bnn/diagnostics/rhat.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { rng } from "../_util.ts";

/** Seeded standard normals in f64. */
function normals(seed: number): () => number {
  const r = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** A stationary AR(1) chain x_t = phi x_{t-1} + e_t. */
function ar1(phi: number, n: number, seed: number): Float64Array {
  const z = normals(seed);
  const x = new Float64Array(n);
  let v = z() / Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    v = phi * v + z();
    x[i] = v;
  }
  return x;
}

Deno.test("autocovariance matches the direct O(n^2) sum", () => {
  const x = ar1(0.7, 301, 3);
  const a = autocovariance(x);
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  for (const t of [0, 1, 2, 17, 300]) {
    let s = 0;
    for (let i = 0; i + t < x.length; i++) s += (x[i] - m) * (x[i + t] - m);
    assert.ok(Math.abs(a[t] - s / x.length) < 1e-12 * Math.max(1, Math.abs(s)), `lag ${t}`);
  }
});

Deno.test("normalCdf and normalQuantile: known values and round trip", () => {
  assert.ok(Math.abs(normalCdf(1.959963984540054) - 0.975) < 1e-14);
  assert.ok(Math.abs(normalCdf(-3) - 0.0013498980316300946) < 1e-16);
  assert.ok(Math.abs(normalCdf(5) - 0.9999997133484281) < 1e-15);
  assert.ok(Math.abs(normalCdf(-8) - 6.22096057427178e-16) / 6.22e-16 < 1e-9);
  for (const p of [1e-10, 1e-5, 0.01, 0.02425, 0.2, 0.5, 0.7, 0.975, 1 - 1e-6]) {
    const x = normalQuantile(p);
    const back = p < 0.5 ? normalCdf(x) : 1 - normalCdf(-x);
    assert.ok(Math.abs(back - p) <= 1e-12 * Math.min(p, 1 - p) + 1e-16, `p=${p}: ${back}`);
  }
  assert.throws(() => normalQuantile(1.5), InvalidArgumentError);
});

Deno.test("ESS of AR(1) chains matches the closed form N(1-phi)/(1+phi)", () => {
  // 12 replicates of 4 chains x 5000 draws each; the mean estimate must match theory within
  // 3 standard errors of the replicate mean, and every replicate within 20%.
  for (const phi of [0.9, 0.5, -0.4]) {
    const M = 4, N = 5000, R = 12;
    const theory = M * N * (1 - phi) / (1 + phi);
    const est: number[] = [];
    for (let r = 0; r < R; r++) {
      const chains = Array.from({ length: M }, (_, m) => ar1(phi, N, 1000 * r + m + 17));
      est.push(ess(chains, "mean"));
    }
    const mean = est.reduce((a, b) => a + b, 0) / R;
    const sd = Math.sqrt(est.reduce((a, b) => a + (b - mean) ** 2, 0) / (R - 1));
    const z = (mean - theory) / (sd / Math.sqrt(R));
    assert.ok(Math.abs(mean / theory - 1) < 0.05, `phi=${phi}: mean ${mean} vs ${theory}`);
    assert.ok(Math.abs(z) < 3 || Math.abs(mean / theory - 1) < 0.02, `phi=${phi}: z=${z}`);
    for (const e of est) assert.ok(Math.abs(e / theory - 1) < 0.2, `phi=${phi}: ${e}`);
    // bulk ESS of a Gaussian chain estimates the same quantity
    const chains = Array.from({ length: M }, (_, m) => ar1(phi, N, 99 + m));
    assert.ok(Math.abs(ess(chains, "bulk") / theory - 1) < 0.2, `bulk phi=${phi}`);
    const tail = ess(chains, "tail");
    assert.ok(tail > 0.1 * theory && tail < M * N, `tail phi=${phi}: ${tail}`);
  }
});

Deno.test("ESS: independent draws give ~MN; constant chains and bad input", () => {
  const z = normals(5);
  const chains = Array.from({ length: 4 }, () => Array.from({ length: 2000 }, z));
  const e = ess(chains);
  assert.ok(e > 0.9 * 8000 && e < 1.1 * 8000, `iid ESS ${e}`);
  assert.equal(essBasic([[3, 3, 3, 3, 3]]), 5);
  assert.throws(() => ess([[1, 2, 3, 4], [1, 2, 3]]), InvalidArgumentError);
  assert.throws(() => ess([[1, 2]]), InvalidArgumentError);
  assert.throws(() => ess([]), InvalidArgumentError);
  assert.ok(Number.isNaN(ess([[1, 2, NaN, 4, 5, 6, 7, 8]], "mean")));
  // per-component helper agrees with the direct call
  const flat = new Float32Array(2 * 100 * 2);
  const zz = normals(8);
  for (let i = 0; i < flat.length; i++) flat[i] = zz();
  const per = essOfComponents(flat, [2, 100, 2], "mean");
  const comp0 = [0, 1].map((c) => Array.from({ length: 100 }, (_, i) => flat[(c * 100 + i) * 2]));
  assert.ok(Math.abs(per[0] - ess(comp0, "mean")) < 1e-6);
});

Deno.test("R-hat: ~1 on well-mixed chains, far above 1 on chains started apart", () => {
  const mixed = Array.from({ length: 4 }, (_, m) => ar1(0.5, 2000, 300 + m));
  const r1 = rhat(mixed);
  assert.ok(r1 < 1.01, `mixed rhat ${r1}`);
  assert.ok(rhat(mixed, "split") < 1.01);
  // slowly-mixing chains started at +-5: they have not met after 500 steps
  const apart = [-5, 5, -5, 5].map((x0, m) => {
    const z = normals(400 + m);
    const x = new Float64Array(500);
    let v = x0;
    for (let i = 0; i < 500; i++) x[i] = v = 0.999 * v + 0.05 * z();
    return x;
  });
  const r2 = rhat(apart);
  assert.ok(r2 > 2, `apart rhat ${r2}`);
  // a chain drifting in one direction is caught by the split
  const trend = [Array.from({ length: 400 }, (_, i) => i / 10 + normals(1)())];
  assert.ok(rhat(trend, "split") > 1.5);
  assert.throws(() => rhat([[1, 2, 3, 4]], "basic"), InvalidArgumentError);
});

Deno.test("rank normalization and chain splitting", () => {
  const z = rankNormalize([[1, 2], [3, 4]]);
  // ranks 1..4 of S=4 -> symmetric quantiles
  assert.ok(Math.abs(z[0][0] + z[1][1]) < 1e-12 && Math.abs(z[0][1] + z[1][0]) < 1e-12);
  assert.ok(Math.abs(z[1][1] - normalQuantile((4 - 0.375) / 4.25)) < 1e-12);
  const tied = rankNormalize([[5, 5, 1]]);
  assert.equal(tied[0][0], tied[0][1]);
  const s = splitChains([[1, 2, 3, 4, 5]]);
  assert.deepEqual(s.map((c) => Array.from(c)), [[1, 2], [4, 5]]);
});
