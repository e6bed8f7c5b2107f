import assert from "node:assert/strict";
import { grad, random, sum, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { scoreMlp } from "../../src/sde/score_mlp.ts";
import { VESDE } from "../../src/sde/ve.ts";
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
  assert.throws(() => scoreMlp({ embedDim: 7 }), /"embedDim" = 7/);
});
