/**
 * Gradient-estimator throughput: particle-steps per second of PES meta-training (one antithetic
 * PES truncation plus an SGD update of theta per iteration) on
 * - the influence-balancing task (n = 23 state, 1,000 particles = 500 antithetic pairs, K = 10):
 *   metric `pes_influence_particle_steps_per_s`;
 * - a sinusoid-regression MLP inner problem (1 -> 32 tanh -> 1, SGD on 32-point minibatches,
 *   T = 100, 1,000 particles, K = 10): metric `pes_mlp_particle_steps_per_s`;
 * - the per-parameter MLP learned optimizer (19 features -> 32 -> 32 -> 2, learned_optimization's
 *   `MLPLOpt`) updating one tensor of 2^20 parameters (2^16 on a software adapter without
 *   `--big`) with fixed gradients: metric `lopt_update_params_per_s`.
 *
 * `deno bench -A bench/optim_bench.ts` (one iteration plus a sync per bench iteration), or
 * `deno run -A bench/optim_bench.ts --report [--big]` for metric lines; the peer
 * bench/peers/optim_peer.py prints `jax_pes_..._particle_steps_per_s` for the same work in JAX
 * (jit of a whole truncation: vmap over particles, lax.scan over steps). Iterations run back to
 * back with no readback; the clock stops at a sync after a chunk, chunks growing until one
 * lasts at least `--seconds` (default 1). On a software adapter without `--big` the MLP runs
 * 100 particles.
 *
 * @module
 */
import { dispose, mul, runtime, scope, sub, type Tensor, tensor } from "../src/gpu/mod.ts";
import { foldIn, key } from "../src/gpu/random.ts";
import { pes } from "../src/optim/estimators/pes.ts";
import type { GradientEstimator } from "../src/optim/estimators/estimator.ts";
import { influenceBalancing } from "../src/optim/tasks/influence_balancing.ts";
import { sinusoidMlp } from "../src/optim/tasks/sinusoid_mlp.ts";
import { mlpLopt } from "../src/optim/lopt/mlp_lopt.ts";
import { random, reshape, zeros } from "../src/gpu/mod.ts";
import { emit, reportMode } from "./_harness.ts";

const fallback = runtime().summary.isFallback;
const big = Deno.args.includes("--big");
const secIdx = Deno.args.indexOf("--seconds");
const MIN_SECONDS = secIdx >= 0 ? Number(Deno.args[secIdx + 1]) : 1;
const K = 10;

interface Case {
  name: string;
  particles: number;
  make: () => GradientEstimator;
  theta0: number[];
  lr: number;
}

const CASES: Case[] = [
  {
    name: "pes_influence",
    particles: 1000,
    make: () => pes(influenceBalancing(), { particles: 1000, truncationLength: K, sigma: 0.1 }),
    theta0: [0.5],
    lr: 1e-5,
  },
  {
    name: "pes_mlp",
    particles: fallback && !big ? 100 : 1000,
    make: () =>
      pes(sinusoidMlp({ hidden: 32, batch: 32, horizon: 100 }), {
        particles: fallback && !big ? 100 : 1000,
        truncationLength: K,
        sigma: 0.1,
      }),
    theta0: [-3, -3],
    lr: 1e-4,
  },
];

/** A meta-training loop whose `step()` records one PES truncation and an SGD update. */
function setup(c: Case) {
  const est = c.make();
  let theta: Tensor = tensor(c.theta0);
  let last: Tensor | null = null;
  let i = 0;
  return {
    step(): void {
      const r = scope(() => {
        const { grad, loss } = est.estimate(theta, foldIn(key(0), i++));
        return { theta: sub(theta, mul(grad, c.lr)), loss };
      });
      dispose([theta, last]);
      theta = r.theta;
      last = r.loss;
      runtime().flush();
    },
    async sync(): Promise<number> {
      return last ? (await last.read())[0] : NaN;
    },
    dispose(): void {
      est.dispose();
      dispose([theta, last]);
    },
  };
}

