import assert from "node:assert/strict";
import { neg, random, tensor } from "../../src/gpu/mod.ts";
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
