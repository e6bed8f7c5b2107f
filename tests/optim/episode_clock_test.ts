import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import { tensor } from "../../src/gpu/mod.ts";
import { key } from "../../src/gpu/random.ts";
import { esCombine, pairWeights } from "../../src/optim/estimators/antithetic.ts";
import {
  EpisodeClock,
  initialOffsets,
  stepEndMask,
  stepTimes,
  tileHost,
  truncationEnded,
} from "../../src/optim/episode_clock.ts";
import { assertClose, randn, randu } from "../_util.ts";

Deno.test("episode clock: plans, advances and its GPU copy agree with the host", async () => {
  const T = 5, K = 7;
  const t0 = Int32Array.from([0, 1, 4, 2]);
  const clock = new EpisodeClock(T, t0);
  for (let round = 0; round < 3; round++) {
    const plan = clock.plan(K);
    for (let i = 0; i < t0.length; i++) {
      const ends: number[] = [];
      for (let k = 0; k < K; k++) if ((plan.t0[i] + k + 1) % T === 0) ends.push(k);
      assert.equal(plan.firstEnd[i], ends.length ? ends[0] : K);
      for (let k = 0; k < K; k++) assert.equal(plan.ends[k].includes(i), ends.includes(k));
    }
    for (const k of [0, 3, 6]) {
      const want = tileHost(EpisodeClock.indicesAt(plan, k, T), 2);
      assert.deepEqual(Array.from(await stepTimes(plan, k, 2).read()), Array.from(want));
      const mask = Array.from(want, (t) => ((t + 1) % T === 0 ? 1 : 0));
      assert.deepEqual(Array.from(await stepEndMask(plan, k, 2).read()), mask);
    }
    const ended = Array.from(plan.firstEnd, (e) => (e < K ? 1 : 0));
    assert.deepEqual(Array.from(await truncationEnded(plan).read()), ended);
    clock.advance(K);
    assert.deepEqual(Array.from(await clock.gpu.read()), Array.from(clock.t));
  }
  clock.dispose();
  const inf = new EpisodeClock(Infinity, new Int32Array(2));
  assert.equal(inf.plan(100).anyEnd, false);
  inf.advance(100);
  assert.deepEqual(Array.from(inf.t), [100, 100]);
});

Deno.test("episode clock: offsets are validated and seeded", () => {
  assert.throws(() => new EpisodeClock(5, Int32Array.from([5])), InvalidArgumentError);
  assert.throws(() => new EpisodeClock(0, new Int32Array(1)), /horizon/);
  assert.throws(() => initialOffsets(2, 10, { offsets: [1] }), /expected 2 entries/);
  assert.throws(() => initialOffsets(2, 10, { maxOffset: 11, key: key(0) }), /maxInitialOffset/);
  const a = initialOffsets(1000, 10, { maxOffset: 10, key: key(1) });
  assert.deepEqual(a, initialOffsets(1000, 10, { maxOffset: 10, key: key(1) }));
  const counts = new Array(10).fill(0);
  a.forEach((v) => counts[v]++);
  assert.ok(counts.every((c) => c > 60 && c < 140), `roughly uniform: ${counts}`);
});

Deno.test("antithetic kernels: pair weights and the combine reduction match f64 (with resets, sign option)", async () => {
  const n = 300, K = 4, D = 3, T = 6, sigma = 0.3;
  const t0 = Int32Array.from({ length: n }, (_, i) => i % T);
  const clock = new EpisodeClock(T, t0);
  const plan = clock.plan(K);
  const losses = randu(1, 2 * n * K, 0, 2);
  const eps = randn(2, n * D, sigma);
  const xi = randn(3, n * D);
  for (const c of [undefined, 0.7]) {
    const w = pairWeights(tensor(losses, { shape: [2 * n, K] }), plan, c);
    const r = esCombine(
      w,
      tensor(eps, { shape: [n, D] }),
      tensor(xi, { shape: [n, D] }),
      plan,
      sigma,
    );
    const g = new Float64Array(D), wantW: number[] = [], wantXi: number[] = [];
    let lossSum = 0;
    for (let i = 0; i < n; i++) {
      const fe = plan.firstEnd[i];
      let pre = 0, post = 0, tot = 0;
      for (let k = 0; k < K; k++) {
        const d = losses[i * K + k] - losses[(i + n) * K + k];
        tot += losses[i * K + k] + losses[(i + n) * K + k];
        if (k <= fe) pre += d / K;
        else post += d / K;
      }
      if (c) {
        const s = Math.sign(pre + post) * c, frac = Math.min(fe + 1, K) / K;
        [pre, post] = [s * frac, s * (1 - frac)];
      }
      wantW.push(pre, post, tot);
      lossSum += tot;
      for (let d = 0; d < D; d++) {
        const e = eps[i * D + d], x = xi[i * D + d];
        g[d] += pre * (x + e) + post * e;
        wantXi.push(fe < K ? e : x + e);
      }
    }
    assertClose(await w.read(), wantW, { rtol: 1e-5, atol: 1e-5 }, "weights");
    assertClose(await r.grad.read(), Array.from(g, (v) => v / (2 * sigma * sigma * n)), {
      rtol: 1e-4,
      atol: 1e-4,
    }, "grad");
    assertClose(await r.xi!.read(), wantXi, { rtol: 1e-6, atol: 1e-6 }, "xi");
    assert.ok(Math.abs((await r.loss.item()) - lossSum / (2 * n * K)) < 1e-4);
  }
  clock.dispose();
});
