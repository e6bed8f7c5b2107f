import assert from "node:assert/strict";
import { random, runtime } from "../../src/gpu/mod.ts";
import { InvalidArgumentError, UnknownNameError } from "../../src/errors.ts";
import { gmmScore } from "../../src/sde/gmm_score.ts";
import { pcSample } from "../../src/sde/pc_sampler.ts";
import type { PredictorName } from "../../src/sde/predictors.ts";
import type { CorrectorName } from "../../src/sde/correctors.ts";
import { SubVPSDE } from "../../src/sde/subvp.ts";
import { VESDE } from "../../src/sde/ve.ts";
import { VPSDE } from "../../src/sde/vp.ts";
import { checkMixtureRecovery, separatedMixture } from "./_fixtures.ts";
import { classConditionalSample } from "../../src/sde/conditional.ts";
import { moments } from "../../src/sde/metrics.ts";
import type { Tensor } from "../../src/gpu/mod.ts";

const g = separatedMixture();
const cases: [string, () => VPSDE | VESDE | SubVPSDE, PredictorName, CorrectorName][] = [
  ["VP euler-maruyama", () => new VPSDE({ N: 200 }), "euler-maruyama", "none"],
  ["VP reverse-diffusion + langevin", () => new VPSDE({ N: 150 }), "reverse-diffusion", "langevin"],
  ["VP ancestral", () => new VPSDE({ N: 200 }), "ancestral", "none"],
  ["VE euler-maruyama", () => new VESDE({ sigmaMax: 10, N: 200 }), "euler-maruyama", "none"],
  [
    "VE reverse-diffusion + langevin",
    () => new VESDE({ sigmaMax: 10, N: 150 }),
    "reverse-diffusion",
    "langevin",
  ],
  [
    "VE ancestral + annealed langevin",
    () => new VESDE({ sigmaMax: 10, N: 150 }),
    "ancestral",
    "annealed-langevin",
  ],
  ["subVP euler-maruyama", () => new SubVPSDE({ N: 200 }), "euler-maruyama", "none"],
];

for (const [name, make, predictor, corrector] of cases) {
  Deno.test(`samplers: ${name} with the exact score recovers the mixture`, async () => {
    const sde = make();
    const score = gmmScore(g, sde);
    const d0 = runtime().submissions;
    const r = pcSample(sde, score, random.key(11), {
      shape: [8192, 2],
      predictor,
      corrector,
      snr: 0.16,
    });
    assert.equal(r.nfe, sde.N * (1 + (corrector === "none" ? 0 : 1)));
    const x = await r.samples.read();
    // GPU-resident: no readback inside the trajectory (submissions only when the arena fills)
    assert.ok(runtime().submissions - d0 <= Math.ceil((6 * r.nfe) / 2048) + 2);
    checkMixtureRecovery(g, x, name);
    r.samples.dispose();
    score.dispose();
  });
}

Deno.test("samplers: class-conditional sampling with the exact noisy classifier", async () => {
  const sde = new VPSDE({ N: 100 });
  const classifier = (x: Tensor, t: number | Tensor) =>
    g.perturbed(sde.meanCoef(t as number), sde.std(t as number)).componentLogits(x);
  const r = classConditionalSample(sde, gmmScore(g, sde), classifier, 1, random.key(2), {
    shape: [512, 2],
    predictor: "euler-maruyama",
    corrector: "none",
  });
  const m = moments(await r.samples.read(), 2);
  assert.ok(Math.abs(m.mean[0] - 3) < 0.1 && Math.abs(m.mean[1]) < 0.1, `mean ${m.mean}`);
  assert.ok(
    Math.abs(m.cov[0][0] - 0.25) < 0.07 && Math.abs(m.cov[1][1] - 0.35) < 0.09,
    `cov ${m.cov}`,
  );
});

Deno.test("samplers: invalid settings are rejected", () => {
  const sde = new SubVPSDE({ N: 10 });
  assert.throws(
    () => pcSample(sde, (x) => x, random.key(0), { shape: [2, 2], predictor: "ancestral" }),
    /defined for VE and VP SDEs, got sub-VP/,
  );
  assert.throws(
    () =>
      pcSample(sde, (x) => x, random.key(0), {
        shape: [2, 2],
        predictor: "none",
        corrector: "none",
      }),
    InvalidArgumentError,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => pcSample(sde, (x) => x, random.key(0), { shape: [2, 2], predictor: "heun" as any }),
    (e) => e instanceof InvalidArgumentError && /predictor = "heun"/.test(e.message),
  );
  assert.throws(() => pcSample(sde, (x) => x, random.key(0), {}), /give options.shape/);
  assert.ok(UnknownNameError);
});
