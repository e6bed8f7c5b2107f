import assert from "node:assert/strict";
import { grad, runtime, sum, tensor } from "../../src/gpu/mod.ts";
import {
  batchedCholesky,
  batchedCholeskySolve,
  BLOCKED_MIN_SIZE,
  checkFactor,
  type CholeskyFactor,
  LINALG_BLOCK,
  linalgMethodFor,
} from "../../src/bnn/linalg/batched_cholesky.ts";
import { batchedTriInverse } from "../../src/bnn/linalg/batched_tri_inverse.ts";
import { batchedTriSolve } from "../../src/bnn/linalg/batched_tri_solve.ts";
import { marginalEnergy } from "../../src/bnn/marginal_energy.ts";
import { InvalidArgumentError, NotPositiveDefiniteError } from "../../src/errors.ts";
import {
  cholesky64,
  logdet64,
  matmul64,
  normals,
  randomSpd,
  relErr,
  spdSolve64,
  triSolve64,
} from "./_ref.ts";

/** The factor of matrix c as f64 (hi + lo for df64). */
function factor64(l: ArrayLike<number>, f: CholeskyFactor, c: number): Float64Array {
  const m = f.size, w = f.precision === "df64" ? 2 : 1, o = c * m * m * w;
  return Float64Array.from(
    { length: m * m },
    (_, i) => w === 2 ? l[o + 2 * i] + l[o + 2 * i + 1] : l[o + i],
  );
}

/** 2 sum log L_ii, in f64 on the host, from a factor read back. */
function diagLogdet(l: Float64Array, m: number): number {
  let s = 0;
  for (let i = 0; i < m; i++) s += 2 * Math.log(l[i * m + i]);
  return s;
}

function stack(mats: Float32Array[], m: number): Float32Array {
  const a = new Float32Array(mats.length * m * m);
  mats.forEach((mat, c) => a.set(mat, c * m * m));
  return a;
}

const eye64 = (m: number) => new Float64Array(m * m).map((_, i) => (i % (m + 1) === 0 ? 1 : 0));

Deno.test("blocked Cholesky, solves and inverse match f64 and the workgroup method", async () => {
  const z = normals(31);
  // sizes around and between the panel width (32), including the bench's 129 and 256
  for (
    const [C, m, k, cond] of [[2, 33, 3, 1e3], [2, 100, 10, 1e4], [2, 129, 1, 1e2], [
      1,
      256,
      10,
      1e3,
    ]]
  ) {
    const mats = Array.from({ length: C }, () => randomSpd(m, cond, z));
    const at = tensor(stack(mats, m), { shape: [C, m, m] });
    const b = Float32Array.from({ length: m * k }, z);
    const bt = tensor(b, { shape: [1, m, k] });
    const diag = 0.25 / cond;
    for (const precision of ["df64", "f32"] as const) {
      const df = precision === "df64";
      const run = (method: "blocked" | "workgroup") => {
        const f = batchedCholesky(at, { diag, precision, method });
        const fw = batchedTriSolve(f, bt, { method });
        const bw = batchedTriSolve(f, fw.precise, { transpose: true, method });
        const inv = batchedTriInverse(f, { method });
        return Promise.all([
          f.l.read(),
          f.logdet.read(),
          fw.sumSquares.read(),
          bw.x.read(),
          bw.precise.read(),
          inv.read(),
        ]).then((r) => ({ f, r }));
      };
      const blk = await run("blocked");
      const wg = await run("workgroup");
      const [l, ld, ss, xs, xp, li] = blk.r;
      const where = `${precision} m${m}`;
      for (let c = 0; c < C; c++) {
        const ac = Float64Array.from(mats[c]);
        for (let i = 0; i < m; i++) ac[i * m + i] += Math.fround(diag);
        const l64 = cholesky64(ac, m);
        const lb = factor64(l, blk.f, c);
        // the factor: df64 keeps ~48 bits (f32 would be ~1e-6 off), and both methods agree
        const lTol = df ? 1e-10 : 1e-7 * cond;
        assert.ok(relErr(lb, l64) < lTol, `${where} C${c}: factor error ${relErr(lb, l64)}`);
        const lw = factor64(wg.r[0], wg.f, c);
        assert.ok(relErr(lb, lw) < (df ? 1e-12 : 1e-6), `${where}: blocked vs workgroup factor`);
        // log-determinant: the f32 output within two ulps of the f64 value (df64)
        const ld64 = logdet64(ac, m);
        const ldTol = df ? Math.abs(ld64) * 2 ** -22 : 1e-7 * cond * m;
        assert.ok(Math.abs(ld[c] - ld64) < ldTol, `${where}: logdet ${ld[c]} vs ${ld64}`);
        assert.ok(Math.abs(ld[c] - wg.r[1][c]) <= Math.abs(ld64) * 2 ** -22, `${where}: logdets`);
        // solves: A x = b, and |L^-1 b|^2
        const x64 = spdSolve64(ac, b, m, k);
        const xErr = relErr(xs.subarray(c * m * k, (c + 1) * m * k), x64);
        const xTol = df ? 1e-6 : 1e-6 + 1e-7 * cond * m;
        assert.ok(xErr < xTol, `${where}: solve error ${xErr}`);
        const quad = triSolve64(l64, b, m, k).reduce((s, v) => s + v * v, 0);
        assert.ok(Math.abs(ss[c] - quad) / quad < (df ? 1e-6 : 1e-2), `${where}: sum of squares`);
        // L^-1 (f32) against the f64 inverse of the f64 factor
        const linv64 = triSolve64(l64, eye64(m), m, m);
        const lerr = relErr(li.subarray(c * m * m, (c + 1) * m * m), linv64);
        assert.ok(lerr < 1e-6 * Math.sqrt(cond) * m, `${where}: inverse error ${lerr}`);
      }
      if (df) {
        const d = relErr(xp, Float64Array.from(wg.r[4]));
        assert.ok(d < 1e-12, `${where}: blocked vs workgroup df64 solution ${d}`);
      }
    }
  }
});

