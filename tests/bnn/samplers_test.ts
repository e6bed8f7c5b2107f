import assert from "node:assert/strict";
import {
  add,
  full,
  matmul,
  mul,
  random,
  runtime,
  sub,
  sum,
  type Tensor,
  tensor,
} from "../../src/gpu/mod.ts";
import type { ChainParams } from "../../src/bnn/chain_params.ts";
import { ess } from "../../src/bnn/diagnostics/ess.ts";
import { componentDraws } from "../../src/bnn/diagnostics/chains.ts";
import { rhat } from "../../src/bnn/diagnostics/rhat.ts";
import { runChains } from "../../src/bnn/run_chains.ts";
import { hmc } from "../../src/bnn/samplers/hmc.ts";
import { langevin } from "../../src/bnn/samplers/langevin.ts";
import { mala } from "../../src/bnn/samplers/mala.ts";
import { metropolis } from "../../src/bnn/samplers/metropolis.ts";
import { disposeState, type Sampler } from "../../src/bnn/samplers/sampler.ts";
import { potentialTarget, type Target } from "../../src/bnn/target.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { cholesky64, matmul64, normals, spdSolve64 } from "./_ref.ts";

const f32 = async (t: Tensor) => (await t.read()) as Float32Array;

// A correlated 3-D Gaussian: mean m, covariance S (eigenvalues ~0.3 .. 3).
const D = 3;
const M = [1, -2, 0.5];
const S = [1.5, 0.6, 0.3, 0.6, 1.0, -0.4, 0.3, -0.4, 0.8];
const eye = [1, 0, 0, 0, 1, 0, 0, 0, 1];
const P = spdSolve64(S, eye, D, D); // precision matrix

function gaussianTarget(standardNormalPrior: boolean): Target {
  const mt = tensor([M]);
  const pt = tensor(Float32Array.from(P), { shape: [D, D] });
  return potentialTarget((q: ChainParams) => {
    const r = sub(q.x, mt);
    const u = mul(sum(mul(r, matmul(r, pt)), 1), 0.5);
    // with a standard-normal prior the sampler adds |q|^2/2 itself
    return standardNormalPrior ? sub(u, mul(sum(mul(q.x, q.x), 1), 0.5)) : u;
  }, { standardNormalPrior });
}

/** C exact draws from N(M, S) on the host. */
function exactDraws(C: number, seed: number): Float32Array {
  const l = cholesky64(S, D);
  const z = normals(seed);
  const out = new Float32Array(C * D);
  for (let c = 0; c < C; c++) {
    const e = [z(), z(), z()];
    const x = matmul64(l, e, D, D, 1);
    for (let i = 0; i < D; i++) out[c * D + i] = M[i] + x[i];
  }
  return out;
}

/** z-scores of the across-chain mean and variance against the exact N(M, S) (iid chains). */
function moments(x: Float32Array, C: number): { zMean: number[]; zVar: number[] } {
  const zMean: number[] = [], zVar: number[] = [];
  for (let i = 0; i < D; i++) {
    let s = 0, s2 = 0;
    for (let c = 0; c < C; c++) s += x[c * D + i];
    const mean = s / C;
    for (let c = 0; c < C; c++) s2 += (x[c * D + i] - M[i]) ** 2;
    const v = s2 / C;
    const sd = Math.sqrt(S[i * D + i]);
    zMean.push((mean - M[i]) / (sd / Math.sqrt(C)));
    zVar.push((v - S[i * D + i]) / (S[i * D + i] * Math.sqrt(2 / C)));
  }
  return { zMean, zVar };
}

const samplers: [string, () => Sampler, number][] = [
  ["hmc", () => hmc({ leapfrogSteps: 4 }), 0.3],
  ["langevin", () => langevin({ refresh: 0.3 }), 0.3],
  ["mala", () => mala(), 0.5],
];

Deno.test("samplers leave the exact target invariant (4096 chains from N(m, S), z-scores)", async () => {
  const C = 4096;
  for (const snp of [false, true]) {
    const target = gaussianTarget(snp);
    for (const [name, make, eps] of samplers) {
      const s = make();
      const x0 = tensor(exactDraws(C, 7), { shape: [C, D] });
      let st = s.init(target, { x: x0 }, random.key(1));
      const epsT = full([C], eps);
      let acc = 0;
      for (let i = 0; i < 4; i++) {
        const r = s.step(target, st, random.foldIn(random.key(2), i), epsT);
        disposeState(st);
        st = r.state;
        acc += (await f32(r.acceptProb)).reduce((a, b) => a + b, 0) / C / 4;
      }
      const { zMean, zVar } = moments((await st.q.x.read()) as Float32Array, C);
      for (const z of [...zMean, ...zVar]) {
        assert.ok(Math.abs(z) < 4, `${name} snp=${snp}: z ${z.toFixed(2)} (${zMean}, ${zVar})`);
      }
      assert.ok(acc > 0.6 && acc <= 1, `${name}: mean acceptance ${acc}`);
      // it actually moved: chains decorrelated from their start
      const start = await x0.read(), end = await st.q.x.read();
      let same = 0;
      for (let j = 0; j < C * D; j++) if (start[j] === end[j]) same++;
      assert.ok(same < 0.5 * C * D, `${name}: ${same} coordinates unchanged`);
      disposeState(st);
      x0.dispose();
    }
  }
});

