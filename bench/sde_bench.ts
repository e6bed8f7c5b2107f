/**
 * Score-SDE sampler benchmarks: reverse-SDE (Euler-Maruyama) steps per second, each step one
 * score evaluation plus the fused update with in-kernel noise, at batch 1,024 and 16,384, for
 * 2-D data (the exact Gaussian-mixture score kernel, and a 2-D MLP score model) and for the
 * MNIST MLP score model (784-512-512-784, 64 Fourier features; the model of the `sde-mnist`
 * full preset is larger: 1024 x 3); and samples per second of the 1,000-step predictor-corrector
 * sampler (reverse diffusion + Langevin) on the MNIST MLP. Each trajectory is encoded without any
 * readback and timed to one sync at its end; chunks grow until one lasts `--seconds` (default 1).
 *
 * `deno bench -A bench/sde_bench.ts`, or `deno run -A bench/sde_bench.ts --report [--big]` for
 * metric lines; the peer `bench/peers/sde_peer.py` runs the same models in torch eager.
 *
 * @module
 */
import { random, runtime, scope, type Tensor } from "../src/gpu/mod.ts";
import { GaussianMixture } from "../src/sde/gmm.ts";
import { gmmScore } from "../src/sde/gmm_score.ts";
import { sdeUpdate } from "../src/sde/kernels/update.ts";
import { pcSample } from "../src/sde/pc_sampler.ts";
import { eulerMaruyama } from "../src/sde/predictors.ts";
import { scoreMlp } from "../src/sde/score_mlp.ts";
import type { ScoreFn } from "../src/sde/sde.ts";
import { VPSDE } from "../src/sde/vp.ts";
import { emit, reportMode } from "./_harness.ts";

const fallback = runtime().summary.isFallback;
const big = Deno.args.includes("--big");
const minSeconds = Deno.args.includes("--seconds")
  ? Number(Deno.args[Deno.args.indexOf("--seconds") + 1])
  : 1;

/** The benchmark models (the peer builds the same ones). */
export const MODELS = {
  mlp2d: { dim: 2, hidden: [128, 128, 128], embedDim: 32 },
  mnist: { dim: 784, hidden: [512, 512], embedDim: 64 },
  mnist_h256: { dim: 784, hidden: [256, 256], embedDim: 64 },
  mnist_h1024x3: { dim: 784, hidden: [1024, 1024, 1024], embedDim: 64 },
} as const;

const sde = new VPSDE({ N: 1000 });
const em = eulerMaruyama(sde);

function mixture(): GaussianMixture {
  return new GaussianMixture({
    weights: [0.2, 0.3, 0.5],
    means: [[-2, 1], [2, 0], [0, -2]],
    covs: [[[0.3, 0.1], [0.1, 0.2]], [[0.5, -0.2], [-0.2, 0.4]], [[0.1, 0], [0, 0.6]]],
  });
}

function mlpScore(name: keyof typeof MODELS): ScoreFn {
  const m = MODELS[name];
  const net = scoreMlp({ hidden: [...m.hidden], embedDim: m.embedDim, activation: "swish" });
  return net.score(sde, net.init(random.key(1), m.dim));
}

/** Records `steps` Euler-Maruyama reverse-SDE steps from x (no readback); returns the new x. */
function emSteps(score: ScoreFn, x0: Tensor, steps: number, offset: number): Tensor {
  const key = random.key(7);
  let x = x0;
  for (let i = 0; i < steps; i++) {
    const t = 1 - ((offset + i) % 999) / 1000;
    const c = em.coefficients(t);
    const next = scope(() => {
      const s = score(x, t);
      return sdeUpdate(x, s, { cx: c.cx, cs: c.cs, cz: c.cz, noise: { key, step: offset + i } });
    });
    if (x !== x0) x.dispose();
    x = next;
  }
  return x;
}