Deno.test("blocked solves: per-chain df64 right-hand side, addend, k > 16 columns", async () => {
  const z = normals(32);
  const C = 2, m = 70, k = 20;
  const mats = [randomSpd(m, 100, z), randomSpd(m, 1e3, z)];
  const b = Float32Array.from({ length: C * m * k }, z);
  const e = Float32Array.from({ length: C * m * k }, z);
  const f = batchedCholesky(tensor(stack(mats, m), { shape: [C, m, m] }), { method: "blocked" });
  const fw = batchedTriSolve(f, tensor(b, { shape: [C, m, k] }), { method: "blocked" });
  const y = batchedTriSolve(f, fw.precise, {
    transpose: true,
    addend: tensor(e, { shape: [C, m, k] }),
    addendScale: 0.5,
    method: "blocked",
  });
  const ys = await y.x.read();
  for (let c = 0; c < C; c++) {
    const l = cholesky64(mats[c], m);
    const ec = e.subarray(c * m * k, (c + 1) * m * k);
    const zc = triSolve64(l, b.subarray(c * m * k, (c + 1) * m * k), m, k).map((v, i) =>
      v + 0.5 * ec[i]
    );
    const err = relErr(ys.subarray(c * m * k, (c + 1) * m * k), triSolve64(l, zc, m, k, true));
    assert.ok(err < 1e-6, `chain ${c}: ${err}`);
  }
});

Deno.test("blocked df64 on an ill-conditioned matrix: ~48-bit factor and log-determinant", async () => {
  const z = normals(33);
  const m = 100, cond = 1e6;
  const mat = randomSpd(m, cond, z);
  const b = Float32Array.from({ length: m }, z);
  const l64 = cholesky64(mat, m);
  const ld64 = logdet64(mat, m);
  const x64 = spdSolve64(mat, b, m, 1);
  const out: Record<string, { l: number; ld: number; x: number; out: number }> = {};
  for (const precision of ["df64", "f32"] as const) {
    const f = batchedCholesky(tensor(mat, { shape: [1, m, m] }), { precision, method: "blocked" });
    const fw = batchedTriSolve(f, tensor(b, { shape: [1, m, 1] }));
    const x = batchedTriSolve(f, fw.precise, { transpose: true });
    const [l, ld, xs] = await Promise.all([f.l.read(), f.logdet.read(), x.x.read()]);
    const lv = factor64(l, f, 0);
    out[precision] = {
      l: relErr(lv, l64),
      ld: Math.abs(diagLogdet(lv, m) - ld64) / Math.abs(ld64),
      x: relErr(xs, x64),
      out: Math.abs(ld[0] - ld64),
    };
  }
  const { df64, f32 } = out;
  // relative errors, df64 vs f32: factor ~1e-12 vs ~1e-5, log det from its diagonal ~1e-14 vs ~1e-6
  assert.ok(df64.l < 1e-10 && f32.l > 1e-7, `factor: df64 ${df64.l}, f32 ${f32.l}`);
  assert.ok(df64.ld < 1e-10 && f32.ld > 1e-8, `log det: df64 ${df64.ld}, f32 ${f32.ld}`);
  // the logdet output is f32: within two ulps
  assert.ok(df64.out < Math.abs(ld64) * 2 ** -22, `logdet output ${df64.out}`);
  assert.ok(df64.x < 1e-6 && f32.x > 100 * df64.x, `solve: df64 ${df64.x}, f32 ${f32.x}`);
});

