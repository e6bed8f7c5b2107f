import assert from "node:assert/strict";
import { add, mul, neg, random, type Tensor, valueAndGrad } from "../../src/gpu/mod.ts";
import { dsmLoss } from "../../src/sde/dsm_loss.ts";
import { scoreMlp, type ScoreMlpParams } from "../../src/sde/score_mlp.ts";
import { VESDE } from "../../src/sde/ve.ts";
import { VPSDE } from "../../src/sde/vp.ts";

Deno.test("dsm loss: gradient matches central finite differences", async () => {
  const net = scoreMlp({ hidden: [8], embedDim: 4, activation: "tanh" });
  const p0 = net.init(random.key(0), 2);
  const x = random.normal(random.key(1), [64, 2]);
  for (const sde of [new VPSDE(), new VESDE({ sigmaMax: 5 })]) {
    for (
      const opts of [
        {},
        { likelihoodWeighting: true, reduce: "sum" as const },
        { likelihoodWeighting: true, importanceSampling: true },
      ]
    ) {
      const loss = (w: Tensor) => {
        const p: ScoreMlpParams = { ...p0, out: { w, b: p0.out.b } };
        return dsmLoss(sde, net.score(sde, p), x, random.key(2), opts);
      };
      const [, g] = valueAndGrad(loss)(p0.out.w);
      const gh = await g.read();
      const w0 = await p0.out.w.read();
      const h = 1e-2;
      for (const i of [0, 5, 13]) {
        const e = new Float32Array(w0.length);
        e[i] = h;
        const { tensor } = await import("../../src/gpu/mod.ts");
        const ep = tensor(e, { shape: p0.out.w.shape });
        const lp = await loss(add(p0.out.w, ep)).item();
        const lm = await loss(add(p0.out.w, mul(ep, -1))).item();
        const fd = (lp - lm) / (2 * h);
        assert.ok(
          Math.abs(fd - gh[i]) <= 2e-3 * Math.max(1, Math.abs(fd)),
          `${sde.kind} ${JSON.stringify(opts)} w[${i}]: autodiff ${gh[i]} vs fd ${fd}`,
        );
      }
    }
  }
});

Deno.test("dsm loss: the exact score of N(0, I) data gives E_t[m(t)^2]", async () => {
  // x ~ N(0, I), VP: s(x_t) = -x_t and s(t) s + z = m (m z - s x_0): per-dim mean square m^2.
  const sde = new VPSDE();
  const x = random.normal(random.key(0), [8192, 2]);
  const l = await dsmLoss(sde, neg, x, random.key(1), { eps: 1e-5 }).item();
  let ref = 0;
  const K = 10000;
  for (let i = 0; i < K; i++) ref += sde.meanCoef(1e-5 + ((i + 0.5) / K) * (1 - 1e-5)) ** 2 / K;
  // per-sample loss values lie in [0, ~3]: Monte Carlo error below 0.02
  assert.ok(Math.abs(l - ref) < 0.02, `loss ${l} vs ${ref}`);
});
