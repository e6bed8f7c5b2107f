/**
 * The GPU f32 Jacobi eigendecomposition against the host f64 eigh: eigenvalues, reconstruction
 * ||V diag(w) V^T - A|| / ||A||, orthogonality ||V^T V - I||, on random SPD, kernel, odd-sized,
 * indefinite and degenerate matrices; bad input.
 */
import assert from "node:assert/strict";
import {
  dense,
  eighGpu,
  eighGpuToHost,
  eighHost,
  matmulHost,
  relu,
  serial,
} from "../../src/kernels_inf/mod.ts";
import { random, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError, NonFiniteError, ShapeError } from "../../src/errors.ts";
import { randn } from "../_util.ts";

/** A random SPD matrix G G^T / n + shift I, rounded to f32 (the exact input of both paths). */
function spd(n: number, seed: number, shift = 0.1): Float64Array {
  const g = randn(seed, n * n);
  const a = matmulHost(g, g, n, n, n, false, true).map((v) => v / n);
  for (let i = 0; i < n; i++) a[i * n + i] += shift;
  return Float64Array.from(Float32Array.from(a));
}

function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

interface Errors {
  values: number;
  recon: number;
  orth: number;
  sweeps: number;
}

/** Errors of the GPU decomposition of the f32-exact symmetric matrix `a` against eighHost. */
async function check(a: Float64Array, n: number): Promise<Errors> {
  const ref = eighHost(a, n);
  const r = await eighGpu(tensor(Float32Array.from(a), { shape: [n, n] }));
  assert.deepEqual(r.values.shape, [n]);
  assert.deepEqual(r.vectors.shape, [n, n]);
  const [w, v] = await Promise.all([r.values.read(), r.vectors.read()]);
  for (let i = 1; i < n; i++) assert.ok(w[i - 1] <= w[i], "ascending eigenvalues");
  const scale = Math.max(...ref.values.map(Math.abs));
  let values = 0;
  for (let i = 0; i < n; i++) values = Math.max(values, Math.abs(w[i] - ref.values[i]) / scale);
  const vw = Float64Array.from(v, (x, i) => x * w[i % n]);
  const rec = matmulHost(vw, Float64Array.from(v), n, n, n, false, true);
  const recon = frob(rec.map((x, i) => x - a[i])) / frob(a);
  const vtv = matmulHost(Float64Array.from(v), Float64Array.from(v), n, n, n, true);
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) orth = Math.max(orth, Math.abs(vtv[i * n + j] - (i === j ? 1 : 0)));
  }
  return { values, recon, orth, sweeps: r.sweeps };
}

/**
 * f32 bounds: eigenvalues to a few eps * ||A|| (eps = 2^-23 ~ 1.2e-7); each eigenvector
 * accumulates about sweeps * n rotations (~600 at n = 64), whose rounding errors add up like a
 * random walk, sqrt(600) * eps ~ 3e-6 per entry, so the worst of n^2 entries stays below 3e-5.
 */
function assertAccurate(e: Errors, what: string): void {
  const msg = `${what}: ${JSON.stringify(e)}`;
  assert.ok(e.values < 2e-6, msg);
  assert.ok(e.recon < 3e-5, msg);
  assert.ok(e.orth < 3e-5, msg);
  assert.ok(e.sweeps <= 12, msg);
}

Deno.test("eighGpu matches the f64 eigh on random SPD matrices (even and odd n)", async () => {
  for (const [n, seed] of [[64, 1], [33, 2], [2, 3], [5, 4]]) {
    assertAccurate(await check(spd(n, seed), n), `spd n=${n}`);
  }
});

Deno.test("eighGpu matches the f64 eigh on an NTK matrix", async () => {
  const n = 48;
  const x = random.normal(random.key(7), [n, 6]);
  const net = serial(dense(8, { wStd: 1.5, bStd: 0.05 }), relu(), dense(1, { wStd: 1.5 }));
  const k = Float64Array.from(await net.kernel(x).ntk!.read());
  assertAccurate(await check(k, n), "ntk n=48");
});

Deno.test("eighGpu handles indefinite, degenerate, diagonal and 1 x 1 matrices", async () => {
  // indefinite: symmetric Gaussian
  const n = 20;
  const g = randn(9, n * n);
  const sym = Float64Array.from(
    Float32Array.from({ length: n * n }, (_, i) => {
      const r = Math.floor(i / n), c = i % n;
      return 0.5 * (g[r * n + c] + g[c * n + r]);
    }),
  );
  assertAccurate(await check(sym, n), "indefinite");
  // degenerate: I + u u^T has eigenvalue 1 with multiplicity n - 1
  const u = randn(10, n);
  const deg = Float64Array.from(
    Float32Array.from({ length: n * n }, (_, i) => {
      const r = Math.floor(i / n), c = i % n;
      return (r === c ? 1 : 0) + u[r] * u[c];
    }),
  );
  assertAccurate(await check(deg, n), "degenerate");
  // already diagonal (and unsorted): no rotation, exact values
  const d = await eighGpuToHost(tensor([[3, 0, 0], [0, -1, 0], [0, 0, 2]]));
  assert.deepEqual([...d.values], [-1, 2, 3]);
  assert.deepEqual([...d.vectors], [0, 0, 1, 1, 0, 0, 0, 1, 0]);
  const one = await eighGpuToHost(tensor([[-2.5]]));
  assert.deepEqual([...one.values, ...one.vectors], [-2.5, 1]);
});

Deno.test("eighGpu reads back only every checkEvery sweeps and respects maxSweeps", async () => {
  const n = 16;
  const a = tensor(Float32Array.from(spd(n, 11)), { shape: [n, n] });
  const r1 = await eighGpu(a, { maxSweeps: 1, checkEvery: 1 });
  assert.equal(r1.sweeps, 1);
  assert.ok(r1.offRel > 1e-6, `one sweep does not converge: ${r1.offRel}`);
  const r4 = await eighGpu(a, { checkEvery: 4 });
  assert.equal(r4.sweeps % 4, 0, `sweeps in whole chunks: ${r4.sweeps}`);
  assert.ok(r4.offRel <= 1e-6, `converged: ${r4.offRel}`);
});

Deno.test("eighGpu rejects bad input with typed errors", async () => {
  const bad = (t: Tensor, o = {}) => eighGpu(t, o);
  await assert.rejects(bad(tensor([[1, 2, 3]])), ShapeError);
  await assert.rejects(
    bad(tensor([[1, NaN], [NaN, 1]])),
    (e: Error) => e instanceof NonFiniteError && /NaN or infinite/.test(e.message),
  );
  await assert.rejects(
    bad(tensor([[1, 0], [0, 1]]), { maxSweeps: 0 }),
    (e: Error) => e instanceof InvalidArgumentError && /maxSweeps/.test(e.message),
  );
  await assert.rejects(
    bad(tensor([[1, 0], [0, 1]]), { bogus: 1 }),
    InvalidArgumentError,
  );
});
