import assert from "node:assert/strict";
import { add, div, mul, neg, random, square, sub, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { perSample, type TimeArg } from "../../src/sde/sde.ts";
import { gmmScore } from "../../src/sde/gmm_score.ts";
import { hutchinsonDivergence } from "../../src/sde/divergence.ts";
import { bitsPerDim, dequantize, logLikelihood } from "../../src/sde/likelihood.ts";
import { VESDE } from "../../src/sde/ve.ts";
import { VPSDE } from "../../src/sde/vp.ts";
import { separatedMixture } from "./_fixtures.ts";
import { GaussianMixture } from "../../src/sde/gmm.ts";

Deno.test("likelihood: probability-flow log p with the exact score matches the mixture", async () => {
  const g = separatedMixture();
  for (const sde of [new VPSDE(), new VESDE({ sigmaMax: 50 })]) {
    const x = g.sample(random.key(8), 64);
    const exact = g.perturbed(sde.meanCoef(1e-5), sde.std(1e-5)).logDensityHost(await x.read());
    const r = await logLikelihood(sde, gmmScore(g, sde), x, random.key(1), { divergence: "exact" });
    const lp = await r.logp.read();
    let mae = 0;
    for (let i = 0; i < lp.length; i++) mae += Math.abs(lp[i] - exact[i]) / lp.length;
    assert.ok(mae < 0.03, `${sde.kind} mean |error| ${mae}`);
  }
});

Deno.test("likelihood: Gaussian data with the analytic score (autodiff Hutchinson path)", async () => {
  // N(0, I) data stays N(0, I) under VP; score -x has divergence -D, which a Rademacher probe
  // estimates exactly: the whole pipeline must return log N(x; 0, I).
  const x = random.normal(random.key(0), [6, 3]);
  const r = await logLikelihood(new VPSDE(), neg, x, random.key(1), { method: "rk4", steps: 40 });
  const xs = await x.read(), lp = await r.logp.read();
  for (let i = 0; i < 6; i++) {
    const q = xs[3 * i] ** 2 + xs[3 * i + 1] ** 2 + xs[3 * i + 2] ** 2;
    const ref = -q / 2 - 1.5 * Math.log(2 * Math.PI);
    assert.ok(Math.abs(lp[i] - ref) < 2e-3, `logp ${lp[i]} vs ${ref}`);
  }
});

Deno.test("likelihood: the Hutchinson estimator is unbiased for the exact divergence", async () => {
  const g = new GaussianMixture({
    weights: [0.5, 0.5],
    means: [[-1, 0], [1, 0.5]],
    covs: [[[0.4, 0.2], [0.2, 0.5]], [[0.3, 0], [0, 0.2]]],
  });
  const sde = new VPSDE(), score = gmmScore(g, sde), t = 0.05;
  const n = 8192, pts = [[0.1, 0.2], [-1.2, 0.4], [0.9, 0.9]];
  for (const p of pts) {
    const x = tensor(Float32Array.from({ length: 2 * n }, (_, i) => p[i % 2]), { shape: [n, 2] });
    const exact = (await score.divergence(x, t).read())[0];
    for (const kind of ["rademacher", "gaussian"] as const) {
      const probe = kind === "rademacher"
        ? random.rademacher(random.key(3), [n, 2])
        : random.normal(random.key(3), [n, 2]);
      const est = await hutchinsonDivergence(score, x, t, probe).div.read();
      let m = 0, v = 0;
      for (const e of est) m += e / n;
      for (const e of est) v += (e - m) ** 2 / (n - 1);
      const z = (m - exact) / Math.sqrt(v / n);
      assert.ok(Math.abs(z) < 4, `${kind} at ${p}: mean ${m} vs exact ${exact} (z ${z})`);
    }
  }
});

Deno.test("likelihood: bits per dim and dequantization", async () => {
  assert.deepEqual(bitsPerDim([-784 * Math.LN2], 784), [9]);
  assert.deepEqual(bitsPerDim([0], 10, 2), [7]);
  const y = await dequantize(random.key(0), tensor([0, 1, 128 / 255])).read();
  assert.ok(y[0] >= 0 && y[0] < 1 / 256 && y[1] >= 255 / 256 && y[1] < 1);
  assert.ok(y[2] >= 128 / 256 && y[2] < 129 / 256);
});

Deno.test("likelihood: bits/dim of exactly Gaussian 784-d data with the exact score (RK45 + Hutchinson, as sde-mnist)", async () => {
  // x ~ N(mu, sigma^2 I) with mu = 0.3, sigma = 0.4, D = 784, under VP: p_t = N(m mu, (m^2 sigma^2
  // + s^2) I), score -(x - m mu) / v(t). Its Jacobian is diagonal, so the Rademacher estimate of
  // the divergence is exact and the computed bits/dim (offset 7: data in [-1, 1]) must equal
  // -log p_eps(x) / (D ln 2) + 7 analytically.
  const sde = new VPSDE(), d = 784, b = 3, mu = 0.3, sigma = 0.4, eps = 1e-5;
  const v = (m: Tensor | number, s: Tensor | number) =>
    typeof m === "number" ? m * m * sigma ** 2 + (s as number) ** 2 : add(
      mul(square(m), sigma ** 2),
      square(s as Tensor),
    );
  const score = (x: Tensor, t: TimeArg): Tensor => {
    if (typeof t === "number") {
      return mul(sub(x, mu * sde.meanCoef(t)), -1 / (v(sde.meanCoef(t), sde.std(t)) as number));
    }
    const m = perSample(sde.meanCoefT(t), x), s = perSample(sde.stdT(t), x);
    return div(neg(sub(x, mul(m, mu))), v(m, s) as Tensor);
  };
  const x = add(random.normal(random.key(4), [b, d], 0, sigma), mu);
  const r = await logLikelihood(sde, score, x, random.key(5), { eps, rtol: 1e-5, atol: 1e-5 });
  const bpd = bitsPerDim(await r.logp.read(), d, 2);
  const xs = await x.read();
  const me = sde.meanCoef(eps), ve = v(me, sde.std(eps)) as number;
  for (let i = 0; i < b; i++) {
    let q = 0;
    for (let j = 0; j < d; j++) q += (xs[i * d + j] - me * mu) ** 2;
    const logp = -q / (2 * ve) - (d / 2) * Math.log(2 * Math.PI * ve);
    const ref = -logp / (d * Math.LN2) + 7;
    // f32 floor: the flow carries |delta log p| ~ 1e3 nats, so ~0.1 nat (1e-4 bit/dim) of
    // rounding is expected whatever the tolerance; a wrong offset, D or ln 2 is off by >= 0.01.
    assert.ok(Math.abs(bpd[i] - ref) < 1e-3, `bpd ${bpd[i]} vs analytic ${ref}`);
  }
  // the offset: a uniform density on [-1, 1]^D is exactly 8 bits/dim, on [0, 1]^D too
  assert.ok(Math.abs(bitsPerDim([-d * Math.log(2)], d, 2)[0] - 8) < 1e-12);
  assert.ok(Math.abs(bitsPerDim([0], d, 1)[0] - 8) < 1e-12);
  for (const t of [x, r.logp, r.z, r.priorLogp, r.deltaLogp]) t.dispose();
});
