/**
 * GP inference and gradient-descent predictions against f64 formulas and explicit integration
 * of the training dynamics.
 */
import assert from "node:assert/strict";
import * as stax from "../../src/kernels_inf/mod.ts";
import { choleskyHost, choSolveHost, matmulHost } from "../../src/kernels_inf/mod.ts";
import { random, slice, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError, NotPositiveDefiniteError, ShapeError } from "../../src/errors.ts";

const n = 24, t = 7, k = 2;
const x = random.normal(random.key(3), [n + t, 5]);
const xtr = slice(x, [[0, n]]), xte = slice(x, [[n, n + t]]);
const net = stax.serial(
  stax.dense(64, { wStd: 1.4, bStd: 0.1 }),
  stax.erf(),
  stax.dense(1, { wStd: 1.4, bStd: 0.1 }),
);
const ktt = net.kernel(xtr), kte = net.kernel(xte, xtr), kee = net.kernel(xte);
const y = random.normal(random.key(4), [n, k]);
const input = {
  kTrainTrain: { nngp: ktt.nngp, ntk: ktt.ntk },
  kTestTrain: { nngp: kte.nngp, ntk: kte.ntk },
  kTestTest: kee.nngp,
  yTrain: y,
};
const host = async (a: Tensor) => Float64Array.from(await a.read());
const [K, Th, Kt, Tht, Ktt, Y] = await Promise.all([
  host(ktt.nngp),
  host(ktt.ntk!),
  host(kte.nngp),
  host(kte.ntk!),
  host(kee.nngp),
  host(y),
]);

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("gpInference NNGP posterior mean and covariance match the f64 formulas", async () => {
  const L = choleskyHost(K, n);
  const mean = matmulHost(Kt, choSolveHost(L, n, Y, k), t, n, k);
  const A = choSolveHost(
    L,
    n,
    Float64Array.from({ length: n * t }, (_, i) => Kt[(i % t) * n + Math.floor(i / t)]),
    t,
  );
  const cov = Ktt.map((v, i) => v - matmulHost(Kt, A, t, n, t)[i]);
  for (const precision of ["f64", "df64", "f32"] as const) {
    const r = await stax.gpInference(input, { precision, computeCov: true, get: ["nngp"] });
    assert.equal(r.method, precision === "f64" ? "host-f64-cholesky" : `gpu-${precision}-cholesky`);
    // df64: solves and the products with K_*x in double-float, so as close as f64 (the f32
    // product alone is ~1e-5 off here: K is ill-conditioned, alpha large, the sum cancels)
    const tol = precision === "f32" ? 2e-3 : 1e-6;
    const meanErr = maxAbs(await r.nngp!.mean.read(), mean);
    assert.ok(meanErr < tol, `${precision} mean error ${meanErr}`);
    assert.ok(maxAbs(await r.nngp!.cov!.read(), cov) < tol, `${precision} cov`);
    assert.equal(r.ntk, undefined);
  }
});

Deno.test("GD-MSE ensemble at t = infinity equals GP inference (NNGP and NTK, means and covariances)", async () => {
  const gp = await stax.gpInference(input, { precision: "f64", computeCov: true });
  const ens = await stax.gradientDescentMseEnsemble(input, { learningRate: 0.7 });
  const inf = await ens.predict(Infinity, { computeCov: true });
  assert.equal(inf.method, "host-f64-eigh");
  for (const g of ["nngp", "ntk"] as const) {
    assert.ok(maxAbs(await inf[g]!.mean.read(), await gp[g]!.mean.read()) < 1e-5, `${g} mean`);
    assert.ok(maxAbs(await inf[g]!.cov!.read(), await gp[g]!.cov!.read()) < 1e-5, `${g} cov`);
  }
  // t = 0: mean 0, covariance = the prior K_**
  const zero = await ens.predict(0, { computeCov: true });
  assert.ok(maxAbs(await zero.ntk!.mean.read(), new Float64Array(t * k)) < 1e-12);
  assert.ok(maxAbs(await zero.ntk!.cov!.read(), Ktt) < 1e-6);
});

Deno.test("GD-MSE ensemble at finite t matches Euler integration of df/dt = -lr Theta (f - y) / m", async () => {
  const lr = 0.9, T = 30, steps = 30000, dt = T / steps, m = n * k;
  // train and test means of the infinite ensemble: f0 = 0
  const ftr = new Float64Array(n * k), fte = new Float64Array(t * k);
  for (let s = 0; s < steps; s++) {
    const r = ftr.map((v, i) => v - Y[i]);
    const gtr = matmulHost(Th, r, n, n, k), gte = matmulHost(Tht, r, t, n, k);
    for (let i = 0; i < n * k; i++) ftr[i] -= (lr * dt * gtr[i]) / m;
    for (let i = 0; i < t * k; i++) fte[i] -= (lr * dt * gte[i]) / m;
  }
  const ens = await stax.gradientDescentMseEnsemble(input, { learningRate: lr, get: ["ntk"] });
  const r = await ens.predict(T, { train: true });
  assert.ok(maxAbs(await r.ntk!.mean.read(), fte) < 1e-3, "test mean");
  assert.ok(maxAbs(await r.ntk!.train!.read(), ftr) < 1e-3, "train mean");
});

