import assert from "node:assert/strict";
import { random, tensor } from "../../src/gpu/mod.ts";
import { GaussianMixture } from "../../src/sde/gmm.ts";
import { gmmScore } from "../../src/sde/gmm_score.ts";
import { inpaint } from "../../src/sde/inpaint.ts";
import { VESDE } from "../../src/sde/ve.ts";
import { VPSDE } from "../../src/sde/vp.ts";

Deno.test("inpainting keeps the known entries and samples the conditional", async () => {
  // one correlated Gaussian: x1 | x0 = a ~ N(rho a, 1 - rho^2)
  const rho = 0.8;
  const g = new GaussianMixture({ weights: [1], means: [[0, 0]], covs: [[[1, rho], [rho, 1]]] });
  const n = 2048, a = 1.5;
  const known = tensor(Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? a : 0)), {
    shape: [n, 2],
  });
  const mask = tensor(Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? 1 : 0)), {
    shape: [n, 2],
  });
  // Replacing known entries alone is biased (conditional mean ~0.75 instead of 1.2 here); the
  // Langevin corrector removes the bias: 1 step suffices for VE, VP needs ~5 at snr 0.16.
  const runs = [
    { sde: new VPSDE({ N: 100 }), nCorrectorSteps: 5 },
    { sde: new VESDE({ sigmaMax: 10, N: 200 }), nCorrectorSteps: 1 },
  ];
  for (const { sde, nCorrectorSteps } of runs) {
    const r = inpaint(sde, gmmScore(g, sde), random.key(4), known, mask, {
      predictor: "reverse-diffusion",
      corrector: "langevin",
      nCorrectorSteps,
    });
    const x = await r.samples.read();
    let m = 0, v = 0;
    for (let i = 0; i < n; i++) {
      assert.equal(
        x[2 * i],
        Math.fround(a),
        `${sde.kind}: known pixel ${i} changed to ${x[2 * i]}`,
      );
      m += x[2 * i + 1] / n;
    }
    for (let i = 0; i < n; i++) v += (x[2 * i + 1] - m) ** 2 / (n - 1);
    const cm = rho * a, cv = 1 - rho * rho;
    assert.ok(Math.abs(m - cm) < 4 * Math.sqrt(cv / n) + 0.02, `${sde.kind} mean ${m} vs ${cm}`);
    assert.ok(Math.abs(v - cv) < 4 * cv * Math.sqrt(2 / n) + 0.03, `${sde.kind} var ${v} vs ${cv}`);
  }
});
