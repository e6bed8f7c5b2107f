/**
 * Finite-network training (trainFiniteEnsemble): centred networks against an f64 host reference
 * and against ordinary training on shifted targets, and wide NTK-parameterized networks against
 * the infinite-width (kernel) predictor at the same training time.
 */
import assert from "node:assert/strict";
import { trainFiniteEnsemble } from "../../src/kernels_inf/experiments/finite_training.ts";
import { dense, eighHost, erf, initEnsemble, relu, serial } from "../../src/kernels_inf/mod.ts";
import { add, random, scope, slice, type Tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError, ShapeError } from "../../src/errors.ts";

const host = async (a: Tensor) => Float64Array.from(await a.read());

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbsOf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

Deno.test("centred networks predict exactly 0 at initialization", async () => {
  const x = random.normal(random.key(0), [10, 3]);
  const y = random.normal(random.key(1), [10, 2]);
  const net = serial(dense(16, { bStd: 0.2 }), relu(), dense(2, { bStd: 0.2 }));
  const r = trainFiniteEnsemble(net, x, y, x, {
    members: 3,
    steps: 0,
    lr: 1,
    centered: true,
    key: random.key(2),
  });
  const [out, tr, out0] = await Promise.all([
    r.testOut.read(),
    r.trainOut.read(),
    r.testOut0.read(),
  ]);
  assert.deepEqual(r.testOut.shape, [3, 10, 2]);
  assert.ok(out.every((v) => v === 0), "centred test outputs at init");
  assert.ok(tr.every((v) => v === 0), "centred train outputs at init");
  assert.ok(maxAbsOf(out0) > 0.1, "the uncentred initial function is not 0");
});

Deno.test("a centred linear model trained by SGD equals the f64 reference from zero init", async () => {
  // f(x) = (wStd / sqrt(d)) x W + bStd b is linear in (W, b): the centred model
  // f(theta) - f(theta_0) depends only on theta - theta_0, which SGD moves from 0 whatever the
  // initialization. So every member must match one host f64 SGD run from zero parameters.
  const n = 10, d = 3, k = 2, batch = 4, steps = 7, lr = 0.7, wStd = 1.3, bStd = 0.4;
  const members = 3;
  const x = random.normal(random.key(5), [n, d]);
  const xt = random.normal(random.key(6), [4, d]);
  const y = random.normal(random.key(7), [n, k]);
  const key = random.key(8);
  const r = trainFiniteEnsemble(serial(dense(k, { wStd, bStd })), x, y, xt, {
    members,
    steps,
    lr,
    batchSize: batch,
    centered: true,
    key,
  });
  const [X, XT, Y, out] = await Promise.all([host(x), host(xt), host(y), host(r.testOut)]);
  // Host SGD with the same minibatch order (trainFiniteEnsemble's key split and epoch rule).
  const s = wStd / Math.sqrt(d);
  const W = new Float64Array(d * k), b = new Float64Array(k);
  const kBatch = random.split(key)[1];
  let perm = random.permutationHost(kBatch, n), cursor = 0, epoch = 0;
  for (let step = 0; step < steps; step++) {
    if (cursor + batch > n) {
      perm = random.permutationHost(random.foldIn(kBatch, ++epoch), n);
      cursor = 0;
    }
    const rows = perm.subarray(cursor, cursor + batch);
    cursor += batch;
    const gW = new Float64Array(d * k), gb = new Float64Array(k);
    for (const i of rows) {
      for (let j = 0; j < k; j++) {
        let f = bStd * b[j];
        for (let a = 0; a < d; a++) f += s * X[i * d + a] * W[a * k + j];
        const res = (f - Y[i * k + j]) / (batch * k); // d/df of 0.5 * mean((f - y)^2)
        for (let a = 0; a < d; a++) gW[a * k + j] += s * X[i * d + a] * res;
        gb[j] += bStd * res;
      }
    }
    for (let i = 0; i < d * k; i++) W[i] -= lr * gW[i];
    for (let j = 0; j < k; j++) b[j] -= lr * gb[j];
  }
  const ref = new Float64Array(4 * k);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < k; j++) {
      let f = bStd * b[j];
      for (let a = 0; a < d; a++) f += s * XT[i * d + a] * W[a * k + j];
      ref[i * k + j] = f;
    }
  }
  assert.ok(maxAbsOf(ref) > 0.1, "the reference moved away from 0");
  for (let e = 0; e < members; e++) {
    const o = out.subarray(e * 4 * k, (e + 1) * 4 * k);
    assert.ok(maxAbs(o, ref) < 1e-5, `member ${e}: max diff ${maxAbs(o, ref)}`);
  }
});

