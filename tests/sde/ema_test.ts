import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  dispose,
  mul,
  random,
  runtime,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
} from "../../src/gpu/mod.ts";
import { sgd } from "../../src/nn/optimizers/sgd.ts";
import { train } from "../../src/nn/train.ts";
import { emaDecay, withEma } from "../../src/sde/ema.ts";
import { scoreMlp } from "../../src/sde/score_mlp.ts";
import { trainScore } from "../../src/sde/train_score.ts";
import { VPSDE } from "../../src/sde/vp.ts";
import { assertClose } from "../_util.ts";

// Quadratic toy: loss = |w - target|^2 / 2, so SGD gives w_{k+1} = w_k - lr (w_k - target) and the
// EMA recursion can be replayed exactly in f64 on the host.
Deno.test("ema: train + withEma follows the exact EMA recursion (constant and warm-up decay)", async () => {
  const target = [1, -2, 0.5, 3, -1];
  const w0 = [0, 0.25, -0.5, 2, 4];
  const lr = 0.1, steps = 40;
  for (const warmup of [false, true]) {
    const rate = 0.9;
    const before = runtime().pool.stats().inUseBuffers;
    const targetT = tensor(target), init = { w: tensor(w0) };
    const r = await train({
      params: init,
      loss: (p: { w: Tensor }) => mul(sum(square(sub(p.w, targetT))), 0.5),
      optimizer: withEma(sgd({ lr }), { rate, warmup }),
      batches: {
        [Symbol.iterator]: function* () {
          while (true) yield null;
        },
      },
      steps,
      readEvery: steps,
    });
    const w = w0.slice(), ema = w0.slice();
    for (let n = 1; n <= steps; n++) {
      const d = emaDecay(rate, n, warmup);
      for (let i = 0; i < w.length; i++) {
        w[i] -= lr * (w[i] - target[i]);
        ema[i] = d * ema[i] + (1 - d) * w[i];
      }
    }
    assertClose(await r.params.w.read(), w, { rtol: 1e-5, atol: 1e-6 }, "params");
    assertClose(
      await (r.state.ema as { w: Tensor }).w.read(),
      ema,
      { rtol: 1e-5, atol: 1e-6 },
      `ema ${warmup}`,
    );
    // the average lags the iterate: it is not the final params
    const gap = ema.reduce((a, e, i) => Math.max(a, Math.abs(e - w[i])), 0);
    assert.ok(gap > 1e-2, `ema too close to params (${gap})`);
    assert.equal(r.state.count, steps);
    dispose([r.params, r.state, targetT, init]);
    assert.equal(runtime().pool.stats().inUseBuffers, before, "leaked buffers");
  }
  assert.equal(emaDecay(0.999, 1, true), 2 / 11);
  assert.equal(emaDecay(0.999, 10_000, true), 0.999);
  assert.equal(emaDecay(0.999, 1, false), 0.999);
});

Deno.test("ema: trainScore returns the EMA of its parameters (one step: r_1 = 2/11 with warm-up)", async () => {
  const sde = new VPSDE();
  const net = scoreMlp({ hidden: [8], embedDim: 4 });
  const init = net.init(random.key(0), 2);
  const data = random.normal(random.key(1), [32, 2]);
  const r = await trainScore(sde, net, init, data, random.key(2), {
    steps: 1,
    batchSize: 16,
    lr: 0.05,
  });
  assert.ok(r.ema, "ema present by default");
  assert.equal(r.ema.fourier, init.fourier);
  const d = 2 / 11; // min(0.999, (1 + 1) / (10 + 1))
  const pairs: [Tensor, Tensor, Tensor][] = [
    [init.layers[0].w, r.params.layers[0].w, r.ema.layers[0].w],
    [init.layers[0].wt, r.params.layers[0].wt, r.ema.layers[0].wt],
    [init.out.w, r.params.out.w, r.ema.out.w],
    [init.out.skip!, r.params.out.skip!, r.ema.out.skip!],
  ];
  for (const [p0, p1, e] of pairs) {
    const [a, b, c] = await Promise.all([p0.read(), p1.read(), e.read()]);
    assert.ok(a.some((v, i) => Math.abs(v - b[i]) > 1e-3), "the step moved the params");
    assertClose(c, Array.from(a, (v, i) => d * v + (1 - d) * b[i]), { rtol: 1e-5, atol: 1e-6 });
  }
  // emaRate 0: no EMA; a bad rate names the field
  const r0 = await trainScore(sde, net, init, data, random.key(2), {
    steps: 1,
    batchSize: 16,
    emaRate: 0,
  });
  assert.equal(r0.ema, undefined);
  await assert.rejects(
    () => trainScore(sde, net, init, data, random.key(2), { emaRate: 1 }),
    (e) => e instanceof InvalidArgumentError && /"emaRate" = 1/.test(e.message),
  );
  assert.throws(
    () => withEma(sgd({ lr: 1 }), { rate: -0.5 }),
    (e) => e instanceof InvalidArgumentError && /withEma: option "rate" = -0.5/.test(e.message),
  );
  dispose([
    r.params.layers,
    r.params.out,
    r.ema.layers,
    r.ema.out,
    r0.params.layers,
    r0.params.out,
  ]);
  dispose([init, data]);
});
