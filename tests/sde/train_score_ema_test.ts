import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import { dispose, random, type Tensor } from "../../src/gpu/mod.ts";
import { scoreMlp } from "../../src/sde/score_mlp.ts";
import { trainScore } from "../../src/sde/train_score.ts";
import { VPSDE } from "../../src/sde/vp.ts";
import { assertClose } from "../_util.ts";

Deno.test("trainScore returns the EMA of its parameters (one step: r_1 = 2/11 with warm-up)", async () => {
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
    (e) => e instanceof InvalidArgumentError && /emaRate = 1/.test(e.message),
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
