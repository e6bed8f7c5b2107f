import assert from "node:assert/strict";
import { grad, hvp, random, sum, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError, NotPositiveDefiniteError, ShapeError } from "../../src/errors.ts";
import { GaussianMixture, symEig } from "../../src/sde/gmm.ts";
import { gmmScore } from "../../src/sde/gmm_score.ts";
import { VESDE } from "../../src/sde/ve.ts";
import { VPSDE } from "../../src/sde/vp.ts";
import { assertClose } from "../_util.ts";
import { separatedMixture } from "./_fixtures.ts";

const mix = () =>
  new GaussianMixture({
    weights: [0.2, 0.3, 0.5],
    means: [[-2, 1], [2, 0], [0, -2]],
    covs: [[[0.3, 0.1], [0.1, 0.2]], [[0.5, -0.2], [-0.2, 0.4]], [[0.1, 0], [0, 0.6]]],
  });

Deno.test("gmm score: kernel equals autodiff of the perturbed log-density", async () => {
  const g = mix();
  for (const sde of [new VPSDE(), new VESDE({ sigmaMax: 20 })]) {
    const score = gmmScore(g, sde);
    const x = random.normal(random.key(3), [33, 2], 0, 2.5);
    for (const t of [1e-3, 0.1, 0.6, 1]) {
      const pt = g.perturbed(sde.meanCoef(t), sde.std(t));
      const ref = await grad((x: Tensor) => sum(pt.logDensity(x)))(x).read();
      assertClose(await score(x, t).read(), ref, { rtol: 2e-4, atol: 2e-4 }, `${sde.kind} t=${t}`);
      // per-sample times give the same answer
      const tt = tensor(new Float32Array(33).fill(t));
      assertClose(
        await score(x, tt).read(),
        ref,
        { rtol: 2e-4, atol: 2e-4 },
        `${sde.kind} tensor t`,
      );
      const lp = await score.logDensity(x, t).read();
      assertClose(lp, pt.logDensityHost(await x.read()), { rtol: 1e-5, atol: 1e-4 }, "logp");
    }
    score.dispose();
  }
});

Deno.test("gmm score: divergence and Hessian-vector products match autodiff", async () => {
  const g = mix(), sde = new VPSDE();
  const score = gmmScore(g, sde);
  const x = random.normal(random.key(4), [17, 2], 0, 2);
  const v = random.normal(random.key(5), [17, 2]);
  const t = 0.05;
  const pt = g.perturbed(sde.meanCoef(t), sde.std(t));
  const f = (x: Tensor) => sum(pt.logDensity(x));
  const ref = await hvp(f, x, v).read();
  assertClose(await score.hvp(x, t, v).read(), ref, { rtol: 1e-3, atol: 1e-3 }, "hvp");
  // divergence = e1^T H e1 + e2^T H e2
  const e1 = tensor(Float32Array.from({ length: 34 }, (_, i) => (i % 2 === 0 ? 1 : 0)), {
    shape: [17, 2],
  });
  const e2 = tensor(Float32Array.from({ length: 34 }, (_, i) => (i % 2 === 1 ? 1 : 0)), {
    shape: [17, 2],
  });
  const h1 = await hvp(f, x, e1).read(), h2 = await hvp(f, x, e2).read();
  const div = Array.from({ length: 17 }, (_, i) => h1[2 * i] + h2[2 * i + 1]);
  assertClose(await score.divergence(x, t).read(), div, { rtol: 1e-3, atol: 1e-3 }, "div");
  // and the score records its VJP, so grad through it works
  const gx = await grad((x: Tensor) => sum(score(x, t)))(x).read();
  const hsum = Array.from(
    { length: 17 },
    (_, i) => [h1[2 * i] + h2[2 * i], h1[2 * i + 1] + h2[2 * i + 1]],
  ).flat();
  assertClose(gx, hsum, { rtol: 1e-3, atol: 1e-3 }, "vjp");
});

Deno.test("gmm: samples have the mixture's moments; host and GPU densities agree", async () => {
  const g = separatedMixture();
  const n = 20000;
  const x = await g.sample(random.key(7), n).read();
  const mean = g.mean(), cov = g.covariance();
  for (let a = 0; a < 2; a++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[2 * i + a] / n;
    assert.ok(
      Math.abs(m - mean[a]) < 4 * Math.sqrt(cov[a][a] / n),
      `mean[${a}] ${m} vs ${mean[a]}`,
    );
  }
  const xt = tensor(x.slice(0, 40), { shape: [20, 2] });
  assertClose(await g.logDensity(xt).read(), g.logDensityHost(x.slice(0, 40)), {
    rtol: 1e-5,
    atol: 1e-4,
  }, "logp");
  const { values } = symEig([4, 1, 0, 1, 3, 1, 0, 1, 2], 3);
  const sorted = [...values].sort((a, b) => a - b);
  assertClose(sorted, [3 - Math.sqrt(3), 3, 3 + Math.sqrt(3)], { rtol: 1e-10 }, "symEig");
});

Deno.test("gmm: invalid mixtures are rejected with the reason", () => {
  assert.throws(
    () => new GaussianMixture({ weights: [1], means: [[0, 0]], covs: [[[1, 2], [2, 1]]] }),
    NotPositiveDefiniteError,
  );
  assert.throws(
    () => new GaussianMixture({ weights: [1], means: [[0, 0]], covs: [[[1, 0.5], [0, 1]]] }),
    (e) => e instanceof InvalidArgumentError && /not symmetric/.test(e.message),
  );
  assert.throws(
    () => new GaussianMixture({ weights: [0.5, 0.5], means: [[0, 0]], covs: [[[1, 0], [0, 1]]] }),
    ShapeError,
  );
  const score = gmmScore(mix(), new VPSDE());
  assert.throws(
    () => score(random.normal(random.key(0), [4, 3]), 0.5),
    /expected x of shape \[n, 2\]/,
  );
});