Deno.test("blocked: not positive definite in a later panel or NaN input is a typed error", async () => {
  const z = normals(34);
  const m = 100;
  const good = randomSpd(m, 10, z);
  const indefinite = randomSpd(m, 10, z);
  indefinite[80 * m + 80] = -10; // the pivot of row 80 (third panel) is negative
  const withNan = randomSpd(m, 10, z);
  withNan[50 * m + 10] = NaN;
  const at = tensor(stack([good, indefinite, withNan], m), { shape: [3, m, m] });
  for (const precision of ["df64", "f32"] as const) {
    const f = batchedCholesky(at, { precision, method: "blocked" });
    const [ld, l] = await Promise.all([f.logdet.read(), f.l.read()]);
    assert.ok(Number.isFinite(ld[0]), `${precision}: good matrix logdet ${ld[0]}`);
    assert.ok(Number.isNaN(ld[1]) && Number.isNaN(ld[2]), `${precision}: ${ld[1]}, ${ld[2]}`);
    // the good matrix's factor is untouched by its neighbours' failures
    const l0 = factor64(l, f, 0);
    assert.ok(l0.every(Number.isFinite));
    assert.ok(relErr(l0, cholesky64(good, m)) < (precision === "df64" ? 1e-10 : 1e-5));
    await assert.rejects(() => checkFactor(f), (e: Error) => {
      assert.ok(e instanceof NotPositiveDefiniteError);
      assert.match(e.message, /matrix 1 of 3/);
      return true;
    });
  }
  // a 2 x 2 indefinite matrix, forced through the blocked kernels (one panel)
  const small = batchedCholesky(tensor([[[1, 2], [2, 1]]]), { method: "blocked" });
  await assert.rejects(() => checkFactor(small), NotPositiveDefiniteError);
});

Deno.test("method option: auto rule, validation, dispatches per call", async () => {
  assert.equal(linalgMethodFor("auto", BLOCKED_MIN_SIZE), "workgroup");
  assert.equal(linalgMethodFor(undefined, BLOCKED_MIN_SIZE + 1), "blocked");
  assert.equal(linalgMethodFor("workgroup", 1000), "workgroup");
  const a = tensor(randomSpd(100, 10, normals(35)), { shape: [1, 100, 100] });
  // deno-lint-ignore no-explicit-any
  const bad = { method: "fast" as any };
  assert.throws(() => batchedCholesky(a, bad), InvalidArgumentError);
  const f = batchedCholesky(a);
  assert.throws(
    () => batchedTriSolve(f, tensor(new Float32Array(100), { shape: [1, 100, 1] }), bad),
    InvalidArgumentError,
  );
  assert.throws(() => batchedTriInverse(f, bad), InvalidArgumentError);
  // m = 100: 4 panels -> 4 panel + 3 trailing dispatches; one per panel for the others
  const panels = Math.ceil(100 / LINALG_BLOCK);
  const count = (fn: () => unknown) => {
    const d0 = runtime().dispatches;
    fn();
    return runtime().dispatches - d0;
  };
  assert.equal(count(() => batchedCholesky(a)), 2 * panels - 1);
  assert.equal(count(() => batchedCholesky(a, { method: "workgroup" })), 1);
  const b = tensor(new Float32Array(100).fill(1), { shape: [1, 100, 1] });
  assert.equal(count(() => batchedTriSolve(f, b, { transpose: true })), Math.ceil(panels / 2));
  assert.equal(count(() => batchedTriInverse(f)), panels);
  await runtime().sync();
});