Deno.test("gradientDescentMse (one linearized network) matches Euler integration, and t = infinity", async () => {
  const lr = 1.3, T = 20, steps = 20000, dt = T / steps, m = n * k;
  const f0 = random.normal(random.key(9), [n, k]), g0 = random.normal(random.key(10), [t, k]);
  const ftr = await host(f0), fte = await host(g0);
  for (let s = 0; s < steps; s++) {
    const r = ftr.map((v, i) => v - Y[i]);
    const gtr = matmulHost(Th, r, n, n, k), gte = matmulHost(Tht, r, t, n, k);
    for (let i = 0; i < n * k; i++) ftr[i] -= (lr * dt * gtr[i]) / m;
    for (let i = 0; i < t * k; i++) fte[i] -= (lr * dt * gte[i]) / m;
  }
  const p = stax.gradientDescentMse(ktt.ntk!, y, { learningRate: lr, precision: "f64" });
  const r = await p.predict(T, { fxTrain0: f0, fxTest0: g0, ntkTestTrain: kte.ntk! });
  assert.ok(maxAbs(await r.train.read(), ftr) < 1e-3);
  assert.ok(maxAbs(await r.test!.read(), fte) < 1e-3);
  const big = await p.predict(1e12, { fxTrain0: f0, fxTest0: g0, ntkTestTrain: kte.ntk! });
  const inf = await p.predict(Infinity, { fxTrain0: f0, fxTest0: g0, ntkTestTrain: kte.ntk! });
  assert.ok(maxAbs(await big.test!.read(), await inf.test!.read()) < 1e-3);
  assert.ok(maxAbs(await inf.train.read(), Y) < 1e-6);
});

Deno.test("diagReg is reported and shrinks predictions; scaled uses the mean diagonal", async () => {
  let tr = 0;
  for (let i = 0; i < n; i++) tr += Th[i * n + i];
  const r = await stax.gpInference(input, { precision: "f64", diagReg: 0.1, get: ["ntk"] });
  assert.ok(Math.abs(r.regularizer.ntk! - (0.1 * tr) / n) < 1e-9);
  const r32 = await stax.gpInference(input, { precision: "f32", diagReg: 0.1, get: ["ntk"] });
  assert.ok(Math.abs(r32.regularizer.ntk! - (0.1 * tr) / n) < 1e-5);
  const a = await stax.gpInference(input, {
    precision: "f64",
    diagReg: 10,
    diagRegMode: "absolute",
  });
  const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
  const plain = await stax.gpInference(input, { precision: "f64" });
  assert.ok(norm(await a.ntk!.mean.read()) < norm(await plain.ntk!.mean.read()));
});

Deno.test("errors: singular kernel, shapes, options", async () => {
  const xs = tensor([[1, 0], [1, 0], [0, 1]]); // duplicate rows: singular NNGP
  const kk = stax.serial(stax.dense(4), stax.relu()).kernel(xs);
  for (const precision of ["f32", "f64"] as const) {
    await assert.rejects(
      stax.gpInference({ kTrainTrain: { nngp: kk.nngp }, yTrain: tensor([[1], [2], [3]]) }, {
        precision,
      }),
      (e: Error) => e instanceof NotPositiveDefiniteError && /diagReg/.test(e.message),
    );
  }
  // a small diagReg fixes it
  const ok = await stax.gpInference({
    kTrainTrain: { nngp: kk.nngp },
    yTrain: tensor([[1], [2], [3]]),
  }, { diagReg: 1e-3 });
  assert.ok((await ok.nngp!.mean.read()).every(Number.isFinite));
  await assert.rejects(stax.gpInference({ ...input, yTrain: tensor([[1]]) }), ShapeError);
  await assert.rejects(stax.gpInference(input, { precision: "f16" as "f32" }), /precision/);
  await assert.rejects(
    stax.gpInference({ ...input, kTestTest: undefined }, { computeCov: true }),
    /kTestTest/,
  );
  await assert.rejects(
    stax.gpInference(input, { get: ["ntk", "cntk" as "ntk"] }),
    InvalidArgumentError,
  );
  await assert.rejects(
    stax.gradientDescentMseEnsemble(input, { learningRate: -1 }),
    /learningRate/,
  );
  const ens = await stax.gradientDescentMseEnsemble({ kTrainTrain: { ntk: ktt.ntk }, yTrain: y });
  await assert.rejects(ens.predict(-1), /t must be/);
  await assert.rejects(ens.predict(1, { computeCov: true }), /computeCov/);
});