Deno.test("samplers converge from a far start: means within MCSE, R-hat ~ 1", async () => {
  const C = 16;
  const target = gaussianTarget(true);
  for (const [name, make, eps] of samplers) {
    const init = { x: full([C, D], 4) };
    const r = await runChains({
      target,
      sampler: make(),
      key: random.key(11),
      init,
      warmup: 150,
      steps: 250,
      stepSize: eps,
      adapt: { targetAccept: 0.8 },
      record: (q) => q.x,
      readEvery: 100,
    });
    assert.deepEqual(r.drawShape, [C, 250, D]);
    const comps = componentDraws(r.draws, r.drawShape);
    for (let i = 0; i < D; i++) {
      const chains = comps[i];
      const all = chains.flatMap((c) => Array.from(c));
      const mean = all.reduce((a, b) => a + b, 0) / all.length;
      const e = ess(chains, "mean");
      const mcse = Math.sqrt(S[i * D + i] / e);
      const z = (mean - M[i]) / mcse;
      assert.ok(Math.abs(z) < 4, `${name} dim ${i}: mean ${mean} vs ${M[i]} (z ${z}, ess ${e})`);
      assert.ok(rhat(chains) < 1.1, `${name} dim ${i}: rhat ${rhat(chains)}`);
    }
    const acc = r.acceptProb.reduce((a, b) => a + b, 0) / C;
    assert.ok(acc > 0.6 && acc < 0.97, `${name}: adapted acceptance ${acc} (target 0.8)`);
    disposeState(r.state);
    init.x.dispose();
  }
});

Deno.test("HMC acceptance matches an f64 host simulation of the leapfrog energy error", async () => {
  // N(0, diag(sig^2)) in 2-D, stationary start, one HMC step with L=3: E[min(1, exp(-dH))]
  // estimated on the GPU over 8192 chains vs a host f64 estimate (independent draws).
  const sig = [0.5, 2], eps = 0.6, L = 3, C = 8192;
  const target = potentialTarget((q) =>
    mul(sum(mul(mul(q.x, q.x), tensor([[1 / sig[0] ** 2, 1 / sig[1] ** 2]])), 1), 0.5)
  );
  const z = normals(3);
  const x0 = Float32Array.from({ length: C * 2 }, (_, i) => sig[i % 2] * z());
  const s = hmc({ leapfrogSteps: L });
  const st = s.init(target, { x: tensor(x0, { shape: [C, 2] }) }, random.key(0));
  const r = s.step(target, st, random.key(5), full([C], eps));
  const a = await f32(r.acceptProb);
  const gpu = a.reduce((x, y) => x + y, 0) / C;
  const gpuSd = Math.sqrt(a.reduce((x, y) => x + (y - gpu) ** 2, 0) / (C - 1) / C);
  let host = 0;
  const N = 200000, hz = normals(99);
  for (let n = 0; n < N; n++) {
    let h = 0;
    for (let d = 0; d < 2; d++) {
      let q = sig[d] * hz(), p = hz();
      const h0 = q * q / (2 * sig[d] ** 2) + p * p / 2;
      for (let l = 0; l < L; l++) {
        p -= eps / 2 * q / sig[d] ** 2;
        q += eps * p;
        p -= eps / 2 * q / sig[d] ** 2;
      }
      h += q * q / (2 * sig[d] ** 2) + p * p / 2 - h0;
    }
    host += Math.min(1, Math.exp(-h)) / N;
  }
  assert.ok(Math.abs(gpu - host) < 4 * gpuSd + 2e-3, `acceptance gpu ${gpu} vs host ${host}`);
  assert.ok(host < 0.99 && host > 0.3, `test should be informative: ${host}`);
  disposeState(st);
  disposeState(r.state);
});

Deno.test("metropolis: probabilities, NaN and +Inf reject, decisions follow the uniforms", async () => {
  const { acceptProb, accepted } = metropolis(tensor([0, -3, 1, Infinity, NaN]), random.key(0));
  const p = await acceptProb.read();
  assert.deepEqual(Array.from(p.subarray(0, 2)), [1, 1]);
  assert.ok(Math.abs(p[2] - Math.exp(-1)) < 1e-6);
  assert.equal(p[3], 0);
  assert.equal(p[4], 0);
  const a = await accepted.read();
  assert.deepEqual([a[0], a[1], a[3], a[4]], [1, 1, 0, 0]);
  // frequency of acceptance at dH = 1 over many chains
  const n = 20000;
  const r = metropolis(full([n], 1), random.key(9));
  const freq = (await f32(r.accepted)).reduce((x, y) => x + y, 0) / n;
  const se = Math.sqrt(Math.exp(-1) * (1 - Math.exp(-1)) / n);
  assert.ok(Math.abs(freq - Math.exp(-1)) < 4 * se, `freq ${freq}`);
});

Deno.test("sampler options are validated; runChains checks its inputs", async () => {
  assert.throws(() => hmc({ leapfrogSteps: 0 }), InvalidArgumentError);
  assert.throws(() => langevin({ refresh: 1.5 }), /refresh/);
  const target = potentialTarget((q) => sum(mul(q.x, q.x), 1));
  await assert.rejects(
    () =>
      runChains({
        target,
        sampler: mala(),
        key: random.key(0),
        init: { x: full([2, 1], 0) },
        steps: 0,
        stepSize: 0.1,
      }),
    InvalidArgumentError,
  );
  await assert.rejects(
    () =>
      runChains({
        target,
        sampler: mala(),
        key: random.key(0),
        init: { x: full([2, 1], 0) },
        steps: 2,
        stepSize: 0.1,
        record: (q) => add(q.x, 0).view([2, 1, 1]),
      }),
    InvalidArgumentError,
  );
  assert.ok(runtime().pool.stats().inUseBuffers >= 0);
});