Deno.test("centred training equals ordinary training on targets y + f(x; theta_0)", async () => {
  const n = 12, d = 4, k = 3, members = 2;
  const x = random.normal(random.key(10), [n, d]);
  const xt = random.normal(random.key(11), [5, d]);
  const y = random.normal(random.key(12), [n, k]);
  const net = serial(dense(32, { wStd: 1.5, bStd: 0.1 }), erf(), dense(k, { wStd: 1.5 }));
  const key = random.key(13);
  const opts = { members, steps: 9, lr: 0.8, batchSize: 5, key };
  const c = trainFiniteEnsemble(net, x, y, xt, { ...opts, centered: true });
  // The same initialization (trainFiniteEnsemble draws it from the first half of the key).
  const ys = scope(() => {
    const f0 = net.apply(initEnsemble(net, random.split(key)[0], [d], members), x);
    return add(y, f0); // [members, n, k] per-member targets
  });
  const s = trainFiniteEnsemble(net, x, ys, xt, opts);
  const p = trainFiniteEnsemble(net, x, y, xt, opts);
  const [cOut, sOut, s0, pOut] = await Promise.all([
    host(c.testOut),
    host(s.testOut),
    host(s.testOut0),
    host(p.testOut),
  ]);
  assert.deepEqual(c.testOut.shape, [members, 5, k]);
  assert.deepEqual(ys.shape, [members, n, k]);
  const sCentred = sOut.map((v, i) => v - s0[i]);
  assert.ok(maxAbs(cOut, sCentred) < 1e-6, `centred vs shifted: ${maxAbs(cOut, sCentred)}`);
  // ...and it is a different model from ordinary training with f_0 subtracted afterwards.
  const pCentred = pOut.map((v, i) => v - s0[i]);
  assert.ok(maxAbs(cOut, pCentred) > 1e-2, `centred vs post-hoc: ${maxAbs(cOut, pCentred)}`);
});

Deno.test("trainFiniteEnsemble rejects mismatched shapes and bad counts", () => {
  const x = random.normal(random.key(0), [6, 3]);
  const net = serial(dense(2));
  const key = random.key(1);
  const o = { members: 2, steps: 1, lr: 0.1, key };
  assert.throws(
    () => trainFiniteEnsemble(net, x, random.normal(key, [6, 3]), x, o),
    (e: Error) =>
      e instanceof ShapeError && /yTrain must be \[6, 2\] or \[2, 6, 2\]/.test(e.message),
  );
  assert.throws(
    () => trainFiniteEnsemble(net, x, random.normal(key, [3, 6, 2]), x, o),
    ShapeError,
  );
  assert.throws(
    () => trainFiniteEnsemble(net, x, random.normal(key, [6, 2]), random.normal(key, [4, 5]), o),
    (e: Error) => e instanceof ShapeError && /xTest/.test(e.message),
  );
  assert.throws(
    () => trainFiniteEnsemble(net, x, random.normal(key, [6, 2]), x, { ...o, members: 0 }),
    (e: Error) => e instanceof InvalidArgumentError && /members/.test(e.message),
  );
});

/**
 * Discrete-time gradient descent of the linearized network with the analytic NTK Theta:
 * centred test outputs Theta_*x Theta^{-1} (I - (I - lr Theta / m)^t) y (Lee et al. 2019).
 */
function kernelGd(
  th: Float64Array,
  thT: Float64Array,
  y: Float64Array,
  n: number,
  nt: number,
  k: number,
  lr: number,
  t: number,
): Float64Array {
  const { values, vectors } = eighHost(th, n);
  const m = n * k;
  const out = new Float64Array(nt * k);
  for (let a = 0; a < n; a++) {
    const lam = values[a];
    const g = (1 - (1 - (lr * lam) / m) ** t) / lam;
    for (let j = 0; j < k; j++) {
      let vy = 0;
      for (let i = 0; i < n; i++) vy += vectors[i * n + a] * y[i * k + j];
      for (let r = 0; r < nt; r++) {
        let tv = 0;
        for (let i = 0; i < n; i++) tv += thT[r * n + i] * vectors[i * n + a];
        out[r * k + j] += tv * g * vy;
      }
    }
  }
  return out;
}

Deno.test("wide NTK-parameterized networks trained by GD approach the kernel predictor", async () => {
  // Same loss scaling and time as the kernel: lr * t on 0.5 * mean((f - y)^2). The centred
  // ensemble mean of a wide network must match the NTK predictor; a narrow one must not.
  const n = 10, nt = 6, d = 5, k = 2, steps = 30;
  const xa = random.normal(random.key(20), [n + nt, d]);
  const x = slice(xa, [[0, n]]), xt = slice(xa, [[n, n + nt]]);
  const y = random.normal(random.key(21), [n, k]);
  const mk = (w: number) =>
    serial(dense(w, { wStd: 1.5, bStd: 0.1 }), relu(), dense(k, { wStd: 1.5, bStd: 0.1 }));
  const ktt = mk(1).kernel(x), kte = mk(1).kernel(xt, x);
  const [Th, ThT, Y] = await Promise.all([host(ktt.ntk!), host(kte.ntk!), host(y)]);
  const lamMax = eighHost(Th, n).values[n - 1];
  const lr = 0.5 * (2 * n * k) / lamMax;
  const ref = kernelGd(Th, ThT, Y, n, nt, k, lr, steps);
  const refNorm = maxAbsOf(ref);
  assert.ok(refNorm > 0.2, `the kernel prediction moved: ${refNorm}`);
  const err = async (width: number) => {
    const r = trainFiniteEnsemble(mk(width), x, y, xt, {
      members: 4,
      steps,
      lr,
      centered: true,
      key: random.key(22),
    });
    const o = await host(r.testOut);
    const mean = new Float64Array(nt * k);
    for (let e = 0; e < 4; e++) for (let i = 0; i < nt * k; i++) mean[i] += o[e * nt * k + i] / 4;
    return maxAbs(mean, ref) / refNorm;
  };
  const wide = await err(2048), narrow = await err(16);
  assert.ok(wide < 0.05, `width 2048: relative error ${wide}`);
  assert.ok(narrow > 2 * wide, `width 16 (${narrow}) is farther than width 2048 (${wide})`);
});
