import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import { type Tensor, tensor } from "../../src/gpu/mod.ts";
import { foldIn, key } from "../../src/gpu/random.ts";
import type { GradientEstimator } from "../../src/optim/estimators/estimator.ts";
import { fullUnroll } from "../../src/optim/estimators/full_unroll.ts";
import { pes } from "../../src/optim/estimators/pes.ts";
import { tbptt } from "../../src/optim/estimators/tbptt.ts";
import { truncatedEs } from "../../src/optim/estimators/truncated_es.ts";
import { influenceBalancing } from "../../src/optim/tasks/influence_balancing.ts";
import { INFLUENCE, influenceEpisodeLoss, influenceUnroll, meanSe } from "./_refs.ts";

const theta = tensor([0.5]);

Deno.test("tbptt: each truncation's gradient matches the f64 truncated derivative", async () => {
  const est = tbptt(influenceBalancing(), { truncationLength: 1 });
  const s = new Float64Array(23).fill(1);
  for (let j = 0; j < 4; j++) {
    // K = 1: d/dtheta 0.5 (s'[0] - 1)^2 with the start state fixed = (s'[0] - 1) * 1.
    influenceUnroll(INFLUENCE, s, j, 0.5, 1);
    const want = s[0] - 1;
    const got = await est.estimate(theta, key(j)).grad.item();
    assert.ok(Math.abs(got - want) < 1e-5, `truncation ${j}: ${got} vs ${want}`);
  }
  est.dispose();
});

Deno.test("tbptt with K = T from step 0 is full backprop; full unroll matches f64 differences", async () => {
  const T = 9, task = influenceBalancing({ horizon: T });
  const full = fullUnroll(task, { particles: 2 }).estimate(theta, key(0));
  const tb = tbptt(task, { truncationLength: T, particles: 2 }).estimate(theta, key(0));
  const [g, l, gt] = await Promise.all([full.grad.item(), full.loss.item(), tb.grad.item()]);
  assert.ok(Math.abs(g - gt) < 1e-5 * Math.abs(g), `${g} vs ${gt}`);
  const ref = { ...INFLUENCE, horizon: T };
  assert.ok(Math.abs(l - influenceEpisodeLoss(ref, 0.5)) < 1e-5);
  const h = 1e-5;
  const fd = (influenceEpisodeLoss(ref, 0.5 + h) - influenceEpisodeLoss(ref, 0.5 - h)) / (2 * h);
  assert.ok(Math.abs(g - fd) < 1e-4 * Math.abs(fd), `${g} vs fd ${fd}`);
  assert.throws(() => fullUnroll(influenceBalancing()), InvalidArgumentError);
});

Deno.test("truncated ES is unbiased for the truncated objective: its mean matches TBPTT", async () => {
  const T = 12, K = 3, task = influenceBalancing({ horizon: T });
  const tb = tbptt(task, { truncationLength: K });
  let tbMean = 0;
  for (let j = 0; j < T / K; j++) {
    tbMean += (await tb.estimate(theta, key(j)).grad.item()) / (T / K);
  }
  const runs: Tensor[] = [];
  for (let m = 0; m < 30; m++) {
    const es = truncatedEs(task, { particles: 200, truncationLength: K, sigma: 0.1 });
    for (let j = 0; j < T / K; j++) runs.push(es.estimate(theta, foldIn(key(m), j)).grad);
    es.dispose();
  }
  const vals = await Promise.all(runs.map((r) => r.item()));
  const perRun = Array.from(
    { length: 30 },
    (_, m) => vals.slice(m * 4, m * 4 + 4).reduce((a, b) => a + b) / 4,
  );
  const s = meanSe(perRun);
  assert.ok(Math.abs(s.mean - tbMean) / s.se < 4, `ES ${s.mean} vs TBPTT ${tbMean} (se ${s.se})`);
});

/** Sample variance of the j-th estimate over M fresh estimators. */
async function varianceAt(make: () => GradientEstimator, j: number, M: number) {
  const outs: Tensor[] = [];
  for (let m = 0; m < M; m++) {
    const est = make();
    for (let i = 0; i < j; i++) est.estimate(theta, foldIn(key(77 + m), i)).grad.dispose();
    outs.push(est.estimate(theta, foldIn(key(77 + m), j)).grad);
    est.dispose();
  }
  return meanSe(await Promise.all(outs.map((o) => o.item())));
}

// The influence losses are quadratic in theta, so antithetic loss differences are exactly linear
// in the perturbations and the estimators' variances have closed forms (theta = 0.5, K = 1,
// start state all ones):
//  - truncated ES, first truncation: per pair (eps/sigma)^2 g with g = 0.5 -> Var = 2 g^2 / n;
//  - PES, second truncation: per pair 2 theta (xi/sigma)^2 with xi ~ N(0, 2 sigma^2)
//    -> mean 4 theta = 2 (the true derivative of that step's loss), Var = 32 theta^2 / n.
// Both are independent of sigma and scale as 1/n.
for (const sigma of [0.01, 0.3]) {
  for (const n of [16, 64]) {
    Deno.test(`antithetic variance: closed forms hold for sigma ${sigma}, ${n} pairs`, async () => {
      const M = 80;
      const sys = influenceBalancing();
      const es = await varianceAt(
        () => truncatedEs(sys, { particles: 2 * n, truncationLength: 1, sigma }),
        0,
        M,
      );
      const rEs = es.sd ** 2 / (0.5 / n);
      assert.ok(rEs > 0.55 && rEs < 1.6, `ES variance ratio ${rEs} (sd ${es.sd})`);
      assert.ok(Math.abs(es.mean - 0.5) < 4 * es.se, `ES mean ${es.mean}`);
      const p = await varianceAt(
        () => pes(sys, { particles: 2 * n, truncationLength: 1, sigma }),
        1,
        M,
      );
      const rP = p.sd ** 2 / (8 / n);
      assert.ok(rP > 0.55 && rP < 1.6, `PES variance ratio ${rP} (sd ${p.sd})`);
      assert.ok(Math.abs(p.mean - 2) < 4 * p.se, `PES mean ${p.mean}`);
    });
  }
}
