/** Whitening transforms (Wadia et al. 2021, section 3) against f64 host references. */
import assert from "node:assert/strict";
import { InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import { matmul, tensor } from "../../src/gpu/mod.ts";
import { eighHost } from "../../src/kernels_inf/linalg/eigh.ts";
import {
  fitWhitening,
  fitWhiteningHost,
  secondMomentHost,
  whiteningFromMoment,
} from "../../src/optim/whitening/whitening_transform.ts";
import { assertClose } from "../_util.ts";
import { correlated, invSqrt, maxAbsDiff, mm, tr } from "./_whitening_refs.ts";

const meanSqNorm = (x: ArrayLike<number>, rows: number) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s / rows;
};

Deno.test("full whitening of n <= d points: their Gram matrix is (mean squared norm) * I", async () => {
  const n = 7, d = 12;
  const x = correlated(1, n, d);
  // Sample-space reference: x_hat = c (X X^T)^(-1/2) X (Denman-Beavers, no eigendecomposition),
  // c^2 = mean squared row norm, so that x_hat x_hat^T = c^2 I.
  const gram = mm(x, tr(x, n, d), n, d, n);
  const c = Math.sqrt(meanSqNorm(x, n));
  const ref = mm(invSqrt(gram, n), x, n, n, d).map((v) => c * v);
  const w = await fitWhitening(tensor(x, { shape: [n, d] }));
  assert.equal(w.rank, n);
  assert.equal(w.eps, 0);
  // f64 path: exact up to roundoff.
  const host = w.applyHost(x, n);
  assert.ok(maxAbsDiff(host, ref) < 1e-9 * c, `host vs reference ${maxAbsDiff(host, ref)}`);
  const hostGram = mm(host, tr(host, n, d), n, d, n);
  const eye = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? c * c : 0));
  assertClose(hostGram, eye, { atol: 1e-9 * c * c, rtol: 0 }, "f64 Gram");
  // GPU (f32) apply: same points to f32 accuracy, Gram = c^2 I.
  const xw = w.apply(tensor(x, { shape: [n, d] }));
  assertClose(await xw.read(), ref, { atol: 2e-5 * c, rtol: 0 }, "whitened x");
  const g32 = await matmul(xw, xw, { transB: true }).read();
  assertClose(g32, eye, { atol: 5e-5 * c * c, rtol: 0 }, "f32 Gram");
  w.dispose();
});

Deno.test("full whitening of n > d points: covariance (tr C / d) I, W = s C^(-1/2)", async () => {
  const n = 300, d = 6;
  const x = correlated(2, n, d);
  const C = secondMomentHost(x, n, d);
  const mu = (C.reduce((s, v, i) => s + (i % (d + 1) === 0 ? v : 0), 0)) / d; // tr(C) / d
  const ref = invSqrt(C, d).map((v) => Math.sqrt(mu) * v);
  const w = await fitWhitening(tensor(x, { shape: [n, d] }));
  assert.equal(w.rank, d);
  assertClose(w.matrix, ref, { rtol: 1e-9, atol: 0 }, "W");
  // The f32 GPU moment gives the same W to f32 accuracy (times the condition number here).
  const w32 = await fitWhitening(tensor(x, { shape: [n, d] }), { precision: "f32" });
  assertClose(w32.matrix, ref, { rtol: 0, atol: 1e-4 * Math.max(...ref.map(Math.abs)) }, "W f32");
  const xw = w.apply(tensor(x, { shape: [n, d] }));
  const cov = await matmul(xw, xw, { transA: true }).read();
  const eye = Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? mu : 0));
  assertClose(Float64Array.from(cov, (v) => v / n), eye, { atol: 1e-4 * mu, rtol: 0 }, "cov");
  w.dispose();
});

