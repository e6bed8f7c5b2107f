/**
 * Damped Newton for linear least squares against f64 references, and Wadia et al. (2021)'s
 * equivalence: Newton on a linear model is gradient descent on whitened inputs.
 */
import assert from "node:assert/strict";
import { InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import { matmul, type Tensor, tensor, zeros } from "../../src/gpu/mod.ts";
import {
  linearLeastSquaresCheckpoints,
  newtonPreconditioner,
  newtonPreconditionerHost,
  trainLinearLeastSquares,
} from "../../src/optim/whitening/linear_newton.ts";
import { fitWhitening, secondMomentHost } from "../../src/optim/whitening/whitening_transform.ts";
import { assertClose, randn } from "../_util.ts";
import { correlated, inv, mm, tr } from "./_whitening_refs.ts";

const T = (a: ArrayLike<number>, shape: number[]) => tensor(Float32Array.from(a), { shape });
const scaleOf = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

/** Host f64 (preconditioned) GD on ||X W - Y||^2 / (2n): W <- W - lr P X^T (X W - Y) / n. */
function refSteps(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w0: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  lr: number,
  steps: number,
  P: Float64Array | null,
): Float64Array {
  let w = Float64Array.from(w0);
  for (let s = 0; s < steps; s++) {
    const r = mm(x, w, n, d, k).map((v, i) => v - y[i]);
    const g = mm(tr(x, n, d), r, d, n, k).map((v) => v / n);
    const u = P ? mm(P, g, d, d, k) : g;
    w = w.map((v, i) => v - lr * u[i]);
  }
  return w;
}

Deno.test("one undamped Newton step solves linear least squares (n > d: the OLS solution)", async () => {
  const n = 40, d = 5, k = 3;
  const x = correlated(21, n, d), y = randn(22, n * k), w0 = randn(23, d * k);
  const p = await newtonPreconditioner(T(x, [n, d]), { damping: 0 });
  assert.equal(p.rank, d);
  const w1 = trainLinearLeastSquares({
    x: T(x, [n, d]),
    y: T(y, [n, k]),
    w0: T(w0, [d, k]),
    steps: 1,
    lr: 1,
    preconditioner: p.matrix,
  });
  // OLS in f64: (X^T X)^(-1) X^T Y, independent of w0.
  const ols = mm(inv(mm(tr(x, n, d), x, d, n, d), d), mm(tr(x, n, d), y, d, n, k), d, d, k);
  assertClose(await w1.read(), ols, { atol: 1e-4 * scaleOf(ols), rtol: 0 }, "W1");
  p.matrix.dispose();
});

Deno.test("one undamped Newton step, n < d: interpolates, moving least from w0", async () => {
  const n = 6, d = 10, k = 2;
  const x = correlated(24, n, d), y = randn(25, n * k), w0 = randn(26, d * k, 0.3);
  const p = await newtonPreconditioner(T(x, [n, d]));
  assert.equal(p.rank, n);
  const w1 = await trainLinearLeastSquares({
    x: T(x, [n, d]),
    y: T(y, [n, k]),
    w0: T(w0, [d, k]),
    steps: 1,
    lr: 1,
    preconditioner: p.matrix,
  }).read();
  // f64: w0 + X^T (X X^T)^(-1) (Y - X w0): the interpolant nearest to w0.
  const r = mm(x, w0, n, d, k).map((v, i) => y[i] - v);
  const step = mm(tr(x, n, d), mm(inv(mm(x, tr(x, n, d), n, d, n), n), r, n, n, k), d, n, k);
  const want = Float64Array.from(w0, (v, i) => v + step[i]);
  assertClose(w1, want, { atol: 2e-4 * scaleOf(want), rtol: 0 }, "W1");
  assertClose(mm(x, w1, n, d, k), y, { atol: 1e-3 * scaleOf(y), rtol: 0 }, "X W1 = Y");
  p.matrix.dispose();
});

Deno.test("damped Newton on a linear model = gradient descent on inputs whitened by (C + lambda I)^(-1/2)", async () => {
  const n = 12, d = 8, k = 2, t = 5, lr = 0.7, steps = 4, lambda = 0.3;
  const x = correlated(27, n, d), xt = correlated(28, t, d), y = randn(29, n * k);
  const wTilde0 = randn(30, d * k, 0.5);
  // A = (C + lambda I)^(-1/2): the whitening fitted on the training inputs.
  const wh = await fitWhitening(T(x, [n, d]), {
    reg: lambda,
    regMode: "absolute",
    normalize: false,
  });
  const A = wh.matrix;
  const w0 = mm(A, wTilde0, d, d, k); // W0 = A W~0
  const p = await newtonPreconditioner(T(x, [n, d]), { damping: lambda, dampingMode: "absolute" });
  assert.equal(p.lambda, lambda);
  const newton = trainLinearLeastSquares({
    x: T(x, [n, d]),
    y: T(y, [n, k]),
    w0: T(w0, [d, k]),
    steps,
    lr,
    preconditioner: p.matrix,
  });
  const gd = trainLinearLeastSquares({
    x: wh.apply(T(x, [n, d])),
    y: T(y, [n, k]),
    w0: T(wTilde0, [d, k]),
    steps,
    lr,
  });
  const [predNewton, predGd] = await Promise.all([
    matmul(T(xt, [t, d]), newton).read(),
    matmul(wh.apply(T(xt, [t, d])), gd).read(),
  ]);
  // f64 reference: the Newton recursion with (C + lambda I)^(-1) by Gauss-Jordan.
  const C = secondMomentHost(x, n, d);
  const Pref = inv(C.map((v, i) => v + (i % (d + 1) === 0 ? lambda : 0)), d);
  const want = mm(xt, refSteps(x, y, w0, n, d, k, lr, steps, Pref), t, d, k);
  const tol = { atol: 1e-4 * scaleOf(want), rtol: 0 };
  assertClose(predNewton, want, tol, "Newton predictions");
  assertClose(predGd, want, tol, "GD-on-whitened predictions");
  wh.dispose();
  p.matrix.dispose();
});

Deno.test("undamped Newton from 0 = GD on pseudo-inverse-whitened inputs (n < d)", async () => {
  const n = 5, d = 9, k = 2, t = 4;
  const x = correlated(31, n, d), xt = correlated(32, t, d), y = randn(33, n * k);
  const wh = await fitWhitening(T(x, [n, d]), { normalize: false }); // C^(+1/2)
  const p = await newtonPreconditioner(T(x, [n, d]));
  const run = (xx: Tensor, pre: Tensor | null, steps: number) =>
    trainLinearLeastSquares({
      x: xx,
      y: T(y, [n, k]),
      w0: zeros([d, k]),
      steps,
      lr: 1,
      preconditioner: pre,
    });
  for (const steps of [1, 3]) {
    const [a, b] = await Promise.all([
      matmul(T(xt, [t, d]), run(T(x, [n, d]), p.matrix, steps)).read(),
      matmul(wh.apply(T(xt, [t, d])), run(wh.apply(T(x, [n, d])), null, steps)).read(),
    ]);
    // both equal the minimum-norm interpolant's predictions, X_t X^T (X X^T)^(-1) Y
    const want = mm(
      mm(xt, tr(x, n, d), t, d, n),
      mm(inv(mm(x, tr(x, n, d), n, d, n), n), y, n, n, k),
      t,
      n,
      k,
    );
    assertClose(a, want, { atol: 5e-4 * scaleOf(want), rtol: 0 }, `Newton, ${steps} steps`);
    assertClose(b, want, { atol: 5e-4 * scaleOf(want), rtol: 0 }, `whitened GD, ${steps} steps`);
  }
  wh.dispose();
  p.matrix.dispose();
});

Deno.test("newtonPreconditionerHost: (C + lambda I) P = I, C P C = C undamped, scaled damping", () => {
  const d = 6;
  const x = correlated(34, 4, d); // rank 4 < d
  const C = secondMomentHost(x, 4, d);
  const trace = [0, 1, 2, 3, 4, 5].reduce((s, i) => s + C[i * d + i], 0);
  const damped = newtonPreconditionerHost(C, d, { damping: 0.2 });
  assert.ok(Math.abs(damped.lambda - (0.2 * trace) / d) < 1e-12 * trace);
  const eye = Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0));
  const ci = C.map((v, i) => v + (i % (d + 1) === 0 ? damped.lambda : 0));
  assertClose(mm(ci, damped.matrix, d, d, d), eye, { atol: 1e-10, rtol: 0 }, "(C + l I) P");
  const pinv = newtonPreconditionerHost(C, d);
  assert.equal(pinv.rank, 4);
  assertClose(
    mm(mm(C, pinv.matrix, d, d, d), C, d, d, d),
    C,
    { atol: 1e-10 * trace, rtol: 0 },
    "CPC",
  );
  assertClose(mm(mm(pinv.matrix, C, d, d, d), pinv.matrix, d, d, d), pinv.matrix, {
    atol: 1e-9 * scaleOf(pinv.matrix),
    rtol: 0,
  }, "PCP");
});

