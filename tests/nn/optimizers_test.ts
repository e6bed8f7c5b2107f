import assert from "node:assert/strict";
import { DtypeError, InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import {
  dispose,
  grad,
  mul,
  onesLike,
  random,
  sum,
  type Tensor,
  tensor,
  tensor as t,
  vjp,
  zeros,
} from "../../src/gpu/mod.ts";
import {
  adam,
  clipByGlobalNorm,
  constantSchedule,
  cosineDecay,
  exponentialDecay,
  globalNorm,
  type Optimizer,
  sgd,
  warmupCosine,
  withGradientClipping,
} from "../../src/nn/mod.ts";
import { assertClose } from "../_util.ts";

/** Runs `opt` on a one-leaf tree {w} through the given gradients; returns w after each step. */
async function run<S>(opt: Optimizer<S>, w0: number[], grads: number[][]): Promise<number[][]> {
  let params: { w: Tensor } = { w: t(w0) };
  let state = opt.init(params);
  const out: number[][] = [];
  for (const g of grads) {
    const gt = t(g);
    const r = opt.update({ w: gt }, state, params);
    dispose([params, state, gt]);
    params = r.params, state = r.state;
    out.push(Array.from(await params.w.read()));
  }
  dispose([params, state]);
  return out;
}

Deno.test("sgd: plain steps match hand-computed values", async () => {
  // p1 = [1, -2] - 0.1 [0.5, 1] = [0.95, -2.1]; p2 = p1 - 0.1 [1, 1] = [0.85, -2.2]
  const ws = await run(sgd({ lr: 0.1 }), [1, -2], [[0.5, 1], [1, 1]]);
  assertClose(ws[0], [0.95, -2.1]);
  assertClose(ws[1], [0.85, -2.2]);
});

Deno.test("sgd: heavy-ball momentum matches hand-computed values", async () => {
  // buf: 2, 0.9*2+1 = 2.8, 0.9*2.8-1 = 1.52; p: 1-0.2 = 0.8, 0.8-0.28 = 0.52, 0.52-0.152 = 0.368
  const ws = await run(sgd({ lr: 0.1, momentum: 0.9 }), [1], [[2], [1], [-1]]);
  assertClose(ws.flat(), [0.8, 0.52, 0.368]);
});

Deno.test("sgd: Nesterov momentum matches hand-computed values", async () => {
  // step 1: buf 2, u = 2 + 0.9*2 = 3.8, p = 0.62; step 2: buf 2.8, u = 1 + 2.52 = 3.52, p = 0.268
  const ws = await run(sgd({ lr: 0.1, momentum: 0.9, nesterov: true }), [1], [[2], [1]]);
  assertClose(ws.flat(), [0.62, 0.268]);
});

Deno.test("sgd: L2 weight decay is added to the gradient", async () => {
  // d = 1 + 0.1*2 = 1.2, p = 2 - 0.1*1.2 = 1.88
  const ws = await run(sgd({ lr: 0.1, weightDecay: 0.1 }), [2], [[1]]);
  assertClose(ws.flat(), [1.88]);
});

Deno.test("sgd: a schedule sets the step size of each update", async () => {
  // lr(0) = 1, lr(1) = 0.5: p = 0 - 1*1 = -1, then -1 - 0.5*1 = -1.5
  const ws = await run(sgd({ lr: (s) => 1 / (s + 1) }), [0], [[1], [1]]);
  assertClose(ws.flat(), [-1, -1.5]);
});

Deno.test("adam: three steps match hand-computed values", async () => {
  // m, v with b1 = 0.9, b2 = 0.999; p -= 0.1 * mhat / (sqrt(vhat) + 1e-8), computed in f64:
  // t=1: m 0.3, v 0.009 -> p 0.9000000003333333
  // t=2: m 0.17, v 0.009991 -> p 0.8599781433169098
  // t=3: m 0.203, v 0.010231009 -> p 0.8194356031863309
  const ws = await run(adam({ lr: 0.1 }), [1], [[3], [-1], [0.5]]);
  assertClose(ws.flat(), [0.9000000003333333, 0.8599781433169098, 0.8194356031863309], {
    rtol: 2e-6,
  });
});

Deno.test("adamw: decoupled weight decay", async () => {
  // t=1: mhat/sqrt(vhat) = 1 (sign of g); p = 1 - 0.1 * (1 + 0.01 * 1) = 0.899
  const ws = await run(adam({ lr: 0.1, weightDecay: 0.01 }), [1], [[3]]);
  assertClose(ws.flat(), [0.899], { rtol: 1e-6 });
});

Deno.test("adam: state counts steps and holds the moments", async () => {
  const opt = adam({ lr: 0.1 });
  const p = { w: t([1, 2]) };
  const s0 = opt.init(p);
  const g = { w: t([3, -4]) };
  const { params, state } = opt.update(g, s0, p);
  assert.equal(state.count, 1);
  assertClose(await (state.mu as { w: Tensor }).w.read(), [0.3, -0.4], { rtol: 1e-6 });
  assertClose(await (state.nu as { w: Tensor }).w.read(), [0.009, 0.016], { rtol: 1e-5 });
  // the inputs are left intact
  assertClose(await p.w.read(), [1, 2]);
  assertClose(await (s0.mu as { w: Tensor }).w.read(), [0, 0]);
  dispose([p, s0, g, params, state]);
});

Deno.test("optimizers: fused kernels equal the differentiable path (inside a trace)", async () => {
  const opts: Optimizer<unknown>[] = [
    sgd({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
    adam({ lr: 0.05, weightDecay: 0.1 }),
  ];
  for (const opt of opts) {
    const p = random.normal(random.key(1), [37]);
    const g = random.normal(random.key(2), [37]);
    const s0 = opt.init(p);
    const fused = opt.update(g, s0, p); // no trace open: one fused dispatch
    // Inside vjp a trace is open: the same update runs as recorded ops.
    const [traced, ct] = vjp((q: Tensor) => opt.update(g, s0, q).params, p, onesLike(p));
    assertClose(await traced.read(), await fused.params.read(), { rtol: 1e-5, atol: 1e-6 });
    dispose([p, g, s0, fused, traced, ct]);
  }
});

Deno.test("sgd: meta-gradient through an update (d/dp0 of f(p1), f = p^2/2)", async () => {
  // p1 = p0 - lr * p0 = (1 - lr) p0; d f(p1) / d p0 = p1 * (1 - lr) = (1 - lr)^2 p0
  const opt = sgd({ lr: 0.25 });
  const p0 = t([2, -1]);
  const state = opt.init(p0);
  const g = grad((p: Tensor) => {
    const gp = grad((q: Tensor) => mul(sum(mul(q, q)), 0.5))(p);
    const r = opt.update(gp, state, p);
    return mul(sum(mul(r.params, r.params)), 0.5);
  })(p0);
  assertClose(await g.read(), [0.75 * 0.75 * 2, 0.75 * 0.75 * -1], { rtol: 1e-5 });
  dispose([p0, g]);
});

Deno.test("schedules: values at chosen steps", () => {
  assert.equal(constantSchedule(0.3)(1000), 0.3);
  const c = cosineDecay(0.1, 100);
  assertClose([c(0), c(50), c(100), c(200)], [0.1, 0.05, 0, 0], { atol: 1e-12 });
  assertClose([cosineDecay(1, 10, 0.1)(10)], [0.1]);
  const e = exponentialDecay(1, 10, 0.5);
  assertClose([e(0), e(10), e(15), e(20)], [
    1,
    0.5,
    0.5 ** 1.5,
    0.25,
  ]);
  assertClose([exponentialDecay(1, 10, 0.5, { staircase: true })(15)], [0.5]);
  assertClose([exponentialDecay(1, 1, 0.5, { endValue: 0.2 })(10)], [0.2]);
  const w = warmupCosine(0, 1e-3, 100, 1100, 1e-4);
  assertClose([w(0), w(50), w(100), w(600), w(1100), w(5000)], [
    0,
    5e-4,
    1e-3,
    1e-4 + 0.9e-3 * 0.5,
    1e-4,
    1e-4,
  ]);
  assert.throws(() => cosineDecay(0.1, 0), InvalidArgumentError);
  assert.throws(() => warmupCosine(0, 1, 10, 5), InvalidArgumentError);
});

Deno.test("clipByGlobalNorm: scales to maxNorm, leaves small gradients alone", async () => {
  const g = { a: t([3, 0]), b: [t([4])] };
  assertClose([await globalNorm(g).item()], [5]);
  const c = clipByGlobalNorm(g, 1);
  assertClose(await c.a.read(), [0.6, 0]);
  assertClose(await c.b[0].read(), [0.8]);
  const same = clipByGlobalNorm(g, 10);
  assertClose(await same.a.read(), [3, 0]);
  const z = clipByGlobalNorm({ a: zeros([3]) }, 1); // zero norm: no NaN
  assertClose(await z.a.read(), [0, 0, 0]);
  assert.throws(() => clipByGlobalNorm(g, 0), InvalidArgumentError);
  dispose([g, c, same, z]);
});

Deno.test("withGradientClipping: clips before the wrapped update", async () => {
  const ws = await run(withGradientClipping(sgd({ lr: 1 }), 1), [0, 0], [[30, 40], [0.3, 0.4]]);
  assertClose(ws[0], [-0.6, -0.8]);
  assertClose(ws[1], [-0.9, -1.2]);
});

Deno.test("optimizers: bad input gets typed errors naming what is wrong", () => {
  const opt = adam({ lr: 1e-3 });
  const params = { layers: [{ w: zeros([2, 3]), b: zeros([3]) }] };
  const state = opt.init(params);
  // missing leaf
  assert.throws(
    () => opt.update({ layers: [{ w: zeros([2, 3]) }] }, state, params),
    (e: Error) =>
      e instanceof InvalidArgumentError && /grads has no leaf layers\[0\]\.b/.test(e.message),
  );
  // wrong shape
  assert.throws(
    () => opt.update({ layers: [{ w: zeros([3, 2]), b: zeros([3]) }] }, state, params),
    (e: Error) =>
      e instanceof ShapeError && /grads\.layers\[0\]\.w has shape \[3,2\]/.test(e.message),
  );
  // extra leaf
  assert.throws(
    () =>
      opt.update({ layers: [{ w: zeros([2, 3]), b: zeros([3]), c: zeros([1]) }] }, state, params),
    (e: Error) => e instanceof InvalidArgumentError && /extra leaf layers\[0\]\.c/.test(e.message),
  );
  // integer params
  assert.throws(
    () => sgd({ lr: 0.1 }).init({ w: tensor([1, 2], "i32") }),
    (e: Error) => e instanceof DtypeError && /params\.w \[2\] is i32/.test(e.message),
  );
  // non-tensor leaf
  assert.throws(() => sgd({ lr: 0.1 }).init({ w: 3 } as never), InvalidArgumentError);
  // options
  assert.throws(
    () => adam({ lr: -1 }),
    (e: Error) => e instanceof InvalidArgumentError && /lr/.test(e.message),
  );
  assert.throws(() => adam({ lr: 1e-3, b1: 1 }), (e: Error) => /b1 = 1/.test(e.message));
  assert.throws(() => sgd({ lr: 0.1, nesterov: true }), InvalidArgumentError);
  assert.throws(
    () => sgd({ lr: 0.1, momentun: 0.9 } as never),
    (e: Error) => /momentun/.test(e.message),
  );
  assert.throws(
    () => sgd({ lr: () => NaN }).update(zeros([1]), { count: 0, trace: null }, zeros([1])),
    (e: Error) => e instanceof InvalidArgumentError && /learning rate at step 0/.test(e.message),
  );
  dispose([params, state]);
});
