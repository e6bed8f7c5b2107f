import assert from "node:assert/strict";
import { matmul, runtime, tensor } from "../../src/gpu/mod.ts";
import {
  batchedCholesky,
  checkFactor,
  disposeFactor,
} from "../../src/bnn/linalg/batched_cholesky.ts";
import { batchedTriInverse } from "../../src/bnn/linalg/batched_tri_inverse.ts";
import { batchedTriSolve } from "../../src/bnn/linalg/batched_tri_solve.ts";
import { tiledCholesky, tiledSolve } from "../../src/bnn/linalg/tiled_cholesky.ts";
import { NotPositiveDefiniteError, ShapeError } from "../../src/errors.ts";
import {
  cholesky64,
  logdet64,
  normals,
  randomSpd,
  relErr,
  spdSolve64,
  triSolve64,
} from "./_ref.ts";

Deno.test("batched Cholesky, solves and inverse match f64 (df64 and f32, odd sizes)", async () => {
  const z = normals(11);
  for (
    const [C, m, k, cond] of [[3, 37, 5, 1e5], [2, 70, 1, 1e3], [1, 1, 2, 1], [2, 259, 3, 1e4]]
  ) {
    const mats = Array.from({ length: C }, () => randomSpd(m, cond, z));
    const a = new Float32Array(C * m * m);
    mats.forEach((mat, c) => a.set(mat, c * m * m));
    const b = Float32Array.from({ length: m * k }, z); // shared right-hand side [1, m, k]
    const at = tensor(a, { shape: [C, m, m] });
    const bt = tensor(b, { shape: [1, m, k] });
    const diag = 0.25 / cond;
    for (const precision of ["df64", "f32"] as const) {
      const f = batchedCholesky(at, { diag, precision });
      const fw = batchedTriSolve(f, bt);
      const bw = batchedTriSolve(f, fw.precise, { transpose: true });
      const inv = batchedTriInverse(f);
      const [ld, xs, ss, li] = await Promise.all([
        f.logdet.read(),
        bw.x.read(),
        fw.sumSquares.read(),
        inv.read(),
      ]);
      for (let c = 0; c < C; c++) {
        const ac = Float64Array.from(mats[c]);
        for (let i = 0; i < m; i++) ac[i * m + i] += Math.fround(diag);
        const l = cholesky64(ac, m);
        const x64 = spdSolve64(ac, b, m, k);
        const zf = triSolve64(l, b, m, k);
        const quad = zf.reduce((s, v) => s + v * v, 0);
        const xErr = relErr(xs.subarray(c * m * k, (c + 1) * m * k), x64);
        // f32: WGSL division is within 2.5 ulp (NVIDIA's is not correctly rounded)
        const tol = precision === "df64" ? 1e-6 : 1e-6 + 1e-7 * cond * m;
        assert.ok(xErr < tol, `${precision} C${c} m${m}: solve error ${xErr} >= ${tol}`);
        const ldTol = precision === "df64" ? 1e-5 * m : 1e-7 * cond * m;
        assert.ok(Math.abs(ld[c] - logdet64(ac, m)) < ldTol, `${precision} logdet m${m}`);
        assert.ok(Math.abs(ss[c] - quad) / quad < (precision === "df64" ? 1e-6 : 1e-2), "quad");
        // L^-1 against the f64 inverse of the f64 factor
        const eye = new Float64Array(m * m).map((_, i) => (i % (m + 1) === 0 ? 1 : 0));
        const linv64 = triSolve64(l, eye, m, m);
        const lerr = relErr(li.subarray(c * m * m, (c + 1) * m * m), linv64);
        assert.ok(lerr < 1e-6 * Math.sqrt(cond) * m, `${precision} inverse m${m}: ${lerr}`);
      }
      disposeFactor(f);
    }
  }
});

Deno.test("df64 is far more accurate than f32 on an ill-conditioned system", async () => {
  const z = normals(5);
  const m = 48, cond = 1e6;
  const mat = randomSpd(m, cond, z);
  const b = Float32Array.from({ length: m }, z);
  const x64 = spdSolve64(mat, b, m, 1);
  const errs: Record<string, number> = {};
  for (const precision of ["df64", "f32"] as const) {
    const f = batchedCholesky(tensor(mat, { shape: [1, m, m] }), { precision });
    const fw = batchedTriSolve(f, tensor(b, { shape: [1, m, 1] }));
    const x = batchedTriSolve(f, fw.precise, { transpose: true });
    errs[precision] = relErr(await x.x.read(), x64);
  }
  assert.ok(errs.df64 < 1e-6, `df64 error ${errs.df64}`);
  assert.ok(errs.f32 > 100 * errs.df64, `f32 ${errs.f32} vs df64 ${errs.df64}`);
});