Deno.test("trainLinearLeastSquares: plain GD follows the f64 recursion; groups train independently", async () => {
  const n = 10, d = 4, k = 2, lr = 0.05, steps = 12;
  const xa = correlated(35, n, d), xb = correlated(36, n, d), y = randn(37, n * k);
  const w0 = randn(38, d * k);
  const both = new Float32Array(2 * n * d);
  both.set(xa);
  both.set(xb, n * d);
  const w = await trainLinearLeastSquares({
    x: T(both, [2, n, d]),
    y: T(y, [n, k]),
    w0: T(w0, [d, k]),
    steps,
    lr,
  }).read();
  const ra = refSteps(xa, y, w0, n, d, k, lr, steps, null);
  const rb = refSteps(xb, y, w0, n, d, k, lr, steps, null);
  assertClose(w.subarray(0, d * k), ra, { atol: 1e-5 * scaleOf(ra), rtol: 0 }, "group 0");
  assertClose(w.subarray(d * k), rb, { atol: 1e-5 * scaleOf(rb), rtol: 0 }, "group 1");
});

Deno.test("linearLeastSquaresCheckpoints: the exact GD / Newton iterates at any step count", async () => {
  const G = 2, n = 9, d = 5, k = 2, lr = 0.08;
  const both = new Float32Array(G * n * d);
  both.set(correlated(40, n, d));
  both.set(correlated(41, n, d), n * d);
  const y = randn(42, n * k), w0 = randn(43, d * k);
  const ck = [0, 1, 3, 10, 37];
  // a different damped-Newton preconditioner per group, in f64
  const pre = new Float64Array(G * d * d);
  for (let g = 0; g < G; g++) {
    const C = secondMomentHost(both.subarray(g * n * d, (g + 1) * n * d), n, d);
    pre.set(newtonPreconditionerHost(C, d, { damping: 0.5 }).matrix, g * d * d);
  }
  for (const precision of ["f64", "f32"] as const) {
    for (const p of [null, pre]) {
      const ws = await linearLeastSquaresCheckpoints({
        x: T(both, [G, n, d]),
        y: T(y, [n, k]),
        w0: T(w0, [d, k]),
        lr: p ? 0.9 : lr,
        preconditioner: p,
        checkpoints: ck,
        precision,
      });
      assert.equal(ws.length, ck.length);
      for (const [i, w] of ws.entries()) {
        assert.deepEqual(w.shape, [G, d, k]);
        const got = await w.read();
        for (let g = 0; g < G; g++) {
          const xg = both.subarray(g * n * d, (g + 1) * n * d);
          const pg = p ? p.subarray(g * d * d, (g + 1) * d * d) : null;
          const want = refSteps(xg, y, w0, n, d, k, p ? 0.9 : lr, ck[i], pg);
          // f64: exact up to the final rounding to f32; f32: rounding grows with the squarings
          const tol = precision === "f64" ? 1e-6 : 1e-4;
          assertClose(got.subarray(g * d * k, (g + 1) * d * k), want, {
            atol: tol * scaleOf(want),
            rtol: 0,
          }, `${precision} ${p ? "newton" : "gd"} T=${ck[i]} g=${g}`);
        }
      }
    }
  }
});

