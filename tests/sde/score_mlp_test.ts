import assert from "node:assert/strict";
import { grad, random, runtime, sum, type Tensor, tensor, zeros } from "../../src/gpu/mod.ts";
import { setMatmulTuning } from "../../src/gpu/ops/matmul.ts";
import { gaussianBaseline, scoreMlp } from "../../src/sde/score_mlp.ts";
import { trainScore } from "../../src/sde/train_score.ts";
import { VESDE } from "../../src/sde/ve.ts";
import { VPSDE } from "../../src/sde/vp.ts";
import { InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import { assertClose } from "../_util.ts";

Deno.test("score mlp: fused sampling path equals the differentiable path", async () => {
  for (const activation of ["swish", "relu", "tanh", "softplus"] as const) {
    const net = scoreMlp({ hidden: [24, 16], embedDim: 8, activation });
    const p = net.init(random.key(1), 5);
    const x = random.normal(random.key(2), [7, 5]);
    for (const t of [1e-3, 0.4, 1]) {
      const fused = await net.apply(p, x, t, 2).read();
      const diff = await net.apply(p, x, tensor([t]), 2).read();
      assertClose(fused, diff, { rtol: 1e-4, atol: 1e-5 }, `${activation} t=${t}`);
    }
  }
});

Deno.test("score mlp: fused path equals the differentiable one on every matmul kernel", async () => {
  // 33 rows and widths >= 16: the direct or tiled kernels (not the naive one), ragged tiles;
  // three hidden layers of different widths share the time-bias dispatch
  for (const kernel of ["direct", "tiled"] as const) {
    const old = setMatmulTuning({ kernel });
    try {
      for (const inputSkip of [true, false]) {
        const net = scoreMlp({ hidden: [40, 20, 17], embedDim: 6, inputSkip });
        const p = net.init(random.key(3), 18);
        // a nonzero skip weight, so the skip term is exercised
        if (p.out.skip) p.out.skip = random.normal(random.key(4), [18]);
        const x = random.normal(random.key(5), [33, 18]);
        for (const t of [0.05, 0.7]) {
          const fused = await net.apply(p, x, t, 0.5).read();
          const diff = await net.apply(p, x, tensor([t]), 0.5).read();
          const what = `${kernel} skip=${inputSkip} t=${t}`;
          assertClose(fused, diff, { rtol: 1e-4, atol: 1e-5 }, what);
        }
      }
    } finally {
      setMatmulTuning(old);
    }
  }
});

Deno.test("score mlp: the fused path takes one dispatch per layer plus one for the time biases", async () => {
  const net = scoreMlp({ hidden: [32, 32], embedDim: 8 });
  const p = net.init(random.key(1), 20);
  const x = random.normal(random.key(2), [16, 20]);
  const rt = runtime();
  await rt.sync();
  const before = rt.pool.stats().inUseBuffers;
  const d0 = rt.dispatches;
  const y = net.apply(p, x, 0.5);
  assert.equal(rt.dispatches - d0, 4, "time biases, 2 hidden layers, output layer");
  // intermediates (time biases, hidden activations) are freed
  assert.equal(rt.pool.stats().inUseBuffers, before + 1, "only the output is alive");
  y.dispose();
  // more layers than one time-bias dispatch binds (at most 8, fewer under a low buffer limit)
  const deep = scoreMlp({ hidden: Array.from({ length: 9 }, (_, i) => 16 + i), embedDim: 4 });
  const pd = deep.init(random.key(3), 20);
  const per = Math.min(8, Math.floor((rt.device.limits.maxStorageBuffersPerShaderStage - 1) / 3));
  const d1 = rt.dispatches;
  const fused = deep.apply(pd, x, 0.25);
  assert.equal(rt.dispatches - d1, Math.ceil(9 / per) + 9 + 1);
  const diff = deep.apply(pd, x, tensor([0.25]));
  assertClose(await fused.read(), await diff.read(), { rtol: 1e-4, atol: 1e-5 }, "9 layers");
});

Deno.test("score mlp: the score is the output over the marginal std, per-sample times too", async () => {
  const sde = new VESDE({ sigmaMax: 10 });
  const net = scoreMlp({ hidden: [16] });
  const p = net.init(random.key(0), 3);
  const x = random.normal(random.key(2), [4, 3]);
  const score = net.score(sde, p);
  const out = await net.apply(p, x, 0.3).read();
  const s = await score(x, 0.3).read();
  assertClose(s, Array.from(out, (v) => v / sde.std(0.3)), { rtol: 1e-4, atol: 1e-6 }, "scalar t");
  const st = await score(x, tensor([0.3, 0.3, 0.3, 0.3])).read();
  assertClose(st, s, { rtol: 1e-4, atol: 1e-6 }, "tensor t");
  // images [B, 2, 2, ...] are flattened and reshaped back
  const net4 = scoreMlp({ hidden: [8] });
  const p4 = net4.init(random.key(0), 4);
  assert.deepEqual(net4.score(sde, p4)(random.normal(random.key(1), [3, 2, 2]), 0.5).shape, [
    3,
    2,
    2,
  ]);
  // differentiable in x (used by Hutchinson likelihoods)
  const g = grad((xx: Tensor) => sum(score(xx, tensor([0.3]))))(x);
  assert.deepEqual(g.shape, [4, 3]);
  assert.throws(
    () => net.apply(p, random.normal(random.key(0), [2, 4]), 0.5),
    /expected x \[B, 3\]/,
  );
  assert.throws(() => scoreMlp({ embedDim: 7 }), /embedDim = 7/);
});

Deno.test("score mlp: Gaussian baseline: exact perturbed-Gaussian score, fused = differentiable, fixed in training", async () => {
  const dim = 6, B = 5;
  const data = random.normal(random.key(7), [200, dim], 0.3, 0.5);
  const base = gaussianBaseline(data, { shrink: 0.25, minVariance: 1e-3 });
  // the statistics, against the host
  const d = await data.read();
  const [mu, vr] = [await base.mean.read(), await base.variance.read()];
  const m64 = Array.from({ length: dim }, (_, j) => {
    let s = 0;
    for (let i = 0; i < 200; i++) s += d[i * dim + j];
    return s / 200;
  });
  const v64 = m64.map((m, j) => {
    let s = 0;
    for (let i = 0; i < 200; i++) s += (d[i * dim + j] - m) ** 2;
    return s / 200;
  });
  const vMean = v64.reduce((a, b) => a + b, 0) / dim;
  assertClose(mu, m64, { rtol: 1e-5, atol: 1e-6 }, "mean");
  assertClose(vr, v64.map((v) => 0.75 * v + 0.25 * vMean + 1e-3), { rtol: 1e-5, atol: 0 }, "var");
  const sde = new VPSDE();
  const net = scoreMlp({ hidden: [16], embedDim: 4 });
  const p = net.init(random.key(1), dim, { baseline: base });
  const x = random.normal(random.key(2), [B, dim]);
  const xh = await x.read();
  // a silent network (zero output layer and skip): the score is the baseline's, in closed form
  const silent = { ...p, out: { w: zeros([16, dim]), b: zeros([dim]), skip: zeros([dim]) } };
  for (const t of [1e-3, 0.3, 1]) {
    const a = sde.meanCoef(t), s = sde.std(t);
    const want = Array.from(xh, (v, i) => -(v - a * mu[i % dim]) / (a * a * vr[i % dim] + s * s));
    const fused = await net.score(sde, silent)(x, t).read();
    assertClose(fused, want, { rtol: 1e-5, atol: 1e-6 }, `silent fused t=${t}`);
    const diff = await net.score(sde, silent)(x, tensor(Array(B).fill(t))).read();
    assertClose(diff, want, { rtol: 1e-5, atol: 1e-6 }, `silent differentiable t=${t}`);
    // a random network: the two paths agree, and differ from the network alone by the baseline
    p.out.skip = random.normal(random.key(3), [dim]);
    const f2 = await net.score(sde, p)(x, t).read();
    const d2 = await net.score(sde, p)(x, tensor([t])).read();
    assertClose(f2, d2, { rtol: 1e-4, atol: 1e-5 }, `fused vs differentiable t=${t}`);
    const alone = await net.score(sde, { ...p, base: undefined })(x, t).read();
    assertClose(f2, Array.from(alone, (v, i) => v + want[i]), { rtol: 1e-4, atol: 1e-5 }, "sum");
  }
  // training leaves the baseline as it was (not a trainable parameter)
  const r = await trainScore(sde, net, p, data, random.key(9), { steps: 3, batchSize: 20 });
  assert.equal(r.params.base?.mean, base.mean);
  assert.equal(r.params.base?.variance, base.variance);
  assert.equal(r.ema?.base?.variance, base.variance);
  assert.throws(() => gaussianBaseline(data, { shrink: 2 }), InvalidArgumentError);
  assert.throws(() => gaussianBaseline(data, { minVariance: -1 }), InvalidArgumentError);
  assert.throws(() => gaussianBaseline(tensor([1, 2])), ShapeError);
  assert.throws(
    () => net.init(random.key(0), dim + 1, { baseline: base }),
    /baseline.mean must be \[7\]/,
  );
});
