import assert from "node:assert/strict";
import { InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import { add, mul, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { foldIn, key } from "../../src/gpu/random.ts";
import { samplePerturbations } from "../../src/optim/estimators/antithetic.ts";
import { fullUnroll } from "../../src/optim/estimators/full_unroll.ts";
import { pes } from "../../src/optim/estimators/pes.ts";
import { pesAnalytic } from "../../src/optim/estimators/pes_analytic.ts";
import { truncatedEs } from "../../src/optim/estimators/truncated_es.ts";
import type { GradientEstimator } from "../../src/optim/estimators/estimator.ts";
import { influenceBalancing } from "../../src/optim/tasks/influence_balancing.ts";
import { INFLUENCE, influenceUnroll, meanSe } from "./_refs.ts";

const theta = tensor([0.5]);

/**
 * M independent runs of `truncations` truncations each; returns per run the mean of the
 * estimates over the truncations after `burnIn`.
 */
async function replicate(
  make: () => GradientEstimator,
  M: number,
  truncations: number,
  burnIn = 0,
): Promise<number[]> {
  const outs: Tensor[] = [];
  for (let m = 0; m < M; m++) {
    const est = make();
    let acc: Tensor | null = null;
    for (let j = 0; j < truncations; j++) {
      const { grad, loss } = est.estimate(theta, foldIn(key(1000 + m), j));
      loss.dispose();
      if (j < burnIn) {
        grad.dispose();
        continue;
      }
      acc = acc ? add(acc, grad) : grad;
    }
    outs.push(mul(acc!, 1 / (truncations - burnIn)));
    est.dispose();
  }
  return await Promise.all(outs.map((o) => o.item()));
}

// Influence balancing with a short horizon (T = 12, K = 3: four truncations per episode), all
// particles starting at step 0: the average of the four truncations' estimates is an estimate
// of the gradient of the mean per-step episode loss, which full backprop computes exactly.
const T = 12, K = 3;
const shortTask = influenceBalancing({ horizon: T });

Deno.test("pes: unbiased on a short horizon (z-test against full backprop); truncated ES is not", async () => {
  const truth = await fullUnroll(shortTask).estimate(theta, key(0)).grad.item();
  const common = { particles: 200, truncationLength: K, sigma: 0.1 };
  const p = meanSe(await replicate(() => pes(shortTask, common), 40, T / K));
  const zP = (p.mean - truth) / p.se;
  assert.ok(Math.abs(zP) < 4, `PES mean ${p.mean} vs truth ${truth}: z = ${zP} (se ${p.se})`);
  const e = meanSe(await replicate(() => truncatedEs(shortTask, common), 40, T / K));
  const zE = (e.mean - truth) / e.se;
  assert.ok(zE < -20, `truncated ES should be biased low: mean ${e.mean}, truth ${truth}, z ${zE}`);
});

Deno.test("pes-analytic: unbiased on the short horizon too, with lower variance than PES", async () => {
  const truth = await fullUnroll(shortTask).estimate(theta, key(0)).grad.item();
  const common = { particles: 200, truncationLength: K, sigma: 0.1 };
  const a = meanSe(await replicate(() => pesAnalytic(shortTask, common), 30, T / K));
  const za = (a.mean - truth) / a.se;
  assert.ok(Math.abs(za) < 4, `PES-A mean ${a.mean} vs truth ${truth}: z = ${za}`);
  const p = meanSe(await replicate(() => pes(shortTask, common), 30, T / K));
  assert.ok(a.sd < p.sd, `PES-A sd ${a.sd} should be below PES sd ${p.sd}`);
});

Deno.test("pes: staggered particles with resets inside truncations stay unbiased", async () => {
  // T = 10, K = 4: particles at offsets 0..9 (uniform phases) reset mid-truncation. After a
  // burn-in longer than an episode, each truncation's estimate is unbiased for the gradient.
  const task = influenceBalancing({ horizon: 10 });
  const truth = await fullUnroll(task).estimate(theta, key(0)).grad.item();
  const n = 100;
  const offsets = Array.from({ length: n }, (_, i) => i % 10);
  const make = () => pes(task, { particles: 2 * n, truncationLength: 4, sigma: 0.1, offsets });
  const p = meanSe(await replicate(make, 30, 8, 3));
  const z = (p.mean - truth) / p.se;
  assert.ok(Math.abs(z) < 4, `staggered PES mean ${p.mean} vs truth ${truth}: z = ${z}`);
  // Ignoring the episode boundary (accumulating across resets) would be biased: compare with
  // an estimator over the infinite-horizon task, whose truth differs.
  assert.ok(Math.abs(p.mean - truth) < 0.2 * Math.abs(truth));
});

Deno.test("pes: resets inside a truncation follow the specification exactly (f64 reference)", async () => {
  const Th = 5, Kt = 3, n = 6, sigma = 0.2, th = 0.4;
  const offsets = [0, 1, 2, 3, 4, 2];
  const est = pes(influenceBalancing({ horizon: Th }), {
    particles: 2 * n,
    truncationLength: Kt,
    sigma,
    offsets,
  });
  const task = { ...INFLUENCE, horizon: Th };
  const sPos = offsets.map(() => new Float64Array(23).fill(1));
  const sNeg = offsets.map(() => new Float64Array(23).fill(1));
  const t = offsets.slice();
  const xi = new Float64Array(n);
  let sawMidReset = false;
  for (let j = 0; j < 4; j++) {
    const k = key(500 + j);
    const eps = await samplePerturbations(foldIn(k, 0), n, 1, sigma).read();
    let g = 0;
    for (let i = 0; i < n; i++) {
      const up = influenceUnroll(task, sPos[i], t[i], th + eps[i], Kt);
      const un = influenceUnroll(task, sNeg[i], t[i], th - eps[i], Kt);
      assert.equal(up.firstEnd, un.firstEnd);
      let pre = 0, post = 0;
      up.losses.forEach((l, kk) => {
        if (kk <= up.firstEnd) pre += l - un.losses[kk];
        else post += l - un.losses[kk];
      });
      pre /= Kt;
      post /= Kt;
      g += pre * (xi[i] + eps[i]) + post * eps[i];
      const ended = up.firstEnd < Kt;
      if (ended && up.firstEnd < Kt - 1) sawMidReset = true;
      xi[i] = ended ? eps[i] : xi[i] + eps[i];
      t[i] = up.t;
    }
    g /= 2 * sigma * sigma * n;
    const out = est.estimate(tensor([th]), k);
    const got = await out.grad.item();
    assert.ok(
      Math.abs(got - g) <= 1e-3 * Math.max(1, Math.abs(g)),
      `truncation ${j}: ${got} vs ${g}`,
    );
    const acc = await est.accumulator.read();
    acc.forEach((v, i) => assert.ok(Math.abs(v - xi[i]) < 1e-5, `xi[${i}] ${v} vs ${xi[i]}`));
    assert.deepEqual(Array.from(est.times), t);
  }
  assert.ok(sawMidReset, "the schedule should include a reset strictly inside a truncation");
  est.dispose();
});

Deno.test("pes: deterministic under a fixed key, different under another", async () => {
  const run = async (seed: number) => {
    const est = pes(influenceBalancing(), { particles: 64, truncationLength: 2, sigma: 0.1 });
    const gs: number[] = [];
    for (let j = 0; j < 3; j++) {
      gs.push(await est.estimate(theta, foldIn(key(seed), j)).grad.item());
    }
    est.dispose();
    return gs;
  };
  const a = await run(7), b = await run(7), c = await run(8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("pes: sign-of-loss-difference option uses c * sign(L+ - L-)", async () => {
  // First truncation from a common state: the pair difference has the sign of eps * g.
  const n = 4, sigma = 0.1, c = 0.5;
  const est = pes(influenceBalancing(), {
    particles: 2 * n,
    truncationLength: 1,
    sigma,
    signDeltaLoss: c,
  });
  const k = key(3);
  const eps = await samplePerturbations(foldIn(k, 0), n, 1, sigma).read();
  // g_trunc = s1[0] - 1 = 0.5 > 0 at theta = 0.5 from the all-ones state.
  const want = Array.from(eps).reduce((a: number, e: number) => a + c * Math.sign(e) * e, 0) /
    (2 * sigma * sigma * n);
  const got = await est.estimate(theta, k).grad.item();
  assert.ok(Math.abs(got - want) < 1e-4 * Math.abs(want), `${got} vs ${want}`);
  est.dispose();
});

Deno.test("pes: option and shape errors are typed and name the field", () => {
  assert.throws(() => pes(shortTask, { particles: 3 }), /particles must be even/);
  assert.throws(
    () => pes(shortTask, { sigma: -1 }),
    (e) => e instanceof InvalidArgumentError && /sigma/.test(String(e)),
  );
  assert.throws(() => pes(shortTask, { bogus: 1 } as never), InvalidArgumentError);
  assert.throws(() => pes(shortTask, { particles: 4, offsets: [0, 99] }), /offsets\[1\]/);
  const est = pes(shortTask, { particles: 4 });
  assert.throws(() => est.estimate(tensor([0.5, 1]), key(0)), ShapeError);
  est.dispose();
});