Deno.test("2^20 damped Newton steps in f64 reach the interpolant nearest w0 (null space kept)", async () => {
  // n < d: C has a null space where the step map's eigenvalue is exactly 1; f64 squaring keeps
  // it at 1 over a million steps, so W_T - w0 stays in the row space of X.
  const n = 6, d = 10, k = 2;
  const x = correlated(44, n, d), y = randn(45, n * k), w0 = randn(46, d * k, 0.3);
  const C = secondMomentHost(x, n, d);
  const P = newtonPreconditionerHost(C, d, { damping: 0.01 });
  const [w] = await linearLeastSquaresCheckpoints({
    x: T(x, [n, d]),
    y: T(y, [n, k]),
    w0: T(w0, [d, k]),
    lr: 1,
    preconditioner: P.matrix,
    checkpoints: [2 ** 20],
  });
  const r = mm(x, w0, n, d, k).map((v, i) => y[i] - v);
  const step = mm(tr(x, n, d), mm(inv(mm(x, tr(x, n, d), n, d, n), n), r, n, n, k), d, n, k);
  const want = Float64Array.from(w0, (v, i) => v + step[i]);
  assertClose(await w.read(), want, { atol: 1e-5 * scaleOf(want), rtol: 0 }, "W_T");
});

Deno.test("Newton and least-squares helpers reject bad input with typed errors", async () => {
  const x = T(correlated(39, 4, 3), [4, 3]);
  assert.throws(
    () => trainLinearLeastSquares({ x, y: zeros([5, 1]), w0: zeros([3, 1]), steps: 1, lr: 1 }),
    ShapeError,
  );
  assert.throws(
    () => trainLinearLeastSquares({ x, y: zeros([4, 1]), w0: zeros([3, 1]), steps: 1, lr: 0 }),
    InvalidArgumentError,
  );
  await assert.rejects(newtonPreconditioner(x, { damping: -1 }), (e: Error) => {
    assert.ok(e instanceof InvalidArgumentError && e.message.includes("damping"), e.message);
    return true;
  });
  assert.throws(() => newtonPreconditionerHost([1, 2, 3], 2), ShapeError);
  const base = { x, y: zeros([4, 1]), w0: zeros([3, 1]), lr: 1 };
  await assert.rejects(
    linearLeastSquaresCheckpoints({ ...base, checkpoints: [3, 2] }),
    (e: Error) => {
      assert.ok(e instanceof InvalidArgumentError && e.message.includes("checkpoints"), e.message);
      return true;
    },
  );
  await assert.rejects(
    linearLeastSquaresCheckpoints({
      ...base,
      checkpoints: [1],
      preconditioner: new Float64Array(5),
    }),
    ShapeError,
  );
});