async function particleStepsPerSecond(c: Case): Promise<{ rate: number; dispatches: number }> {
  const s = setup(c);
  for (let i = 0; i < 3; i++) s.step();
  await s.sync();
  let n = 4, rate = 0, dispatches = 0;
  for (;;) {
    const d0 = runtime().dispatches;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) s.step();
    const loss = await s.sync();
    const sec = (performance.now() - t0) / 1e3;
    if (!Number.isFinite(loss)) throw new Error(`${c.name}: loss became ${loss}`);
    rate = (n * c.particles * K) / sec;
    dispatches = (runtime().dispatches - d0) / n;
    if (sec >= MIN_SECONDS || (fallback && !big && n >= 16)) break;
    n = Math.min(n * 4, Math.max(n * 2, Math.ceil((MIN_SECONDS / sec) * n * 1.2)));
  }
  s.dispose();
  return { rate, dispatches };
}

const LOPT_PARAMS = fallback && !big ? 1 << 16 : 1 << 20;

/** Repeated learned-optimizer updates of one `[1, n]` tensor (state kept on the GPU). */
function loptSetup(n: number) {
  const lopt = mlpLopt();
  const theta = reshape(lopt.initTheta(0), [1, lopt.thetaDim]);
  const grads = random.normal(key(1), [1, n]);
  const iteration = zeros([1]);
  let params = random.normal(key(2), [1, n]);
  let moments = zeros([1, 6, n]);
  return {
    step(): void {
      const r = scope(() => lopt.update({ theta, params, grads, state: moments, iteration }));
      dispose([params, moments, r.step]);
      params = r.params;
      moments = r.state;
      runtime().flush();
    },
    async sync(): Promise<number> {
      return (await reshape(params, [n]).read())[0];
    },
    dispose(): void {
      dispose([theta, grads, iteration, params, moments]);
    },
  };
}

async function loptParamsPerSecond(n: number): Promise<{ rate: number; dispatches: number }> {
  const s = loptSetup(n);
  for (let i = 0; i < 3; i++) s.step();
  await s.sync();
  let k = 4, rate = 0, dispatches = 0;
  for (;;) {
    const d0 = runtime().dispatches;
    const t0 = performance.now();
    for (let i = 0; i < k; i++) s.step();
    await s.sync();
    const sec = (performance.now() - t0) / 1e3;
    rate = (k * n) / sec;
    dispatches = (runtime().dispatches - d0) / k;
    if (sec >= MIN_SECONDS || (fallback && !big && k >= 16)) break;
    k = Math.min(k * 4, Math.max(k * 2, Math.ceil((MIN_SECONDS / sec) * k * 1.2)));
  }
  s.dispose();
  return { rate, dispatches };
}

if (reportMode) {
  console.log(`# adapter ${runtime().summary.description}`);
  const lo = await loptParamsPerSecond(LOPT_PARAMS);
  emit("lopt_update_params_per_s", lo.rate, "params/s");
  console.log(`# lopt_update: ${LOPT_PARAMS} parameters, ${lo.dispatches} dispatches/update`);
  for (const c of CASES) {
    const { rate, dispatches } = await particleStepsPerSecond(c);
    emit(`${c.name}_particle_steps_per_s`, rate, "particle-steps/s");
    console.log(
      `# ${c.name}: ${c.particles} particles, K = ${K}, ${dispatches} dispatches/iteration`,
    );
  }
} else {
  const lo = loptSetup(LOPT_PARAMS);
  Deno.bench(`lopt_update: MLPLOpt update of ${LOPT_PARAMS} parameters`, {
    group: "lopt",
  }, async () => {
    lo.step();
    await lo.sync();
  });
  for (const c of CASES) {
    const s = setup(c);
    Deno.bench(`${c.name}: PES truncation (${c.particles} particles, K = ${K}) + SGD`, {
      group: "pes",
    }, async () => {
      s.step();
      await s.sync();
    });
  }
}
