/**
 * The grouped two-layer network (loss and gradient against f64 finite differences) and the
 * matrix-free damped Gauss-Newton step (against f64 Newton for a linear model and an f64
 * finite-difference Jacobian for the network).
 */
import assert from "node:assert/strict";
import { InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import { grad, matmul, random, type Tensor, tensor } from "../../src/gpu/mod.ts";
import {
  gaussNewtonDirection,
  gaussNewtonStep,
  trainGaussNewton,
} from "../../src/optim/whitening/gauss_newton.ts";
import {
  applyGroupMlp,
  type GroupMlpParams,
  groupSquaredLoss,
  initGroupMlp,
  trainGroupMlp,
} from "../../src/optim/whitening/group_mlp.ts";
import { secondMomentHost } from "../../src/optim/whitening/whitening_transform.ts";
import { assertClose, numericGrad, randn } from "../_util.ts";
import { correlated, inv, mm, tr } from "./_whitening_refs.ts";

const T = (a: ArrayLike<number>, shape: number[]) => tensor(Float32Array.from(a), { shape });
const scaleOf = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

// A G = 2 network with d = 3 inputs, width 4, k = 2 outputs on n = 5 points per group.
const G = 2, n = 5, d = 3, h = 4, k = 2;
const sizes = { w1: G * d * h, b1: G * h, w2: G * h * k, b2: G * k };
const names = ["w1", "b1", "w2", "b2"] as const;

/** f64 host outputs tanh(x_g W1_g + b1_g) W2_g + b2_g [G, n, k] of a flat parameter vector. */
function hostOutputs(theta: Float64Array, x: ArrayLike<number>): Float64Array {
  let o = 0;
  const part = (nm: keyof typeof sizes) => theta.subarray(o, o += sizes[nm]);
  const [w1, b1, w2, b2] = names.map(part);
  const out = new Float64Array(G * n * k);
  for (let g = 0; g < G; g++) {
    for (let i = 0; i < n; i++) {
      const hid = new Float64Array(h);
      for (let j = 0; j < h; j++) {
        let s = b1[g * h + j];
        for (let a = 0; a < d; a++) s += x[(g * n + i) * d + a] * w1[g * d * h + a * h + j];
        hid[j] = Math.tanh(s);
      }
      for (let c = 0; c < k; c++) {
        let s = b2[g * k + c];
        for (let j = 0; j < h; j++) s += hid[j] * w2[g * h * k + j * k + c];
        out[(g * n + i) * k + c] = s;
      }
    }
  }
  return out;
}

/** f64 host loss sum_g ||f_g - y||^2 / (2n) (targets y [n, k] shared by the groups). */
function hostLoss(theta: Float64Array, x: ArrayLike<number>, y: ArrayLike<number>): number {
  const f = hostOutputs(theta, x);
  return f.reduce((s, v, i) => s + (v - y[i % (n * k)]) ** 2, 0) / (2 * n);
}

async function flat(p: GroupMlpParams): Promise<Float64Array> {
  const parts = await Promise.all(names.map((nm) => p[nm].read()));
  return Float64Array.from(parts.flatMap((a) => Array.from(a)));
}

Deno.test("group MLP: loss and gradient match f64 finite differences; GD step = p - lr grad", async () => {
  const x = randn(41, G * n * d), y = randn(42, n * k);
  const p = initGroupMlp(random.key(3), { groups: G, inputs: d, width: h, outputs: k, wStd: 1.5 });
  // non-zero biases so their gradients are exercised
  p.b1 = T(randn(43, G * h, 0.3), [G, 1, h]);
  const theta = await flat(p);
  const X = T(x, [G, n, d]), Y = T(y, [n, k]);
  const lossGpu = await groupSquaredLoss(applyGroupMlp(p, X, "tanh"), Y).item();
  const lossRef = hostLoss(theta, x, y);
  assert.ok(Math.abs(lossGpu - lossRef) < 1e-5 * lossRef, `${lossGpu} vs ${lossRef}`);
  const g = grad((q: GroupMlpParams) => groupSquaredLoss(applyGroupMlp(q, X, "tanh"), Y))(p);
  const gGpu = await flat(g as GroupMlpParams);
  const gRef = numericGrad((t) => hostLoss(t, x, y), theta);
  assertClose(gGpu, gRef, { atol: 1e-4 * scaleOf(gRef), rtol: 1e-3 }, "gradient");
  // each group's gradient is its own: group 1's w1 gradient does not move with group 0's data
  const lr = 0.3;
  const stepped = await flat(
    trainGroupMlp({ params: p, x: X, y: Y, steps: 1, lr, activation: "tanh" }),
  );
  assertClose(stepped, theta.map((v, i) => v - lr * gRef[i]), { atol: 1e-5, rtol: 1e-4 }, "step");
});

Deno.test("trainGroupMlp: heavy-ball momentum follows the f64 recursion; checkpoints fire", async () => {
  const x = randn(50, G * n * d), y = randn(51, n * k), lr = 0.2, mu = 0.9;
  const p = initGroupMlp(random.key(7), { groups: G, inputs: d, width: h, outputs: k });
  const theta0 = await flat(p);
  const seen: number[] = [];
  const p2 = trainGroupMlp({
    params: p,
    x: T(x, [G, n, d]),
    y: T(y, [n, k]),
    steps: 2,
    lr,
    momentum: mu,
    activation: "tanh",
    checkpoints: [1, 2],
    onCheckpoint: (q, step) => {
      assert.deepEqual(q.w1.shape, [G, d, h]);
      seen.push(step);
    },
  });
  assert.deepEqual(seen, [1, 2]);
  // v1 = g(theta0), theta1 = theta0 - lr v1; v2 = mu v1 + g(theta1), theta2 = theta1 - lr v2
  const g0 = numericGrad((t) => hostLoss(t, x, y), theta0);
  const theta1 = theta0.map((v, i) => v - lr * g0[i]);
  const g1 = numericGrad((t) => hostLoss(t, x, y), theta1);
  const want = theta1.map((v, i) => v - lr * (mu * g0[i] + g1[i]));
  assertClose(await flat(p2), want, { atol: 1e-5, rtol: 1e-4 }, "theta2");
});

Deno.test("Gauss-Newton on a linear model equals the exact damped Newton step (f64)", async () => {
  const m = 30, dd = 6, kk = 2, lambda = 0.05;
  const x = correlated(44, m, dd), y = randn(45, m * kk), w0 = randn(46, dd * kk);
  const X = T(x, [m, dd]);
  const w1 = await gaussNewtonStep((w: Tensor) => matmul(X, w), T(w0, [dd, kk]), T(y, [m, kk]), {
    damping: lambda,
    // C has d eigenvalues, so CG is exact after d iterations in exact arithmetic; f32 roundoff
    // costs CG its conjugacy, and a few more iterations restore the accuracy.
    cgIterations: 3 * dd,
  }).read();
  const C = secondMomentHost(x, m, dd);
  const Pref = inv(C.map((v, i) => v + (i % (dd + 1) === 0 ? lambda : 0)), dd);
  const r = mm(x, w0, m, dd, kk).map((v, i) => v - y[i]);
  const gref = mm(tr(x, m, dd), r, dd, m, kk).map((v) => v / m);
  const want = mm(Pref, gref, dd, dd, kk).map((v, i) => w0[i] - v);
  assertClose(w1, want, { atol: 1e-4 * scaleOf(want), rtol: 0 }, "W1");
});

Deno.test("Gauss-Newton direction of the MLP matches an f64 finite-difference Jacobian solve", async () => {
  const x = randn(47, G * n * d), y = randn(48, n * k), lambda = 0.1;
  const p = initGroupMlp(random.key(5), { groups: G, inputs: d, width: h, outputs: k });
  p.b1 = T(randn(49, G * h, 0.3), [G, 1, h]);
  const theta = await flat(p);
  const X = T(x, [G, n, d]);
  const predict = (q: GroupMlpParams) => applyGroupMlp(q, X, "tanh");
  const P = theta.length; // 2 * (12 + 4 + 8 + 2) = 52 parameters, 20 residuals
  const delta = await flat(
    gaussNewtonDirection(
      predict,
      p,
      T(Array.from({ length: G }, () => Array.from(y)).flat(), [G, n, k]),
      {
        damping: lambda,
        cgIterations: 40,
      },
    ) as GroupMlpParams,
  );
  // f64: J of the host forward by central differences; N = n examples per group.
  const outputs = (t: Float64Array) => hostOutputs(t, x);
  const R = G * n * k;
  const J = new Float64Array(R * P);
  const eps = 1e-6;
  for (let q = 0; q < P; q++) {
    const tp = Float64Array.from(theta), tm = Float64Array.from(theta);
    tp[q] += eps;
    tm[q] -= eps;
    const fp = outputs(tp), fm = outputs(tm);
    for (let r = 0; r < R; r++) J[r * P + q] = (fp[r] - fm[r]) / (2 * eps);
  }
  const f0 = outputs(theta);
  const res = f0.map((v, i) => v - y[i % (n * k)]);
  const JtJ = mm(tr(J, R, P), J, P, R, P).map((v, i) => v / n + (i % (P + 1) === 0 ? lambda : 0));
  const Jtr = mm(tr(J, R, P), res, P, R, 1).map((v) => v / n);
  const want = mm(inv(JtJ, P), Jtr, P, P, 1);
  assertClose(delta, want, { atol: 2e-4 * scaleOf(want), rtol: 0 }, "delta");
});

Deno.test("trainGaussNewton: a linear fit stays at the least-squares solution; options validated", async () => {
  const x = tensor([[0.5], [1], [1.5]]), y = tensor([[0.3], [0.55], [0.72]]);
  const model = (p: Tensor) => matmul(x, p);
  // a linear model fits in one undamped step, so 3 steps stay at the solution
  const w = await trainGaussNewton(model, tensor([[0]]), y, { damping: 0, cgIterations: 1 }, 3)
    .read();
  const want = (0.5 * 0.3 + 0.55 + 1.5 * 0.72) / (0.25 + 1 + 2.25);
  assert.ok(Math.abs(w[0] - want) < 1e-5, `${w[0]} vs ${want}`);
  assert.throws(
    () => gaussNewtonStep(model, tensor([[0]]), y, { damping: -1, cgIterations: 1 }),
    InvalidArgumentError,
  );
  assert.throws(
    () => gaussNewtonStep(model, tensor([[0]]), tensor([[1]]), { damping: 0, cgIterations: 1 }),
    ShapeError,
  );
  assert.throws(
    () => initGroupMlp(random.key(0), { groups: 0, inputs: 1, width: 1, outputs: 1 }),
    InvalidArgumentError,
  );
  const p = initGroupMlp(random.key(0), { groups: 2, inputs: 3, width: 4, outputs: 1 });
  assert.throws(() => applyGroupMlp(p, tensor([[1, 2]])), ShapeError);
  assert.throws(() => groupSquaredLoss(tensor([[1]]), tensor([[1]])), ShapeError);
});