Deno.test("regularized whitening: (C + eps I)^(-1/2) spectrum, reg -> infinity recovers raw data", async () => {
  const n = 40, d = 5;
  const x = correlated(3, n, d);
  const C = secondMomentHost(x, n, d);
  const trace = [0, 1, 2, 3, 4].reduce((s, i) => s + C[i * d + i], 0);
  for (const reg of [0.01, 0.3, 2]) {
    const eps = (reg * trace) / d;
    // normalize: false is plain ZCA, (C + eps I)^(-1/2); compare with Denman-Beavers.
    const plain = fitWhiteningHost(x, n, d, { reg, normalize: false });
    assert.ok(Math.abs(plain.eps - eps) < 1e-12 * eps);
    const ci = Float64Array.from(C, (v, i) => v + (i % (d + 1) === 0 ? eps : 0));
    assertClose(plain.matrix, invSqrt(ci, d), { rtol: 1e-9, atol: 1e-12 }, `W reg ${reg}`);
    // normalize: the whitened second moment has eigenvalues s^2 l / (l + eps), trace = tr(C).
    const w = fitWhiteningHost(x, n, d, { reg });
    const xw = w.applyHost(x, n);
    const l = eighHost(C, d).values;
    const s2 = trace / l.reduce((s, v) => s + v / (v + eps), 0);
    assert.ok(Math.abs(w.scale ** 2 - s2) < 1e-10 * s2, "scale");
    const got = eighHost(secondMomentHost(xw, n, d), d).values;
    assertClose(got, l.map((v) => (s2 * v) / (v + eps)), { rtol: 1e-8, atol: 1e-12 }, "spectrum");
    assert.ok(Math.abs(meanSqNorm(xw, n) - meanSqNorm(x, n)) < 1e-9 * meanSqNorm(x, n));
  }
  // reg -> infinity: normalize gives W -> I; without it, W -> I / sqrt(eps).
  const big = await fitWhitening(tensor(x, { shape: [n, d] }), { reg: 1e9 });
  assert.ok(
    maxAbsDiff(big.matrix, [
      1,
      0,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      1,
    ]) < 1e-8,
  );
  assertClose(
    await big.apply(tensor(x, { shape: [n, d] })).read(),
    x,
    { rtol: 1e-5, atol: 1e-6 },
    "raw",
  );
  const scaled = fitWhiteningHost(x, n, d, { reg: 1e9, normalize: false });
  // (C + eps I)^(-1/2) = eps^(-1/2) (I - C / (2 eps) + ...): relative deviation <= l_max / eps,
  // here about d / 1e9.
  assertClose(scaled.applyHost(x, n), Float64Array.from(x, (v) => v / Math.sqrt(scaled.eps)), {
    rtol: 1e-7,
    atol: 0,
  }, "scaled raw");
  big.dispose();
});

Deno.test("a transform fitted on one set applies to another (GPU f32 = host f64 = explicit W)", async () => {
  const d = 8;
  const fit = correlated(4, 20, d), other = correlated(5, 9, d);
  const w = await fitWhitening(tensor(fit, { shape: [20, d] }), { reg: 0.05 });
  const C = secondMomentHost(fit, 20, d);
  const ci = Float64Array.from(C, (v, i) => v + (i % (d + 1) === 0 ? w.eps : 0));
  const ref = mm(other, invSqrt(ci, d), 9, d, d).map((v) => w.scale * v);
  assertClose(w.applyHost(other, 9), ref, { rtol: 1e-9, atol: 1e-12 }, "host");
  assertClose(await w.apply(tensor(other, { shape: [9, d] })).read(), ref, {
    rtol: 0,
    atol: 2e-5 * Math.max(...ref.map(Math.abs)),
  }, "gpu");
  w.dispose();
});

Deno.test("center: the whitened fit set has zero mean and covariance (tr Cov / d) I", async () => {
  const n = 100, d = 4;
  const x = correlated(6, n, d).map((v, i) => v + (i % d) + 3); // non-zero mean
  const w = await fitWhitening(tensor(x, { shape: [n, d] }), { center: true });
  const xw = w.applyHost(x, n);
  const m = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) m[j] += xw[i * d + j] / n;
  assert.ok(maxAbsDiff(m, new Float64Array(d)) < 1e-5, `mean ${m}`);
  const cov = secondMomentHost(xw, n, d);
  const t = cov[0] + cov[5] + cov[10] + cov[15];
  const eye = Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? t / d : 0));
  assertClose(cov, eye, { atol: 1e-5 * t, rtol: 0 }, "cov");
  // the GPU mean matches the host one
  assertClose(
    w.mean!,
    Array.from({ length: d }, (_, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i * d + j];
      return s / n;
    }),
    { rtol: 1e-5, atol: 1e-5 },
    "fit mean",
  );
});

Deno.test("whitening rejects bad input with typed errors naming the field", async () => {
  await assert.rejects(fitWhitening(tensor([1, 2, 3])), ShapeError);
  await assert.rejects(fitWhitening(tensor([[1, 2]]), { reg: -1 }), (e: Error) => {
    assert.ok(e instanceof InvalidArgumentError && e.message.includes("reg"), e.message);
    return true;
  });
  await assert.rejects(
    fitWhitening(tensor([[1, 2]]), { regMode: "relative" as never }),
    InvalidArgumentError,
  );
  assert.throws(() => whiteningFromMoment([0, 0, 0, 0], 2), InvalidArgumentError);
  assert.throws(() => whiteningFromMoment([1, 0, 0], 2), ShapeError);
  assert.throws(() => fitWhiteningHost([1, 2, 3], 2, 2), ShapeError);
  const w = whiteningFromMoment([1, 0, 0, 1], 2);
  assert.throws(() => w.apply(tensor([[1, 2, 3]])), ShapeError);
  assert.throws(() => w.applyHost([1, 2, 3], 1), ShapeError);
});
