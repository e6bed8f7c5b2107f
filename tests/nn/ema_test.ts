import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import { dispose, mul, runtime, square, sub, sum, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { sgd } from "../../src/nn/optimizers/sgd.ts";
import { train } from "../../src/nn/train.ts";
import { emaDecay, withEma } from "../../src/nn/optimizers/ema.ts";
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

Deno.test("ema: a bad rate is a typed error naming the option", () => {
  assert.throws(
    () => withEma(sgd({ lr: 1 }), { rate: -0.5 }),
    (e) => e instanceof InvalidArgumentError && /withEma: option rate = -0.5/.test(e.message),
  );
  assert.throws(
    () => withEma(sgd({ lr: 1 }), { rate: 1 }),
    (e) => e instanceof InvalidArgumentError && /withEma: option rate = 1/.test(e.message),
  );
});
