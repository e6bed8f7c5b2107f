import assert from "node:assert/strict";
import { random, runtime, scope, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { sdeUpdate } from "../../src/sde/kernels/update.ts";
import type { Sde } from "../../src/sde/sde.ts";
import { SubVPSDE } from "../../src/sde/subvp.ts";
import { VESDE } from "../../src/sde/ve.ts";
import { VPSDE } from "../../src/sde/vp.ts";
import { assertClose } from "../_util.ts";

const sdes = (): Sde[] => [
  new VESDE({ sigmaMin: 0.01, sigmaMax: 5 }),
  new VPSDE(),
  new SubVPSDE(),
];

Deno.test("sde: tensor coefficients match the host ones", async () => {
  const ts = [1e-5, 0.01, 0.3, 0.77, 1];
  for (const sde of sdes()) {
    const t = tensor(ts);
    const [a, g, m, s] = await Promise.all(
      [sde.driftCoefT(t), sde.diffusionT(t), sde.meanCoefT(t), sde.stdT(t)].map((x) => x.read()),
    );
    assertClose(a, ts.map((v) => sde.driftCoef(v)), { rtol: 1e-5, atol: 1e-6 }, `${sde.kind} a`);
    assertClose(g, ts.map((v) => sde.diffusion(v)), { rtol: 1e-5, atol: 1e-6 }, `${sde.kind} g`);
    assertClose(m, ts.map((v) => sde.meanCoef(v)), { rtol: 1e-5, atol: 1e-6 }, `${sde.kind} m`);
    assertClose(s, ts.map((v) => sde.std(v)), { rtol: 2e-4, atol: 1e-6 }, `${sde.kind} s`);
  }
});

/** Forward Euler-Maruyama from x0 to t1 in `steps` steps, on the GPU. */
function simulateForward(sde: Sde, x0: Tensor, t1: number, steps: number): Tensor {
  const dt = t1 / steps, key = random.key(123);
  let x = x0;
  for (let i = 0; i < steps; i++) {
    const t = (i + 0.5) * dt; // midpoint coefficients: O(dt^2) bias for these linear SDEs
    const next = scope(() =>
      sdeUpdate(x, null, {
        cx: 1 + sde.driftCoef(t) * dt,
        cz: sde.diffusion(t) * Math.sqrt(dt),
        noise: { key, step: i },
      })
    );
    if (x !== x0) x.dispose();
    x = next;
  }
  return x;
}

Deno.test("sde: marginal mean and std match a simulation of the forward SDE", async () => {
  const n = 4096, c = [1.5, -0.5];
  const x0 = tensor(Float32Array.from({ length: 2 * n }, (_, i) => c[i % 2]), { shape: [n, 2] });
  for (const sde of sdes()) {
    for (const t1 of [0.3, 1]) {
      const x = await simulateForward(sde, x0, t1, 400).read();
      const m = sde.meanCoef(t1), s = sde.std(t1);
      for (let d = 0; d < 2; d++) {
        let mu = 0, v = 0;
        for (let i = 0; i < n; i++) mu += x[2 * i + d] / n;
        for (let i = 0; i < n; i++) v += (x[2 * i + d] - mu) ** 2 / (n - 1);
        const zMean = (mu - m * c[d]) / (s / Math.sqrt(n));
        const zVar = (v - s * s) / (s * s * Math.sqrt(2 / n));
        assert.ok(Math.abs(zMean) < 4.5, `${sde.kind} t=${t1} mean[${d}] ${mu} vs ${m * c[d]}`);
        assert.ok(Math.abs(zVar) < 4.5, `${sde.kind} t=${t1} var[${d}] ${v} vs ${s * s}`);
      }
    }
  }
});

Deno.test("sde: discretizations telescope to the continuous marginals", () => {
  const ve = new VESDE({ sigmaMin: 0.01, sigmaMax: 5, N: 100 });
  let v = 0;
  for (let i = 0; i < ve.N; i++) v += ve.discretize(i / (ve.N - 1)).g ** 2;
  assertClose([v], [25], { rtol: 1e-9 }, "VE sum G^2 = sigma_max^2");
  const vp = new VPSDE({ N: 1000 });
  let logAlpha = 0, sumBeta = 0;
  for (let i = 0; i < vp.N; i++) {
    logAlpha += Math.log(vp.alpha(i));
    sumBeta += vp.discreteBeta(i);
  }
  // sum beta_i = int_0^1 beta(t) dt = -2 log m(1); prod alpha_i agrees to O(sum beta_i^2)
  assertClose([sumBeta], [-2 * Math.log(vp.meanCoef(1))], { rtol: 1e-9 }, "VP betas");
  assertClose([logAlpha], [2 * Math.log(vp.meanCoef(1))], { rtol: 1e-2 }, "VP alphas");
  assert.equal(vp.timestepIndex(1), 999);
  assert.equal(vp.timestepIndex(1e-3), 0);
});

Deno.test("sde: prior log-density and reverse drift", async () => {
  const ve = new VESDE({ sigmaMin: 0.01, sigmaMax: 3 });
  const z = tensor([[1, 2], [0, -1]]);
  const lp = await ve.priorLogp(z).read();
  const ref = [[1, 2], [0, -1]].map((r) =>
    -Math.log(2 * Math.PI * 9) - (r[0] ** 2 + r[1] ** 2) / 18
  );
  assertClose(lp, ref, { rtol: 1e-6 }, "VE prior logp");
  const vp = new VPSDE();
  const x = tensor([[1, -2]]);
  const score = (x: Tensor) => scope(() => sdeUpdate(x, null, { cx: 3 }));
  const pf = await vp.reverse(score, { probabilityFlow: true }).drift(x, 0.4).read();
  const sd = await vp.reverse(score).drift(x, tensor([0.4])).read();
  const a = vp.driftCoef(0.4), g2 = vp.diffusion(0.4) ** 2;
  assertClose(pf, [1, -2].map((v) => a * v - 0.5 * g2 * 3 * v), { rtol: 1e-5 }, "pf drift");
  assertClose(sd, [1, -2].map((v) => a * v - g2 * 3 * v), { rtol: 1e-5 }, "reverse drift");
  assert.equal(vp.reverse(score, { probabilityFlow: true }).diffusion(0.4), 0);
});

Deno.test("sde: bad options name the field and value", () => {
  assert.throws(
    () => new VPSDE({ N: 0 }),
    (e) => e instanceof InvalidArgumentError && /N = 0/.test(e.message),
  );
  assert.throws(
    () => new VESDE({ sigmaMin: 2, sigmaMax: 1 }),
    (e) => e instanceof InvalidArgumentError && /sigmaMax \(1\).*sigmaMin \(2\)/.test(e.message),
  );
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new SubVPSDE({ beta: 1 } as any), /not recognised/);
  assert.throws(() => new VPSDE({ N: 10 }).discretize(0.5), /beta_max \/ N < 1/);
  assert.ok(runtime());
});