/** E and dE/dPhi on the host in f64, data space (equal to the weights-space energy). */
function energy64(phi: Float32Array, y: Float32Array, n: number, d: number, k: number, s2: number) {
  const pt = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) pt[j * n + i] = phi[i * d + j];
  const kmat = matmul64(phi, pt, n, d, n);
  for (let i = 0; i < n; i++) kmat[i * n + i] += s2;
  const alpha = spdSolve64(kmat, y, n, k);
  let quad = 0;
  for (let i = 0; i < n * k; i++) quad += y[i] * alpha[i];
  const e = quad / 2 + (k / 2) * (logdet64(kmat, n) - n * Math.log(s2));
  const kinv = spdSolve64(kmat, eye64(n), n, n);
  const at = new Float64Array(k * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) at[c * n + i] = alpha[i * k + c];
  const aat = matmul64(alpha, at, n, k, n);
  const g = matmul64(kinv.map((v, i) => k * v - aat[i]), phi, n, n, d);
  return { e, g };
}

Deno.test("marginalEnergy: blocked and workgroup agree with each other and with f64", async () => {
  const z = normals(36);
  const C = 2, k = 2, s2 = 0.05;
  // data space (m = n = 70) and weights space (m = d = 80)
  for (const [n, d] of [[70, 90], [100, 80]]) {
    const phi = Float32Array.from({ length: C * n * d }, () => z() / Math.sqrt(d));
    const y = Float32Array.from({ length: n * k }, z);
    const pt = tensor(phi, { shape: [C, n, d] });
    const yt = tensor(y, { shape: [n, k] });
    const res: Record<string, Float32Array[]> = {};
    for (const method of ["blocked", "workgroup"] as const) {
      const f = (p: typeof pt) => sum(marginalEnergy(p, yt, s2, { method }));
      res[method] = (await Promise.all([
        marginalEnergy(pt, yt, s2, { method }).read(),
        grad(f)(pt).read(),
      ])) as Float32Array[];
    }
    const [eb, gb] = res.blocked;
    const [ew, gw] = res.workgroup;
    for (let c = 0; c < C; c++) {
      const ref = energy64(phi.subarray(c * n * d, (c + 1) * n * d), y, n, d, k, s2);
      assert.ok(
        Math.abs(eb[c] - ref.e) < 1e-4 * Math.abs(ref.e),
        `n${n} d${d}: E ${eb[c]} vs ${ref.e}`,
      );
      assert.ok(Math.abs(eb[c] - ew[c]) <= 1e-6 * Math.abs(ref.e), `n${n} d${d}: E methods`);
      const gErr = relErr(gb.subarray(c * n * d, (c + 1) * n * d), ref.g);
      assert.ok(gErr < 1e-3, `n${n} d${d}: gradient error ${gErr}`);
    }
    assert.ok(relErr(gb, Float64Array.from(gw)) < 1e-5, `n${n} d${d}: gradient methods`);
  }
});

