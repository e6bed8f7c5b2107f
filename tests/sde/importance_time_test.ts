import assert from "node:assert/strict";
import { add, mul, neg, random, reciprocal, square, tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { dsmLoss } from "../../src/sde/dsm_loss.ts";
import { likelihoodImportanceTime } from "../../src/sde/importance_time.ts";
import { perSample, type ScoreFn, type Sde, type TimeArg } from "../../src/sde/sde.ts";
import { SubVPSDE } from "../../src/sde/subvp.ts";
import { VESDE } from "../../src/sde/ve.ts";
import { VPSDE } from "../../src/sde/vp.ts";

const EPS = 1e-5;
const SDES: Sde[] = [new VPSDE(), new SubVPSDE(), new VESDE({ sigmaMax: 50 })];

/** int_a^b f(t) dt by Simpson's rule in s = log t (the integrands here behave like 1 / t). */
function integrateLog(f: (t: number) => number, a: number, b: number, n = 4000): number {
  const la = Math.log(a), h = (Math.log(b) - la) / n;
  let acc = 0;
  for (let i = 0; i <= n; i++) {
    const t = i === 0 ? a : i === n ? b : Math.exp(la + i * h);
    acc += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * f(t) * t;
  }
  return (acc * h) / 3;
}

Deno.test("importance time: the closed-form quantile inverts the CDF of g^2 / s^2 (f64 quadrature)", () => {
  for (const sde of SDES) {
    const is = likelihoodImportanceTime(sde, EPS);
    const weight = (t: number) => sde.diffusion(t) ** 2 / sde.std(t) ** 2;
    const z = integrateLog(weight, EPS, 1);
    assert.ok(Math.abs(is.normalizer / z - 1) < 1e-7, `${sde.kind}: Z ${is.normalizer} vs ${z}`);
    assert.ok(Math.abs(integrateLog(is.density, EPS, 1) - 1) < 1e-7, `${sde.kind}: mass`);
    for (const u of [1e-4, 0.01, 0.3, 0.5, 0.7, 0.99]) {
      const t = is.quantile(u);
      const cdf = integrateLog(is.density, EPS, t);
      assert.ok(Math.abs(cdf - u) < 1e-7, `${sde.kind}: CDF(quantile(${u})) = ${cdf}`);
    }
    assert.ok(Math.abs(is.quantile(0) - EPS) < 1e-12 && Math.abs(is.quantile(1) - 1) < 1e-9);
  }
  // VP and sub-VP put most of their mass at small t (that is the point), VE none.
  assert.ok(Math.abs(likelihoodImportanceTime(SDES[0], EPS).quantile(0.5) - 0.114) < 1e-3);
  assert.ok(Math.abs(likelihoodImportanceTime(SDES[2], EPS).quantile(0.5) - 0.5) < 1e-5);
});

Deno.test("importance time: the GPU quantile matches the f64 one, and samples follow p (quantile band)", async () => {
  const us = [0, 1e-6, 1e-4, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-6, 1];
  for (const sde of SDES) {
    const is = likelihoodImportanceTime(sde, EPS);
    const gpu = await is.quantileT(tensor(us)).read();
    us.forEach((u, i) => {
      const ref = is.quantile(u);
      assert.ok(Math.abs(gpu[i] / ref - 1) < 2e-6, `${sde.kind} u=${u}: ${gpu[i]} vs ${ref}`);
    });
    // Sorted samples against the quantiles: a Kolmogorov-Smirnov band (alpha ~ 1e-4).
    const n = 20000, band = 2.0 / Math.sqrt(n);
    const t = Float64Array.from(await is.sample(random.key(7), n).read()).sort();
    for (const u of [0.05, 0.25, 0.5, 0.75, 0.95]) {
      const ti = t[Math.floor(u * n)];
      assert.ok(
        is.quantile(u - band) <= ti && ti <= is.quantile(u + band),
        `${sde.kind}: sample quantile ${u} = ${ti}, expected in [${is.quantile(u - band)}, ${
          is.quantile(u + band)
        }]`,
      );
    }
  }
});

/** The exact score of N(0, I) data: x_t ~ N(0, (m^2 + s^2) I). */
function gaussianScore(sde: Sde): ScoreFn {
  return (x, t: TimeArg) => {
    const tt = typeof t === "number" ? tensor([t]) : t;
    const v = add(square(sde.meanCoefT(tt)), square(sde.stdT(tt)));
    return mul(x, perSample(neg(reciprocal(v)), x, "gaussianScore"));
  };
}

Deno.test("importance time: the importance-sampled likelihood-weighted loss has the uniform one's mean and a fraction of its spread", async () => {
  // For N(0, I) data and the exact score, E || s + z / std ||^2 per dimension is m^2 / (v std^2)
  // with v = m^2 + std^2, so the expected loss is int g^2 m^2 / (v std^2) dt / (T - eps).
  for (const sde of SDES) {
    const ref = integrateLog(
      (t) =>
        (sde.diffusion(t) ** 2 * sde.meanCoef(t) ** 2) /
        ((sde.meanCoef(t) ** 2 + sde.std(t) ** 2) * sde.std(t) ** 2),
      EPS,
      1,
    ) / (1 - EPS);
    const score = gaussianScore(sde);
    const x = random.normal(random.key(0), [4096, 2]);
    const runs = async (importanceSampling: boolean) => {
      const v: number[] = [];
      for (let k = 0; k < 8; k++) {
        v.push(
          await dsmLoss(sde, score, x, random.key(100 + k), {
            likelihoodWeighting: true,
            importanceSampling,
            eps: EPS,
          }).item(),
        );
      }
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
      return { mean, sd };
    };
    const is = await runs(true), uniform = await runs(false);
    // 8 runs of 4096: the mean's standard error is sd / sqrt(8); 4 standard errors, and never
    // looser than 2 % (the importance-sampled estimate is that precise).
    const tol = Math.min(4 * is.sd / Math.sqrt(8), 0.02 * ref);
    assert.ok(Math.abs(is.mean - ref) < tol, `${sde.kind}: IS ${is.mean} vs ${ref} (tol ${tol})`);
    if (sde.kind === "ve") {
      // g^2 / s^2 is constant: the two estimators are the same one.
      assert.ok(Math.abs(uniform.mean - ref) < 4 * uniform.sd / Math.sqrt(8) + 0.02 * ref);
    } else {
      assert.ok(
        uniform.sd > 3 * is.sd,
        `${sde.kind}: spread uniform ${uniform.sd} vs importance-sampled ${is.sd}`,
      );
    }
  }
});

Deno.test("importance time: typed errors for a missing likelihood weighting and a bad eps", () => {
  const x = random.normal(random.key(0), [4, 2]);
  assert.throws(
    () => dsmLoss(new VPSDE(), neg, x, random.key(1), { importanceSampling: true }),
    (e) => e instanceof InvalidArgumentError && /likelihoodWeighting: true/.test(e.message),
  );
  for (const eps of [0, 1, -1, NaN]) {
    assert.throws(
      () => likelihoodImportanceTime(new VPSDE(), eps),
      (e) => e instanceof InvalidArgumentError && /eps must be in \(0, 1\)/.test(e.message),
    );
  }
  x.dispose();
});
