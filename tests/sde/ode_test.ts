import assert from "node:assert/strict";
import {
  cos,
  mul,
  neg,
  ones,
  onesLike,
  random,
  sub,
  type Tensor,
  zeros,
} from "../../src/gpu/mod.ts";
import { NonFiniteError } from "../../src/errors.ts";
import { heun } from "../../src/sde/ode/heun.ts";
import { rk4 } from "../../src/sde/ode/rk4.ts";
import { rk45 } from "../../src/sde/ode/rk45.ts";
import { odeSample } from "../../src/sde/ode_sampler.ts";
import { gmmScore } from "../../src/sde/gmm_score.ts";
import { VPSDE } from "../../src/sde/vp.ts";
import { VESDE } from "../../src/sde/ve.ts";
import { checkMixtureRecovery, separatedMixture } from "./_fixtures.ts";

type T = number | Tensor;
const cosT = (y: Tensor, t: T) =>
  typeof t === "number" ? mul(onesLike(y), Math.cos(t)) : mul(onesLike(y), cos(t));

Deno.test("rk45: known solutions, both directions, scipy's step counts", async () => {
  // y' = -y: scipy solve_ivp(RK45, rtol=1e-6, atol=1e-8) uses 38 evaluations, 6 steps
  let r = await rk45((y) => neg(y), ones([5]), 0, 1, { rtol: 1e-6, atol: 1e-8 });
  const y = await r.y.read();
  for (const v of y) assert.ok(Math.abs(v - Math.exp(-1)) < 2e-6, `y(1) ${v}`);
  assert.ok(Math.abs(r.nfe - 38) <= 6 && r.accepted >= 5 && r.accepted <= 7, `nfe ${r.nfe}`);
  // y' = cos t: y(2) = sin 2 (scipy defaults rtol 1e-3 here; ours 1e-5)
  r = await rk45(cosT, zeros([1]), 0, 2);
  assert.ok(Math.abs((await r.y.read())[0] - Math.sin(2)) < 2e-5);
  r = await rk45(cosT, zeros([1]), 2, 0);
  assert.ok(Math.abs((await r.y.read())[0] + Math.sin(2)) < 2e-5);
  // mildly stiff y' = -50 (y - cos t): scipy rtol=1e-4, atol=1e-6 takes 30 steps, 182 evaluations
  const stiff = (y: Tensor, t: T) =>
    mul(typeof t === "number" ? sub(y, Math.cos(t)) : sub(y, cos(t)), -50);
  r = await rk45(stiff, zeros([3]), 0, 1, { rtol: 1e-4, atol: 1e-6 });
  const exact = 0.5568977203565514; // scipy with rtol = atol = 1e-12
  assert.ok(Math.abs((await r.y.read())[0] - exact) < 1e-4);
  assert.ok(Math.abs(r.accepted - 30) <= 2, `accepted ${r.accepted}`);
  // readbacks are per chunk, far fewer than steps
  assert.ok(r.readbacks < r.accepted / 3, `readbacks ${r.readbacks} for ${r.accepted} steps`);
});

Deno.test("rk45: a non-finite right-hand side fails with a clear error", async () => {
  await assert.rejects(
    () => rk45((y) => mul(y, Infinity), ones([2]), 0, 1, { firstStep: 0.1 }),
    (e) => e instanceof NonFiniteError && /non-finite/.test((e as Error).message),
  );
});

Deno.test("rk4 and heun: exact on their test problems and of order 4 and 2", async () => {
  const err = async (solver: typeof rk4, steps: number) => {
    const { y } = solver((y) => mul(y, -2), ones([1]), 0, 1, steps);
    return Math.abs((await y.read())[0] - Math.exp(-2));
  };
  const r4 = (await err(rk4, 4)) / (await err(rk4, 8));
  const r2 = (await err(heun, 8)) / (await err(heun, 16));
  assert.ok(r4 > 12 && r4 < 20, `rk4 error ratio ${r4}`);
  assert.ok(r2 > 3.3 && r2 < 4.7, `heun error ratio ${r2}`);
  const { y, nfe } = rk4(cosT, zeros([1]), 0, 1, 8);
  assert.ok(Math.abs((await y.read())[0] - Math.sin(1)) < 1e-5);
  assert.equal(nfe, 32);
});

Deno.test("ode sampler: probability flow with the exact score recovers the mixture", async () => {
  const g = separatedMixture();
  // sigma_max must dwarf the data's spread: the ODE maps prior mismatch straight into samples
  for (const sde of [new VPSDE(), new VESDE({ sigmaMax: 50 })]) {
    const r = await odeSample(sde, gmmScore(g, sde), random.key(5), { shape: [8192, 2] });
    checkMixtureRecovery(g, await r.samples.read(), `ode ${sde.kind}`);
    assert.ok(r.nfe > 20 && r.nfe < 400, `nfe ${r.nfe}`);
  }
  const sde = new VPSDE();
  const r = await odeSample(sde, gmmScore(g, sde), random.key(6), {
    shape: [4096, 2],
    method: "heun",
    steps: 50,
  });
  assert.equal(r.nfe, 101);
  checkMixtureRecovery(g, await r.samples.read(), "ode heun", {
    weight: 0.01,
    mean: 0.03,
    cov: 0.1,
  });
});