/** Steps per second of the EM reverse-SDE loop, chunks growing until one lasts minSeconds. */
async function stepsPerSecond(score: ScoreFn, dim: number, batch: number): Promise<number> {
  const x0 = random.normal(random.key(3), [batch, dim]);
  emSteps(score, x0, 3, 0).dispose();
  await runtime().sync();
  let n = 4, rate = 0;
  while (true) {
    const t0 = performance.now();
    const x = emSteps(score, x0, n, 0);
    await runtime().sync();
    const s = (performance.now() - t0) / 1000;
    x.dispose();
    rate = n / s;
    if (s >= minSeconds || n >= 20000) break;
    n = Math.min(20000, Math.ceil(n * Math.max(2, (1.2 * minSeconds) / s)));
  }
  x0.dispose();
  return rate;
}

/** Samples per second of the full N-step PC sampler (reverse diffusion + Langevin). */
async function pcSamplesPerSecond(score: ScoreFn, dim: number, batch: number, N: number) {
  const s = new VPSDE({ N });
  const warm = pcSample(s, score, random.key(0), { shape: [batch, dim] });
  await warm.samples.read();
  warm.samples.dispose();
  const t0 = performance.now();
  const r = pcSample(s, score, random.key(1), { shape: [batch, dim] });
  await r.samples.read();
  const sec = (performance.now() - t0) / 1000;
  r.samples.dispose();
  return batch / sec;
}

const batches = fallback && !big ? [256] : [1024, 16384];

/** Dispatches one EM step of `emSteps` records (score evaluation + update). */
function dispatchesPerStep(score: ScoreFn, dim: number): number {
  const x0 = random.normal(random.key(3), [8, dim]);
  const d0 = runtime().dispatches;
  const x = emSteps(score, x0, 1, 0);
  const n = runtime().dispatches - d0;
  x.dispose();
  x0.dispose();
  return n;
}

if (reportMode) {
  console.log(`# adapter ${runtime().summary.description}`);
  for (const name of ["mnist", "mnist_h1024x3"] as const) {
    console.log(`# dispatches per EM step, ${name}: ${dispatchesPerStep(mlpScore(name), 784)}`);
  }
  const gmm = gmmScore(mixture(), sde);
  for (const b of batches) {
    emit(`sde_em_steps_per_s_gmm2d_b${b}`, await stepsPerSecond(gmm, 2, b), "steps/s");
  }
  const m2 = mlpScore("mlp2d");
  for (const b of batches) {
    emit(`sde_em_steps_per_s_mlp2d_b${b}`, await stepsPerSecond(m2, 2, b), "steps/s");
  }
  for (const name of ["mnist", "mnist_h256", "mnist_h1024x3"] as const) {
    if (fallback && !big && name !== "mnist") continue;
    const f = mlpScore(name);
    for (const b of batches) {
      emit(`sde_em_steps_per_s_${name}_b${b}`, await stepsPerSecond(f, 784, b), "steps/s");
    }
  }
  // software adapters: 25 steps (the discrete VP schedule needs N > beta_max = 20)
  const N = fallback && !big ? 25 : 1000;
  emit(
    `sde_pc${N}_samples_per_s_mnist_b${batches[0]}`,
    await pcSamplesPerSecond(mlpScore("mnist"), 784, batches[0], N),
    "samples/s",
  );
} else {
  const b = fallback ? 256 : 1024;
  const gmm = gmmScore(mixture(), sde);
  const x2 = random.normal(random.key(3), [b, 2]);
  // Software adapters: a few iterations only (llvmpipe runs these models at ~0.2 GFLOP/s).
  const iters = fallback ? { n: 3, warmup: 1 } : {};
  Deno.bench(`EM reverse-SDE, exact GMM score, 2-D, batch ${b} (20 steps, one sync)`, {
    group: "em",
    ...iters,
  }, async () => {
    emSteps(gmm, x2, 20, 0).dispose();
    await runtime().sync();
  });
  const mn = mlpScore("mnist");
  const xm = random.normal(random.key(4), [b, 784]);
  Deno.bench(`EM reverse-SDE, MNIST MLP 512x2, batch ${b} (5 steps, one sync)`, {
    group: "em",
    ...iters,
  }, async () => {
    emSteps(mn, xm, 5, 0).dispose();
    await runtime().sync();
  });
}
