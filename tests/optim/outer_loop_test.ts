import assert from "node:assert/strict";
import { NonFiniteError } from "../../src/errors.ts";
import { div, mul, reshape, square, sub, type Tensor, zeros } from "../../src/gpu/mod.ts";
import { key } from "../../src/gpu/random.ts";
import { sgd } from "../../src/nn/optimizers.ts";
import { pes } from "../../src/optim/estimators/pes.ts";
import { tbptt } from "../../src/optim/estimators/tbptt.ts";
import { metaTrain } from "../../src/optim/outer_loop.ts";
import { influenceBalancing } from "../../src/optim/tasks/influence_balancing.ts";
import type { UnrolledSystem } from "../../src/optim/unrolled_system.ts";

Deno.test("metaTrain: PES (K = 1) drives influence balancing to theta_true; TBPTT (K = 1) diverges", async () => {
  const sys = influenceBalancing();
  const est = pes(sys, { particles: 1000, truncationLength: 1, sigma: 0.1 });
  const r = await metaTrain({
    estimator: est,
    theta0: [0.5],
    optimizer: sgd({ lr: 1.5e-4 }),
    iterations: 700,
    key: key(0),
    readEvery: 350,
    recordEvery: 100,
  });
  const th = await r.theta.item();
  assert.ok(Math.abs(th - sys.optimalTheta()) < 0.02, `PES theta ${th}`);
  assert.equal(r.history.length, 7);
  assert.deepEqual(r.history.map((h) => h.iteration), [100, 200, 300, 400, 500, 600, 700]);
  est.dispose();
  const tb = tbptt(sys, { truncationLength: 1 });
  const r2 = await metaTrain({
    estimator: tb,
    theta0: [0.5],
    optimizer: sgd({ lr: 1.5e-4 }),
    iterations: 300,
    key: key(0),
    readEvery: 300,
  });
  assert.ok((await r2.theta.item()) > 0.55, "TBPTT K=1 moves theta away from the optimum");
  tb.dispose();
});

/** theta `[1]`; loss_t = theta^2 / (t - 3): infinite at t = 3 only. */
const spike: UnrolledSystem<Tensor> = {
  name: "spike",
  thetaDim: 1,
  horizon: Infinity,
  init: (_theta, ctx) => zeros([ctx.particles, 1]),
  step: (theta, state, ctx) => ({
    state,
    loss: div(reshape(square(theta), [theta.shape[0]]), sub(ctx.time, 3)),
  }),
};

Deno.test("metaTrain: a non-finite estimate is reported with its iteration (throw mode)", async () => {
  const est = tbptt(spike, { truncationLength: 1, fused: false });
  await assert.rejects(
    () =>
      metaTrain({
        estimator: est,
        theta0: [0.5],
        optimizer: sgd({ lr: 0.01 }),
        iterations: 8,
        key: key(0),
        readEvery: 8,
      }),
    (e) => e instanceof NonFiniteError && /iteration 4\b/.test(e.message),
  );
  est.dispose();
});

Deno.test("metaTrain: skip mode leaves theta unchanged on the bad iteration and counts it", async () => {
  const est = tbptt(spike, { truncationLength: 1 });
  const r = await metaTrain({
    estimator: est,
    theta0: [0.5],
    optimizer: sgd({ lr: 0.01 }),
    iterations: 8,
    key: key(0),
    readEvery: 4,
    recordEvery: 1,
    onNonFinite: "skip",
  });
  assert.equal(r.skipped, 1);
  const th = r.history.map((h) => h.theta[0]);
  assert.equal(th[3], th[2], "iteration 4 (t = 3) is skipped");
  assert.ok(th.every(Number.isFinite));
  // Manual SGD on loss theta^2/(t-3): d/dtheta = 2 theta/(t-3).
  let want = 0.5;
  for (let t = 0; t < 8; t++) if (t !== 3) want -= 0.01 * 2 * want / (t - 3);
  assert.ok(Math.abs((await r.theta.item()) - want) < 1e-5);
  est.dispose();
});

Deno.test("metaTrain: a persistently broken unroll throws even in skip mode; clipping caps the step", async () => {
  const nan: UnrolledSystem<Tensor> = {
    ...spike,
    step: (theta, state) => ({ state, loss: reshape(div(theta, 0), [theta.shape[0]]) }),
  };
  const est = tbptt(nan, { truncationLength: 1 });
  await assert.rejects(
    () =>
      metaTrain({
        estimator: est,
        theta0: [0],
        optimizer: sgd({ lr: 0.1 }),
        iterations: 4,
        key: key(0),
        readEvery: 2,
        onNonFinite: "skip",
      }),
    NonFiniteError,
  );
  // loss 1000 theta: gradient 1000, clipped to norm 0.5 -> one SGD step of 0.1 * 0.5.
  const lin: UnrolledSystem<Tensor> = {
    ...spike,
    step: (theta, state) => ({ state, loss: reshape(mul(theta, 1000), [theta.shape[0]]) }),
  };
  const e2 = tbptt(lin, { truncationLength: 1 });
  const r = await metaTrain({
    estimator: e2,
    theta0: [1],
    optimizer: sgd({ lr: 0.1 }),
    iterations: 1,
    key: key(0),
    clipNorm: 0.5,
  });
  assert.ok(Math.abs((await r.theta.item()) - 0.95) < 1e-6);
  assert.ok(Math.abs(r.history[0].gradNorm - 1000) < 1e-3, "history reports the unclipped norm");
});