Deno.test('eigh: "gpu" (f32 Jacobi) agrees with the host f64 eigendecomposition at finite t', async () => {
  const lr = 1.3, T = 20;
  const f0 = random.normal(random.key(9), [n, k]), g0 = random.normal(random.key(10), [t, k]);
  const inputs = { fxTrain0: f0, fxTest0: g0, ntkTestTrain: kte.ntk! };
  const o = { learningRate: lr, diagReg: 1e-3 };
  const hostP = await stax.gradientDescentMse(ktt.ntk!, y, o).predict(T, inputs);
  const gpuP = await stax.gradientDescentMse(ktt.ntk!, y, { ...o, eigh: "gpu" }).predict(T, inputs);
  assert.equal(hostP.method, "host-f64-eigh");
  assert.equal(gpuP.method, "gpu-f32-jacobi");
  const [ht, gt, h0] = await Promise.all([hostP.test!.read(), gpuP.test!.read(), g0.read()]);
  const moved = maxAbs(ht, h0);
  assert.ok(moved > 0.1, `training moved the test outputs: ${moved}`);
  assert.ok(maxAbs(gt, ht) < 1e-4 * (1 + Math.max(...ht.map(Math.abs))), `${maxAbs(gt, ht)}`);
  assert.ok(maxAbs(await gpuP.train.read(), await hostP.train.read()) < 1e-4 * 10);
  // the ensemble predictor too (NNGP and NTK), at several times
  const ensH = await stax.gradientDescentMseEnsemble(input, { learningRate: lr });
  const ensG = await stax.gradientDescentMseEnsemble(input, { learningRate: lr, eigh: "gpu" });
  for (const time of [1, 30, 1e4]) {
    const [a, b] = [await ensH.predict(time), await ensG.predict(time)];
    assert.equal(b.method, "gpu-f32-jacobi");
    for (const g of ["nngp", "ntk"] as const) {
      const [ma, mb] = [await a[g]!.mean.read(), await b[g]!.mean.read()];
      const scale = Math.max(...ma.map(Math.abs));
      assert.ok(scale > 0.01, `${g} t=${time} moved`);
      assert.ok(maxAbs(ma, mb) < 1e-3 * scale, `${g} t=${time}: ${maxAbs(ma, mb)} vs ${scale}`);
    }
  }
  assert.throws(
    () => stax.gradientDescentMse(ktt.ntk!, y, { eigh: "cpu" as "host" }),
    (e: Error) =>
      e instanceof InvalidArgumentError && /eigh must be "host" or "gpu"/.test(e.message),
  );
  await assert.rejects(
    stax.gradientDescentMseEnsemble(input, { eigh: "cpu" as "host" }),
    (e: Error) => e instanceof InvalidArgumentError && /eigh/.test(e.message),
  );
});

Deno.test("gpInference df64 (blocked, 150 training points, 40 test points as right-hand sides) equals host f64: NNGP and NTK, means and covariances", async () => {
  const nb = 150, tb = 40;
  const xb = random.normal(random.key(11), [nb + tb, 5]);
  const tr = slice(xb, [[0, nb]]), te = slice(xb, [[nb, nb + tb]]);
  const k1 = net.kernel(tr), k2 = net.kernel(te, tr), k3 = net.kernel(te);
  const inputB = {
    kTrainTrain: { nngp: k1.nngp, ntk: k1.ntk },
    kTestTrain: { nngp: k2.nngp, ntk: k2.ntk },
    kTestTest: k3.nngp,
    yTrain: random.normal(random.key(12), [nb, 3]),
  };
  const o = { computeCov: true, diagReg: 1e-6 };
  const want = await stax.gpInference(inputB, { ...o, precision: "f64" });
  const got = await stax.gpInference(inputB, { ...o, precision: "df64" });
  const f32 = await stax.gpInference(inputB, { ...o, precision: "f32" });
  assert.equal(got.method, "gpu-df64-cholesky");
  for (const g of ["nngp", "ntk"] as const) {
    // the scaled regularizer's mean diagonal is summed on the GPU in f32
    const [r, r64] = [got.regularizer[g]!, want.regularizer[g]!];
    assert.ok(r64 > 0 && Math.abs(r - r64) < 1e-6 * r64, `${g} regularizer ${r} vs ${r64}`);
  }
  for (const g of ["nngp", "ntk"] as const) {
    for (const part of ["mean", "cov"] as const) {
      const w = await want[g]![part]!.read();
      const scale = Math.max(...Array.from(w, Math.abs));
      const dErr = maxAbs(await got[g]![part]!.read(), w) / scale;
      const fErr = maxAbs(await f32[g]![part]!.read(), w) / scale;
      // rounded to f32 at the end; covariances subtract (K_** - K_*x A) in f32, and the NTK
      // covariance's A^T K A term is an f32 product (measured: 0, 6.5e-7, 0, 9.9e-6)
      const tol = part === "mean" ? 1e-6 : g === "nngp" ? 3e-6 : 5e-5;
      assert.ok(dErr < tol, `${g} ${part}: df64 relative error ${dErr} (f32: ${fErr})`);
      if (part === "mean") assert.ok(dErr < fErr / 10, `${g} mean: df64 ${dErr} vs f32 ${fErr}`);
    }
  }
});
