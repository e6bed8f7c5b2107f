import assert from "node:assert/strict";
import { add, grad, mul, sum, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { key } from "../../src/gpu/random.ts";
import { EpisodeClock } from "../../src/optim/episode_clock.ts";
import { fullUnroll } from "../../src/optim/estimators/full_unroll.ts";
import { lrScheduleRegression, toyLoss } from "../../src/optim/tasks/lr_schedule_regression.ts";
import { runTruncation } from "../../src/optim/truncation.ts";
import { assertClose, randn } from "../_util.ts";

/** f64 reference: per-step losses of SGD with the linear schedule (persistent_es toy_regression). */
function reference(
  theta: [number, number],
  x0: [number, number],
  t0: number,
  K: number,
  T: number,
) {
  let x = [...x0], t = t0;
  const losses: number[] = [];
  for (let k = 0; k < K; k++) {
    const lr = Math.exp(theta[0]) * (T - t) / T + Math.exp(theta[1]) * t / T;
    const e = Math.exp(-5 * x[0] ** 2), s = Math.sin(x[1]);
    const g0 = x[0] / Math.sqrt(x[0] ** 2 + 5) - 10 * x[0] * s * s * e;
    const g1 = Math.sin(2 * x[1]) * e + 0.25 * Math.sign(x[1] - 100);
    x = [x[0] - lr * g0, x[1] - lr * g1];
    losses.push(toyLoss(x[0], x[1]));
    if (++t === T) (t = 0), (x = [1, 1]);
  }
  return { losses, x };
}

const thetas: [number, number][] = [[-1, -2], [0.3, -0.5], [-3, 1], [0.5, 0.5]];
const xs: [number, number][] = [[1, 1], [0.5, 2], [-0.3, 3], [2, -1]];
const t0 = Int32Array.from([0, 2, 5, 1]);

Deno.test("lr-schedule: fused and generic unrolls match the f64 reference, with resets", async () => {
  const T = 6, K = 5;
  const want = thetas.map((th, p) => reference(th, xs[p], t0[p], K, T));
  for (const fused of [true, false]) {
    const sys = lrScheduleRegression({ horizon: T, fused });
    const clock = new EpisodeClock(T, t0);
    const out = runTruncation(sys, tensor(thetas), tensor(xs), clock.plan(K), {
      key: key(0),
      replicas: 1,
    });
    assertClose(
      await out.losses.read(),
      want.flatMap((w) => w.losses),
      { rtol: 1e-5, atol: 1e-5 },
      `losses ${fused}`,
    );
    assertClose(
      await out.state.read(),
      want.flatMap((w) => w.x),
      { rtol: 1e-5, atol: 1e-5 },
      `x ${fused}`,
    );
    clock.dispose();
  }
});

Deno.test("lr-schedule: the fused reverse pass (with the Hessian) equals autodiff of the generic step", async () => {
  const T = 6, K = 5;
  const clock = new EpisodeClock(T, t0);
  const plan = clock.plan(K);
  const wl = tensor(randn(5, 4 * K), { shape: [4, K] }),
    ws = tensor(randn(6, 8), { shape: [4, 2] });
  const gs: Float32Array[][] = [];
  for (const fused of [true, false]) {
    const sys = lrScheduleRegression({ horizon: T, fused });
    const f = (p: { th: Tensor; x: Tensor }) => {
      const o = runTruncation(sys, p.th, p.x, plan, { key: key(0), replicas: 1 });
      return add(sum(mul(o.losses, wl)), sum(mul(o.state, ws)));
    };
    const g = grad(f)({ th: tensor(thetas), x: tensor(xs) });
    gs.push([(await g.th.read()) as Float32Array, (await g.x.read()) as Float32Array]);
  }
  assertClose(gs[0][0], gs[1][0], { rtol: 1e-4, atol: 1e-4 }, "d/dtheta");
  assertClose(gs[0][1], gs[1][1], { rtol: 1e-4, atol: 1e-4 }, "d/dx");
  clock.dispose();
});

Deno.test("lr-schedule: full-unroll meta-gradient matches f64 finite differences (T = 100)", async () => {
  const T = 100, th: [number, number] = [-1.5, -2];
  const r = fullUnroll(lrScheduleRegression()).estimate(tensor(th), key(0));
  const g = await r.grad.read();
  const meta = (a: number, b: number) =>
    reference([a, b], [1, 1], 0, T, T).losses.reduce((s, l) => s + l) / T;
  assert.ok(Math.abs((await r.loss.item()) - meta(th[0], th[1])) < 1e-4);
  const h = 1e-5;
  const fd = [
    (meta(th[0] + h, th[1]) - meta(th[0] - h, th[1])) / (2 * h),
    (meta(th[0], th[1] + h) - meta(th[0], th[1] - h)) / (2 * h),
  ];
  assertClose(g, fd, { rtol: 2e-3, atol: 1e-4 }, "meta-gradient");
});
