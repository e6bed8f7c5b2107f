/**
 * Wide-BNN sampling throughput and efficiency (src/bnn): a 784 -> width -> 10 GELU network in
 * NTK parameterization on 256 synthetic regression points (inputs and one-hot-minus-0.1 targets
 * from an integer hash that bench/peers/bnn_peer.py reproduces bit for bit), 8 chains, the
 * reference's Metropolis-adjusted underdamped Langevin sampler (one leapfrog step, refresh 0.01).
 *
 * Metrics (`deno run -A bench/bnn_bench.ts --report [--big] [--widths 128,1024] [--no-ess]
 * [--linalg]`;
 * `--no-ess` prints only the steps-per-second metrics and the dispatches per step):
 * - `bnn_w{W}_leapfrog_steps_per_s`: sampler steps (one leapfrog step for all 8 chains each) per
 *   second, standard parameterization, fixed step size, no recording; the peer prints
 *   `jax_bnn_w{W}_leapfrog_steps_per_s` for the same work in JAX (jit + lax.scan).
 * - `bnn_w{W}_reprior_leapfrog_steps_per_s`: the same in the repriorised parameterization
 *   (df64 batched Cholesky of the Gram matrix at every step).
 * - `bnn_w{W}_standard_ess_per_s`, `bnn_w{W}_reprior_ess_per_s`: median bulk-ESS of the outputs
 *   on 16 test inputs per second of sampling (after a dual-averaging warm-up), recording every 4th
 *   step; the peer prints `jax_bnn_w{W}_standard_ess_per_s`. Also ESS per gradient evaluation.
 * - `bnn_energy_m{M}_{blocked,workgroup}_evals_per_s`: value and gradient of `marginalEnergy`
 *   for the 8 chains per second, Gram size M = min(256, W + 1), with the blocked (many workgroups
 *   per chain) and the one-workgroup-per-chain linear algebra; printed with `--linalg` or `--big`
 *   (no peer metric: it compares two gpusci code paths on one machine).
 *
 * Floors (issue 5, measured on the GPU machine in one run by bench/device.sh): at width 1024,
 * at least 0.5x the peer's leapfrog steps per second, and repriorised ESS/s at least 10x the
 * peer's standard-parameterization ESS/s.
 *
 * @module
 */
import { full, grad, random, runtime, sum, tensor } from "../src/gpu/mod.ts";
import { dispose } from "../src/gpu/tensor.ts";
import { fcNet } from "../src/bnn/models/fc.ts";
import { standardTarget } from "../src/bnn/log_density.ts";
import { repriorTarget } from "../src/bnn/reprior.ts";
import { langevin } from "../src/bnn/samplers/langevin.ts";
import { disposeState } from "../src/bnn/samplers/sampler.ts";
import { sampleBnn } from "../src/bnn/sample_bnn.ts";
import { marginalEnergy } from "../src/bnn/marginal_energy.ts";
import type { RegressionData } from "../src/bnn/log_density.ts";
import { emit, reportMode } from "./_harness.ts";

const fallback = runtime().summary.isFallback;
const big = Deno.args.includes("--big");
const N_TRAIN = 256, N_TEST = 16, DIM = 784, CHAINS = 8;
const argNum = (flag: string, dflt: number) => {
  const i = Deno.args.indexOf(flag);
  return i >= 0 ? Number(Deno.args[i + 1]) : dflt;
};
const wIdx = Deno.args.indexOf("--widths");
const WIDTHS = wIdx >= 0
  ? Deno.args[wIdx + 1].split(",").map(Number)
  : fallback && !big
  ? [64]
  : [128, 1024];
const MIN_SECONDS = argNum("--seconds", 1);
// --big (bench/device.sh) runs chains long enough for the standard parameterization's ESS to be
// measured rather than floored at about the number of chains (bench/peers/bnn_peer.py matches).
const WARMUP = argNum("--warmup", big ? 500 : fallback ? 20 : 300);
const STEPS = argNum("--steps", big ? 4000 : fallback ? 40 : 1200);

/** xorshift32 stream in [0, 1), identical in bench/peers/bnn_peer.py. */
function hashStream(seed: number): () => number {
  let s = (seed * 2654435761 + 12345) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Synthetic regression data: standardized uniform inputs, one-hot - 0.1 targets. */
export function syntheticData(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const r = hashStream(seed);
  const x = new Float32Array(n * DIM), y = new Float32Array(n * 10).fill(-0.1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < DIM; j++) x[i * DIM + j] = (r() - 0.5) * Math.sqrt(12);
    y[i * 10 + Math.floor(r() * 10)] = 0.9;
  }
  return { x, y };
}

function toData(d: { x: Float32Array; y: Float32Array }, n: number): RegressionData {
  return { x: tensor(d.x, { shape: [n, DIM] }), y: tensor(d.y, { shape: [n, 10] }) };
}