Deno.test("addend, per-chain rhs, and A^-1 = L^-T L^-1 via matmul", async () => {
  const z = normals(9);
  const C = 2, m = 9, k = 2;
  const mats = [randomSpd(m, 10, z), randomSpd(m, 50, z)];
  const a = new Float32Array(C * m * m);
  mats.forEach((mat, c) => a.set(mat, c * m * m));
  const b = Float32Array.from({ length: C * m * k }, z);
  const e = Float32Array.from({ length: C * m * k }, z);
  const f = batchedCholesky(tensor(a, { shape: [C, m, m] }));
  const fw = batchedTriSolve(f, tensor(b, { shape: [C, m, k] }));
  // L^-T (L^-1 b + 0.5 e): the repriorisation map's structure
  const y = batchedTriSolve(f, fw.precise, {
    transpose: true,
    addend: tensor(e, { shape: [C, m, k] }),
    addendScale: 0.5,
  });
  const inv = batchedTriInverse(f);
  const ainv = matmul(inv, inv, { transA: true });
  const [ys, ai] = await Promise.all([y.x.read(), ainv.read()]);
  for (let c = 0; c < C; c++) {
    const l = cholesky64(mats[c], m);
    const bc = b.subarray(c * m * k, (c + 1) * m * k);
    const ec = e.subarray(c * m * k, (c + 1) * m * k);
    const zc = triSolve64(l, bc, m, k).map((v, i) => v + 0.5 * ec[i]);
    const want = triSolve64(l, zc, m, k, true);
    assert.ok(relErr(ys.subarray(c * m * k, (c + 1) * m * k), want) < 1e-6);
    const eye = new Float64Array(m * m).map((_, i) => (i % (m + 1) === 0 ? 1 : 0));
    const ainv64 = triSolve64(l, triSolve64(l, eye, m, m), m, m, true);
    assert.ok(relErr(ai.subarray(c * m * m, (c + 1) * m * m), ainv64) < 1e-4);
  }
});

Deno.test("not positive definite: NaN logdet, checkFactor throws; shape errors", async () => {
  const f = batchedCholesky(tensor([[[1, 0], [0, 1]], [[1, 2], [2, 1]]]));
  const ld = await f.logdet.read();
  assert.ok(Number.isFinite(ld[0]) && Number.isNaN(ld[1]));
  await assert.rejects(() => checkFactor(f), NotPositiveDefiniteError);
  assert.throws(() => batchedCholesky(tensor([[1, 2], [3, 4]])), ShapeError);
  assert.throws(() => batchedTriSolve(f, tensor([[[1], [2], [3]]])), ShapeError);
  assert.ok(runtime().pool.stats().inUseBuffers >= 0);
});

Deno.test("tiled Cholesky and solves match f64 (uneven tiles, shared rhs, addend)", async () => {
  const z = normals(21);
  const C = 2, m = 45, k = 3, cond = 100;
  const mats = [randomSpd(m, cond, z), randomSpd(m, cond, z)];
  const a = new Float32Array(C * m * m);
  mats.forEach((mat, c) => a.set(mat, c * m * m));
  const b = Float32Array.from({ length: m * k }, z);
  const e = Float32Array.from({ length: C * m * k }, z);
  const f = tiledCholesky(tensor(a, { shape: [C, m, m] }), { block: 16, diag: 0.01 });
  assert.deepEqual(f.starts, [0, 16, 32, 45]);
  const bt = tensor(b, { shape: [1, m, k] });
  const [x, y, ld] = await Promise.all([
    tiledSolve(f, bt).read(),
    tiledSolve(f, bt, { addend: tensor(e, { shape: [C, m, k] }), addendScale: 0.3 }).read(),
    f.logdet.read(),
  ]);
  for (let c = 0; c < C; c++) {
    const ac = Float64Array.from(mats[c]);
    for (let i = 0; i < m; i++) ac[i * m + i] += Math.fround(0.01);
    const l = cholesky64(ac, m);
    assert.ok(relErr(x.subarray(c * m * k, (c + 1) * m * k), spdSolve64(ac, b, m, k)) < 1e-4);
    const ec = e.subarray(c * m * k, (c + 1) * m * k);
    const zc = triSolve64(l, b, m, k).map((v, i) => v + 0.3 * ec[i]);
    assert.ok(relErr(y.subarray(c * m * k, (c + 1) * m * k), triSolve64(l, zc, m, k, true)) < 1e-4);
    assert.ok(Math.abs(ld[c] - logdet64(ac, m)) < 1e-3);
  }
});
