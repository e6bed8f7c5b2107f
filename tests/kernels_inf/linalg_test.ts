/**
 * Linear algebra against f64 references: eigh, Gauss-Hermite, host and GPU Cholesky, triangular
 * solves, PSD solves with regularization, log-determinants, and the f32-vs-f64 precision gap.
 */
import assert from "node:assert/strict";
import {
  choleskyGpu,
  choleskyHost,
  choSolveGpu,
  choSolveHost,
  eighHost,
  factorPsdGpu,
  gaussHermite,
  logdet,
  matmulHost,
  solvePsd,
  solveTriangularGpu,
  solveTriangularHost,
} from "../../src/kernels_inf/mod.ts";
import { tensor } from "../../src/gpu/mod.ts";
import {
  InvalidArgumentError,
  NonFiniteError,
  NotPositiveDefiniteError,
} from "../../src/errors.ts";
import { randn } from "../_util.ts";

/** A random SPD matrix G G^T / n + shift I in f64 (and its f32 rounding as the source of truth). */
function spd(n: number, seed: number, shift = 0.5): Float64Array {
  const g = randn(seed, n * n);
  const a = matmulHost(g, g, n, n, n, false, true).map((v) => v / n);
  for (let i = 0; i < n; i++) a[i * n + i] += shift;
  return Float64Array.from(Float32Array.from(a)); // exactly representable in f32
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("eighHost: A V = V diag(w), V orthonormal, ascending, repeated eigenvalues", () => {
  for (const n of [1, 2, 7, 40]) {
    const a = spd(n, n, -0.3);
    const { values, vectors } = eighHost(a, n);
    const av = matmulHost(a, vectors, n, n, n);
    const vl = vectors.map((v, i) => v * values[i % n]);
    assert.ok(maxAbs(av, vl) < 1e-12 * n, `n=${n} residual ${maxAbs(av, vl)}`);
    const vtv = matmulHost(vectors, vectors, n, n, n, true);
    const eye = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
    assert.ok(maxAbs(vtv, eye) < 1e-12 * n);
    for (let i = 1; i < n; i++) assert.ok(values[i] >= values[i - 1]);
  }
  const d = eighHost([2, 0, 0, 0, 1, 0, 0, 0, 2], 3);
  assert.deepEqual(Array.from(d.values), [1, 2, 2]);
  assert.throws(() => eighHost([1, NaN, NaN, 1], 2), NonFiniteError);
  assert.throws(() => eighHost([1, 2, 3], 2), InvalidArgumentError);
});

Deno.test("gaussHermite integrates normal moments exactly up to degree 2n-1", () => {
  const { nodes, weights } = gaussHermite(10);
  for (let p = 0; p <= 19; p++) {
    let s = 0;
    for (let i = 0; i < 10; i++) s += weights[i] * nodes[i] ** p;
    let want = p % 2 === 1 ? 0 : 1; // E z^p = (p - 1)!! for even p
    if (p % 2 === 0) { for (let q = p - 1; q > 1; q -= 2) want *= q; }
    assert.ok(Math.abs(s - want) < 1e-9 * Math.max(1, want), `E z^${p}: ${s} vs ${want}`);
  }
});

Deno.test("choleskyHost reconstructs A and names the failing pivot", () => {
  const n = 30, a = spd(n, 3);
  const L = choleskyHost(a, n);
  assert.ok(maxAbs(matmulHost(L, L, n, n, n, false, true), a) < 1e-12);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(L[i * n + j], 0);
  assert.throws(() => choleskyHost([1, 2, 2, 1], 2), (e: Error) => {
    assert.ok(e instanceof NotPositiveDefiniteError);
    assert.match(e.message, /pivot 1 is -3/);
    assert.match(e.message, /diagReg/);
    return true;
  });
});

Deno.test("blocked GPU Cholesky and triangular solves match f64 (sizes across block edges)", async () => {
  for (const n of [1, 17, 64, 65, 150]) {
    const a = spd(n, 10 + n);
    const Lh = choleskyHost(a, n);
    const Lg = await choleskyGpu(tensor(Float32Array.from(a), { shape: [n, n] }));
    const lg = await Lg.read();
    assert.ok(maxAbs(lg, Lh) < 2e-5, `n=${n} L err ${maxAbs(lg, Lh)}`);
    for (const m of [1, 3, 70]) {
      const b = randn(n * m, n * m);
      const bt = tensor(b, { shape: [n, m] });
      for (const trans of [false, true]) {
        const xh = solveTriangularHost(Lh, n, b, m, trans);
        const xg = await solveTriangularGpu(Lg, bt, trans).read();
        const scale = Math.max(1, ...Array.from(xh, Math.abs));
        assert.ok(maxAbs(xg, xh) < 1e-4 * scale, `n=${n} m=${m} trans=${trans}: ${maxAbs(xg, xh)}`);
      }
      const ch = choSolveHost(Lh, n, b, m);
      const cg = await choSolveGpu(Lg, bt).read();
      assert.ok(maxAbs(cg, ch) < 1e-4 * Math.max(1, ...Array.from(ch, Math.abs)));
    }
  }
});

Deno.test("solvePsd: f32 and f64 agree on well-conditioned matrices; diagReg scaled vs absolute", async () => {
  const n = 40, m = 3;
  const a = spd(n, 5), b = randn(7, n * m);
  const at = tensor(Float32Array.from(a), { shape: [n, n] }), bt = tensor(b, { shape: [n, m] });
  const r32 = await solvePsd(at, bt, { precision: "f32" });
  const rdf = await solvePsd(at, bt, { precision: "df64" });
  const r64 = await solvePsd(at, bt, { precision: "f64" });
  assert.equal(r32.method, "gpu-f32-cholesky");
  assert.equal(rdf.method, "gpu-df64-cholesky");
  assert.equal(r64.method, "host-f64-cholesky");
  const want = choSolveHost(choleskyHost(a, n), n, b, m);
  assert.ok(maxAbs(await r64.x.read(), want) < 1e-6);
  assert.ok(maxAbs(await rdf.x.read(), want) < 1e-6);
  assert.ok(maxAbs(await r32.x.read(), want) < 1e-4);
  // scaled: reg = 0.5 * mean(diag); absolute: reg = 0.5
  let tr = 0;
  for (let i = 0; i < n; i++) tr += a[i * n + i];
  const withReg = (reg: number) => {
    const ar = Float64Array.from(a);
    for (let i = 0; i < n; i++) ar[i * n + i] += reg;
    return choSolveHost(choleskyHost(ar, n), n, b, m);
  };
  for (const precision of ["f32", "df64", "f64"] as const) {
    const s = await solvePsd(at, bt, { diagReg: 0.5, precision });
    assert.ok(maxAbs(await s.x.read(), withReg((0.5 * tr) / n)) < 1e-4);
    const ab = await solvePsd(at, bt, { diagReg: 0.5, diagRegMode: "absolute", precision });
    assert.ok(maxAbs(await ab.x.read(), withReg(0.5)) < 1e-4);
  }
});

Deno.test("a non-positive-definite matrix gives NotPositiveDefiniteError (never NaN), all paths", async () => {
  const a = tensor([[1, 2, 0], [2, 1, 0], [0, 0, 1]]);
  const b = tensor([[1], [1], [1]]);
  for (const precision of ["f32", "df64", "f64"] as const) {
    await assert.rejects(solvePsd(a, b, { precision }), (e: Error) => {
      assert.ok(e instanceof NotPositiveDefiniteError, e.name);
      assert.match(e.message, /diagReg/);
      return true;
    });
  }
  const nan = tensor([[NaN, 0], [0, 1]]);
  await assert.rejects(solvePsd(nan, tensor([[1], [1]])), NotPositiveDefiniteError);
  const nanB = tensor([[NaN], [1]]);
  await assert.rejects(solvePsd(nan, nanB, { precision: "df64" }), NotPositiveDefiniteError);
  await assert.rejects(logdet(a, { precision: "df64" }), NotPositiveDefiniteError);
  await assert.rejects(factorPsdGpu(a, { precision: "f64" }), (e: Error) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.match(e.message, /"f32" or "df64" on the GPU, got "f64"/);
    return true;
  });
  await assert.rejects(solvePsd(a, b, { precision: "f16" as "f32" }), (e: Error) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.match(e.message, /precision/);
    return true;
  });
  await assert.rejects(solvePsd(a, b, { diagReg: -1 }), (e: Error) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.match(e.message, /diagReg/);
    return true;
  });
});

