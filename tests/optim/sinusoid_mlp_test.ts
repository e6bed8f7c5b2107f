import assert from "node:assert/strict";
import { grad, mean, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { key } from "../../src/gpu/random.ts";
import { EpisodeClock } from "../../src/optim/episode_clock.ts";
import { sinusoidMlp } from "../../src/optim/tasks/sinusoid_mlp.ts";
import { runTruncation } from "../../src/optim/truncation.ts";
import { assertClose } from "../_util.ts";

const sys = sinusoidMlp({ hidden: 8, batch: 8, horizon: 20 });
const theta = tensor([[-3, -3.5], [-2.5, -3], [-4, -2]]);

Deno.test("sinusoid-mlp: both fused kernels and the generic step agree, also across an episode end", async () => {
  const s0 = sys.init(theta, { particles: 3, replicas: 1, key: key(1) });
  const clock = new EpisodeClock(20, Int32Array.from([0, 4, 11]));
  const plan = clock.plan(6);
  const a = runTruncation(sys, theta, s0, plan, { key: key(0), replicas: 1 });
  const b = runTruncation(sys, theta, s0, plan, { key: key(0), replicas: 1, fused: false });
  assertClose(await a.losses.read(), await b.losses.read(), { rtol: 1e-4, atol: 1e-5 }, "losses");
  assertClose(await a.state.read(), await b.state.read(), { rtol: 1e-4, atol: 1e-5 }, "state");
  // The two fused layouts are the same computation, also when an episode ends (t0 = 17).
  const late = new EpisodeClock(20, Int32Array.from([17, 3, 19]));
  const outs = [];
  for (const kernel of ["thread", "workgroup"] as const) {
    const s = sinusoidMlp({ hidden: 8, batch: 8, horizon: 20, kernel });
    outs.push(runTruncation(s, theta, s0, late.plan(6), { key: key(0), replicas: 1 }));
  }
  assertClose(
    await outs[0].losses.read(),
    await outs[1].losses.read(),
    { rtol: 1e-4, atol: 1e-5 },
    "layouts",
  );
  assertClose(
    await outs[0].state.read(),
    await outs[1].state.read(),
    { rtol: 1e-4, atol: 1e-5 },
    "layouts",
  );
  late.dispose();
  // Untrained MLPs on tasks with amplitude up to 5: mean losses of order A^2 / 2.
  const l = await a.losses.read();
  assert.ok(l.every((v) => v > 0 && v < 50), `losses ${l}`);
  clock.dispose();
});

Deno.test("sinusoid-mlp: replicas share tasks and data; an episode end draws a new task", async () => {
  const th = tensor([[-3, -3], [-3, -3]]);
  const s0 = sys.init(th, { particles: 2, replicas: 2, key: key(2) });
  const clock = new EpisodeClock(20, Int32Array.from([17]));
  const out = runTruncation(sys, th, s0, clock.plan(5), { key: key(0), replicas: 2 });
  const l = await out.losses.toArray() as number[][];
  assert.deepEqual(l[0], l[1], "antithetic copies with equal theta see the same batches");
  const S = sys.stateSize, s = await out.state.read(), s0h = await s0.read();
  assert.notEqual(s[S - 1], s0h[S - 1], "the task seed changed at the episode end");
  assert.equal(s[S - 1], s[2 * S - 1]);
  clock.dispose();
});

Deno.test("sinusoid-mlp: TBPTT through the inner SGD (a gradient of a gradient) matches differences", async () => {
  const s0 = sys.init(theta, { particles: 3, replicas: 1, key: key(3) });
  const clock = new EpisodeClock(20, new Int32Array(3));
  const plan = clock.plan(4);
  const f = (th: Tensor) =>
    mean(runTruncation(sys, th, s0, plan, { key: key(0), replicas: 1 }).losses);
  const g = await grad(f)(theta).read();
  const base = await theta.read();
  const h = 2e-2;
  for (const i of [0, 3]) {
    const up = Float32Array.from(base), dn = Float32Array.from(base);
    up[i] += h;
    dn[i] -= h;
    const [fu, fd] = await Promise.all([
      f(tensor(up, { shape: [3, 2] })).item(),
      f(tensor(dn, { shape: [3, 2] })).item(),
    ]);
    const fdv = (fu - fd) / (2 * h);
    assert.ok(
      Math.abs(g[i] - fdv) < 0.02 * Math.abs(fdv) + 1e-3,
      `d/dtheta[${i}] ${g[i]} vs ${fdv}`,
    );
  }
  clock.dispose();
});
