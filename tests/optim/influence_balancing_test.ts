import assert from "node:assert/strict";
import { GradError, InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import { add, grad, hvp, mul, sum, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { key } from "../../src/gpu/random.ts";
import { EpisodeClock } from "../../src/optim/episode_clock.ts";
import { influenceBalancing } from "../../src/optim/tasks/influence_balancing.ts";
import { runTruncation } from "../../src/optim/truncation.ts";
import { assertClose, randn } from "../_util.ts";
import { INFLUENCE, influenceEpisodeLoss, influenceUnroll } from "./_refs.ts";

const P = 5, K = 7;
const thetas = Float32Array.from([0.5, -0.2, 0.1, 1.3, -0.7]);
const states = randn(11, P * 23);

for (const horizon of [Infinity, 4]) {
  Deno.test(`influence: fused and generic unrolls match the f64 reference (horizon ${horizon})`, async () => {
    const task = { ...INFLUENCE, horizon };
    const t0 = horizon === Infinity
      ? Int32Array.from([0, 5, 9, 0, 2])
      : Int32Array.from([0, 1, 2, 3, 3]);
    const want: number[] = [], wantS: number[] = [];
    for (let p = 0; p < P; p++) {
      const s = Float64Array.from(states.subarray(p * 23, (p + 1) * 23));
      want.push(...influenceUnroll(task, s, t0[p], thetas[p], K).losses);
      wantS.push(...s);
    }
    for (const fused of [true, false]) {
      const sys = influenceBalancing({ horizon, fused });
      const clock = new EpisodeClock(horizon, t0);
      const out = runTruncation(
        sys,
        tensor(thetas, { shape: [P, 1] }),
        tensor(states, { shape: [P, 23] }),
        clock.plan(K),
        { key: key(0), replicas: 1 },
      );
      assertClose(
        await out.losses.read(),
        want,
        { rtol: 2e-5, atol: 2e-5 },
        `losses fused=${fused}`,
      );
      assertClose(
        await out.state.read(),
        wantS,
        { rtol: 2e-5, atol: 2e-5 },
        `state fused=${fused}`,
      );
      clock.dispose();
    }
  });
}

Deno.test("influence: the fused reverse pass equals autodiff through the generic step", async () => {
  const wl = tensor(randn(3, P * K), { shape: [P, K] });
  const ws = tensor(randn(4, P * 23), { shape: [P, 23] });
  const clock = new EpisodeClock(5, Int32Array.from([0, 1, 2, 3, 4]));
  const plan = clock.plan(K);
  const grads: Float32Array[][] = [];
  for (const fused of [true, false]) {
    const sys = influenceBalancing({ horizon: 5, fused });
    const f = (p: { th: Tensor; s: Tensor }) => {
      const o = runTruncation(sys, p.th, p.s, plan, { key: key(0), replicas: 1 });
      return add(sum(mul(o.losses, wl)), sum(mul(o.state, ws)));
    };
    const g = grad(f)({
      th: tensor(thetas, { shape: [P, 1] }),
      s: tensor(states, { shape: [P, 23] }),
    });
    grads.push([(await g.th.read()) as Float32Array, (await g.s.read()) as Float32Array]);
  }
  assertClose(grads[0][0], grads[1][0], { rtol: 1e-4, atol: 1e-4 }, "d/dtheta");
  assertClose(grads[0][1], grads[1][1], { rtol: 1e-4, atol: 1e-4 }, "d/dstate");
  clock.dispose();
});

Deno.test("influence: gradient of the episode loss matches finite differences in f64", async () => {
  const task = { ...INFLUENCE, horizon: 12 };
  const sys = influenceBalancing({ horizon: 12 });
  const clock = new EpisodeClock(12, new Int32Array(1));
  const plan = clock.plan(12);
  const f = (th: Tensor) => {
    const s0 = sys.init(th, { particles: 1, replicas: 1, key: key(0) });
    const o = runTruncation(sys, th, s0, plan, { key: key(0), replicas: 1 });
    return mul(sum(o.losses), 1 / 12);
  };
  const g = await grad(f)(tensor([[0.3]])).item();
  const h = 1e-5;
  const fd = (influenceEpisodeLoss(task, 0.3 + h) - influenceEpisodeLoss(task, 0.3 - h)) / (2 * h);
  assert.ok(Math.abs(g - fd) < 1e-4 * Math.max(1, Math.abs(fd)), `grad ${g} vs fd ${fd}`);
  clock.dispose();
});

Deno.test("influence: steady state s[0] = -6 theta, so theta_true = -1/6 (reference task)", () => {
  const sys = influenceBalancing();
  assert.ok(Math.abs(sys.steadyStateGain() + 6) < 1e-12);
  assert.ok(Math.abs(sys.optimalTheta() + 1 / 6) < 1e-12);
  assert.equal(sys.steadyStateLoss(0.5), 8);
  // A long f64 simulation reaches the closed form.
  const s = new Float64Array(23).fill(1);
  let loss = 0;
  for (let t = 0; t < 400; t++) loss = influenceUnroll(INFLUENCE, s, t, 0.5, 1).losses[0];
  assert.ok(Math.abs(loss - 8) < 1e-9, `long-run loss ${loss}`);
});

Deno.test("influence: second-order gradients need the generic step (typed error, not a wrong answer)", async () => {
  const clock = new EpisodeClock(Infinity, new Int32Array(1));
  const plan = clock.plan(3);
  const s = tensor(new Float32Array(23).fill(1), { shape: [1, 23] });
  const lossOf = (fused: boolean) => (th: Tensor) =>
    sum(
      runTruncation(influenceBalancing({ fused }), th, s, plan, { key: key(0), replicas: 1 })
        .losses,
    );
  assert.throws(() => hvp(lossOf(true), tensor([[0.5]]), tensor([[1]])), GradError);
  // The generic step is quadratic in theta: the Hessian-vector product is a constant > 0.
  const hv = await hvp(lossOf(false), tensor([[0.5]]), tensor([[1]])).item();
  assert.ok(hv > 0 && Number.isFinite(hv), `hvp ${hv}`);
  clock.dispose();
});

Deno.test("influence: bad options and shapes are typed errors naming the field", () => {
  assert.throws(() => influenceBalancing({ positive: 30 }), InvalidArgumentError);
  assert.throws(() => influenceBalancing({ horizon: 0 }), /horizon/);
  assert.throws(() => influenceBalancing({ n: 100 }), /fused/);
  const sys = influenceBalancing();
  assert.throws(
    () => sys.init(tensor([[0.5, 1]]), { particles: 1, replicas: 1, key: key(0) }),
    ShapeError,
  );
});