Deno.test("batchedCholeskySolve: fused factor + solve + inverse equal the separate calls", async () => {
  const z = normals(37);
  // one panel, a 1-row last panel (129), uneven panels with k > 16 (100), shared and per-chain b
  for (const [C, m, k, shared] of [[2, 20, 3, 1], [2, 129, 10, 1], [3, 100, 20, 0]]) {
    const mats = Array.from({ length: C }, () => randomSpd(m, 1e3, z));
    const at = tensor(stack(mats, m), { shape: [C, m, m] });
    const bt = tensor(Float32Array.from({ length: (shared ? 1 : C) * m * k }, z), {
      shape: [shared ? 1 : C, m, k],
    });
    for (const precision of ["df64", "f32"] as const) {
      const o = { diag: 0.01, precision, method: "blocked" as const };
      const d0 = runtime().dispatches;
      const fused = batchedCholeskySolve(at, bt, { ...o, inverse: true });
      const nFused = runtime().dispatches - d0;
      const f = batchedCholesky(at, o);
      const s = batchedTriSolve(f, bt, { method: "blocked" });
      const inv = batchedTriInverse(f, { method: "blocked" });
      const nSep = runtime().dispatches - d0 - nFused;
      const panels = Math.ceil(m / LINALG_BLOCK);
      assert.equal(nFused, 2 * panels - 1, `m${m}: fused dispatches`);
      assert.equal(nSep, 3 * panels - 1 + Math.ceil(panels / 2), `m${m}: separate dispatches`);
      const got = await Promise.all([
        fused.factor.l.read(),
        fused.factor.logdet.read(),
        fused.solve.x.read(),
        fused.solve.precise.read(),
        fused.solve.sumSquares.read(),
        fused.inverse!.read(),
      ]);
      const want = await Promise.all([
        f.l.read(),
        f.logdet.read(),
        s.x.read(),
        s.precise.read(),
        s.sumSquares.read(),
        inv.read(),
      ]);
      const names = ["l", "logdet", "x", "precise", "sumSquares", "inverse"];
      // the f32 inverse to f32 rounding (a compiler may contract its f32 ops differently in the
      // two kernels; bit for bit on Mesa lavapipe), everything in df64 / f32 storage bit for bit
      const ie = relErr(got[5], Float64Array.from(want[5]));
      assert.ok(ie < 1e-6, `${precision} m${m}: inverse ${ie}`);
      got.slice(0, 5).forEach((g, i) => {
        const w = want[i];
        assert.equal(g.length, w.length);
        const bad = g.findIndex((v, j) => !Object.is(v, w[j]));
        assert.equal(bad, -1, `${precision} m${m}: ${names[i]}[${bad}] ${g[bad]} vs ${w[bad]}`);
      });
      assert.ok(got[1].every(Number.isFinite));
      // the two-panels-per-dispatch back substitution: the one-workgroup method's result
      const back = (method: "blocked" | "workgroup") =>
        batchedTriSolve(f, s.precise, { transpose: true, method }).precise.read();
      const [xb, xw] = await Promise.all([back("blocked"), back("workgroup")]);
      const bad = xb.findIndex((v, j) => !Object.is(v, xw[j]));
      assert.equal(bad, -1, `${precision} m${m}: back substitution [${bad}]`);
    }
  }
});

Deno.test("blocked trailing updates folded over a second grid dimension give the same bits", async () => {
  // m = 10,000 needs 194,376 trailing tiles in its first update, past the 65,535 workgroups a grid
  // dimension holds; a limit of 8 forces the same folding here (the fused inverse's first update
  // has 36 + 8 + 16 = 60 workgroups per matrix: 8 x 8 with 4 idle)
  const z = normals(41);
  const C = 2, m = 150, k = 5;
  const at = tensor(stack([randomSpd(m, 1e3, z), randomSpd(m, 1e2, z)], m), { shape: [C, m, m] });
  const bt = tensor(Float32Array.from({ length: m * k }, z), { shape: [1, m, k] });
  for (const precision of ["df64", "f32"] as const) {
    const run = async (maxGroupsPerDimension?: number) => {
      const o = { diag: 0.01, precision, method: "blocked" as const, maxGroupsPerDimension };
      const f = batchedCholesky(at, o);
      const s = batchedCholeskySolve(at, bt, { ...o, inverse: true });
      return await Promise.all([
        f.l.read(),
        f.logdet.read(),
        s.factor.l.read(),
        s.solve.precise.read(),
        s.inverse!.read(),
      ]);
    };
    const [plain, folded] = [await run(), await run(8)];
    plain.forEach((want, i) => {
      const bad = folded[i].findIndex((v, j) => !Object.is(v, want[j]));
      assert.equal(bad, -1, `${precision} output ${i}[${bad}]: ${folded[i][bad]} vs ${want[bad]}`);
    });
  }
  assert.throws(
    () => batchedCholesky(at, { maxGroupsPerDimension: 0 }),
    (e) =>
      e instanceof InvalidArgumentError &&
      /maxGroupsPerDimension must be an integer/.test(e.message),
  );
  // 150 / 16 -> 9 trailing row tiles, 45 tiles: more than 2^2 workgroups per matrix
  assert.throws(
    () => batchedCholesky(at, { maxGroupsPerDimension: 2, method: "blocked" }),
    (e) => e instanceof InvalidArgumentError && /exceed 2\^2/.test(e.message),
  );
});