/** Sampler steps per second (all chains), fixed step size, no recording. */
async function stepsPerSecond(width: number, reprior: boolean, data: RegressionData) {
  const net = fcNet({ inputDim: DIM, width, outputDim: 10 });
  const target = reprior ? repriorTarget(net, data, 0.1) : standardTarget(net, data, 0.1);
  const s = langevin();
  const init = net.init(random.key(width), CHAINS);
  let st = s.init(target, init, random.key(1));
  dispose(init);
  const eps = full([CHAINS], reprior ? 0.05 : 0.002);
  let k = 0;
  const step = () => {
    const r = s.step(target, st, random.foldIn(random.key(2), k++), eps);
    disposeState(st);
    r.acceptProb.dispose();
    r.accepted.dispose();
    st = r.state;
  };
  for (let i = 0; i < 3; i++) step();
  await runtime().sync();
  let n = 4, rate = 0;
  const d0 = runtime().dispatches;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) step();
    const u = await st.u.read();
    const sec = (performance.now() - t0) / 1e3;
    if (!u.every(Number.isFinite)) throw new Error(`potential became ${u}`);
    rate = n / sec;
    if (sec >= MIN_SECONDS || (fallback && !big && n >= 8)) break;
    n = Math.min(n * 4, Math.max(n * 2, Math.ceil((MIN_SECONDS / sec) * n * 1.2)));
  }
  console.log(
    `# w${width} ${reprior ? "reprior" : "standard"}: ${
      ((runtime().dispatches - d0) / (k - 3)).toFixed(0)
    } dispatches/step`,
  );
  disposeState(st);
  eps.dispose();
  return rate;
}

/** marginalEnergy value + gradient evaluations per second (8 chains, n = 256, d = width + 1). */
async function energyEvalsPerSecond(width: number, method: "blocked" | "workgroup") {
  const d = width + 1;
  const phi = random.normal(random.key(3), [CHAINS, N_TRAIN, d], 0, 1 / Math.sqrt(d));
  const y = tensor(syntheticData(N_TRAIN, 1).y, { shape: [N_TRAIN, 10] });
  const f = (p: typeof phi) => sum(marginalEnergy(p, y, 0.01, { method }));
  const once = () => grad(f)(phi).dispose();
  once();
  await runtime().sync();
  const d0 = runtime().dispatches;
  once();
  const perEval = runtime().dispatches - d0;
  let n = 2, rate = 0;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) once();
    await runtime().sync();
    const sec = (performance.now() - t0) / 1e3;
    rate = n / sec;
    if (sec >= MIN_SECONDS || (fallback && !big)) break;
    n = Math.min(n * 4, Math.max(n * 2, Math.ceil((MIN_SECONDS / sec) * n * 1.2)));
  }
  console.log(`# energy m${Math.min(N_TRAIN, d)} ${method}: ${perEval} dispatches per value+grad`);
  phi.dispose();
  y.dispose();
  return rate;
}

if (reportMode) {
  console.log(`# adapter ${runtime().summary.description}`);
  console.log(`# chains ${CHAINS}, n ${N_TRAIN}, warmup ${WARMUP}, steps ${STEPS}`);
  const train = toData(syntheticData(N_TRAIN, 1), N_TRAIN);
  const test = toData(syntheticData(N_TEST, 2), N_TEST);
  for (const w of WIDTHS) {
    emit(`bnn_w${w}_leapfrog_steps_per_s`, await stepsPerSecond(w, false, train), "steps/s");
    emit(
      `bnn_w${w}_reprior_leapfrog_steps_per_s`,
      await stepsPerSecond(w, true, train),
      "steps/s",
    );
  }
  // --big (what bench/device.sh passes) compares the two linear-algebra paths too.
  for (const w of Deno.args.includes("--linalg") || big ? WIDTHS : []) {
    for (const method of ["blocked", "workgroup"] as const) {
      emit(
        `bnn_energy_m${Math.min(N_TRAIN, w + 1)}_${method}_evals_per_s`,
        await energyEvalsPerSecond(w, method),
        "evals/s",
      );
    }
  }
  for (const w of Deno.args.includes("--no-ess") ? [] : WIDTHS) {
    const net = fcNet({ inputDim: DIM, width: w, outputDim: 10 });
    for (const p of ["standard", "reprior"] as const) {
      const r = await sampleBnn({
        model: net,
        data: train,
        xTest: test.x,
        parameterization: p,
        chains: CHAINS,
        warmup: WARMUP,
        steps: STEPS,
        thin: 4,
        projections: 0,
        key: random.key(w),
      });
      emit(`bnn_w${w}_${p}_ess_per_s`, r.essPerSecond, "ess/s");
      emit(`bnn_w${w}_${p}_ess_per_gradient`, r.essPerGradient, "ess/grad");
      console.log(
        `# w${w} ${p}: ESS ${r.essFunctionMedian.toFixed(1)} in ${
          r.samplingSeconds.toFixed(2)
        } s,` +
          ` accept ${r.acceptProb.toFixed(3)}, step ${r.stepSize.toExponential(2)}`,
      );
    }
  }
} else {
  const train = toData(syntheticData(N_TRAIN, 1), N_TRAIN);
  for (const w of WIDTHS) {
    for (const reprior of [false, true]) {
      const net = fcNet({ inputDim: DIM, width: w, outputDim: 10 });
      const target = reprior ? repriorTarget(net, train, 0.1) : standardTarget(net, train, 0.1);
      const s = langevin();
      let st = s.init(target, net.init(random.key(w), CHAINS), random.key(1));
      const eps = full([CHAINS], 0.01);
      let k = 0;
      Deno.bench(
        `langevin step, width ${w}, ${reprior ? "repriorised" : "standard"}, ${CHAINS} chains`,
        { group: `w${w}` },
        async () => {
          const r = s.step(target, st, random.foldIn(random.key(2), k++), eps);
          disposeState(st);
          st = r.state;
          await r.acceptProb.read();
        },
      );
    }
  }
}