Deno.test("logdet: f32 GPU, f64 host and the eigenvalue sum agree", async () => {
  const n = 50, a = spd(n, 9);
  const want = eighHost(a, n).values.reduce((s, v) => s + Math.log(v), 0);
  const at = tensor(Float32Array.from(a), { shape: [n, n] });
  const l64 = await logdet(at, { precision: "f64" });
  const l32 = await logdet(at, { precision: "f32" });
  const ldf = await logdet(at, { precision: "df64" });
  assert.ok(Math.abs(l64.value - want) < 1e-9 * Math.abs(want));
  // df64: accumulated in ~48 bits, returned as f32 (half an ulp)
  assert.ok(Math.abs(ldf.value - want) < 2 ** -23 * Math.abs(want), `${ldf.value} vs ${want}`);
  assert.equal(ldf.method, "gpu-df64-cholesky");
  assert.ok(Math.abs(l32.value - want) < 1e-4 * Math.abs(want), `${l32.value} vs ${want}`);
  assert.equal(l32.method, "gpu-f32-cholesky");
});

Deno.test("ill-conditioned kernel: df64 and f64 stay accurate where f32 Cholesky fails", async () => {
  // A = Q diag(lambda) Q^T with lambda log-spaced from 1 to 1e-6 (condition 1e6 > 1/(n eps_f32)),
  // rounded to f32; the reference solution comes from an independent f64 eigendecomposition.
  // n = 64: df64 in one workgroup; n = 150: the blocked df64 factorization (5 panels).
  for (const n of [64, 150]) {
    const q = eighHost(spd(n, 77), n).vectors;
    const lam = Float64Array.from({ length: n }, (_, i) => 10 ** (-6 * i / (n - 1)));
    const a32 = Float32Array.from(
      matmulHost(q.map((v, i) => v * lam[i % n]), q, n, n, n, false, true),
    );
    const a = Float64Array.from(a32);
    const e = eighHost(a, n);
    assert.ok(e.values[0] > 1e-7, "rounded matrix must stay positive definite");
    const b = randn(78, n);
    const vtb = matmulHost(e.vectors, b, n, n, 1, true).map((v, i) => v / e.values[i]);
    const exact = matmulHost(e.vectors, vtb, n, n, 1);
    const scale = Math.max(...Array.from(exact, Math.abs));
    const at = tensor(a32, { shape: [n, n] }), bt = tensor(b, { shape: [n, 1] });
    const relErr = async (precision: "f32" | "df64" | "f64") =>
      maxAbs(await (await solvePsd(at, bt, { precision })).x.read(), exact) / scale;
    const e64 = await relErr("f64");
    assert.ok(e64 < 1e-5, `n${n}: f64 relative error ${e64}`);
    const edf = await relErr("df64");
    assert.ok(edf < 1e-5, `n${n}: df64 relative error ${edf}`);
    let e32 = Infinity;
    try {
      e32 = await relErr("f32");
    } catch (err) {
      assert.ok(err instanceof NotPositiveDefiniteError, (err as Error).name);
    }
    assert.ok(e32 > 1e-3 && e32 > 100 * e64, `n${n}: f32 relative error ${e32} vs f64 ${e64}`);
  }
});
