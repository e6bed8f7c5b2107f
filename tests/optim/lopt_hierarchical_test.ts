/**
 * The hierarchical learned optimizer: two updates (two particles, two tensors) against an f64
 * host model written from the formulas, the TBPTT meta-gradient through its per-tensor RNN
 * against central finite differences, typed errors, and a short `lopt-train` run in which it
 * beats its initialization on held-out problems.
 */
import assert from "node:assert/strict";
import { dispose, grad, scope, sum, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { key } from "../../src/gpu/random.ts";
import { InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import { broadcastTheta } from "../../src/optim/unrolled_system.ts";
import { EpisodeClock } from "../../src/optim/episode_clock.ts";
import { runTruncation } from "../../src/optim/truncation.ts";
import {
  HIER_TENSOR_FEATURES,
  type HierarchicalLopt,
  hierarchicalLopt,
} from "../../src/optim/lopt/hierarchical_lopt.ts";
import { learnedOptimizerSystem } from "../../src/optim/lopt/lopt_system.ts";
import { LOPT_DECAYS, LOPT_TIMESCALES } from "../../src/optim/lopt/mlp_lopt.ts";
import { loptTrain } from "../../src/optim/experiments/lopt_train.ts";
import { validateMetrics } from "../../src/report/run_record.ts";
import { linearRegressionFamily } from "../../src/optim/tasks/linear_regression_family.ts";
import { assertClose, quietContext, randn } from "../_util.ts";

const K = LOPT_DECAYS.length;

/** y = W x + b for slot `name` of theta (W `[out, in]` row-major). */
function affine(lopt: HierarchicalLopt, theta: ArrayLike<number>, name: string, x: number[]) {
  const w = lopt.layout.find((s) => s.name === name)!;
  const [rows, cols] = w.shape;
  const b = lopt.layout.find((s) => s.name === name.replace("w", "b"))!;
  return Array.from({ length: rows }, (_, i) => {
    let acc = theta[b.offset + i];
    for (let j = 0; j < cols; j++) acc += theta[w.offset + i * cols + j] * x[j];
    return acc;
  });
}

/**
 * One hierarchical update of one particle in f64: params `[n]`, state `[6 + R, n]` (row-major),
 * written from the module doc's formulas (and the reference's feature definitions).
 */
function hostUpdate(
  lopt: HierarchicalLopt,
  theta: ArrayLike<number>,
  p: ArrayLike<number>,
  g: ArrayLike<number>,
  state: ArrayLike<number>,
  t: number,
  segments: number[],
): { params: number[]; state: number[] } {
  const n = p.length, R = lopt.options.rnnHidden, o = lopt.options;
  const at = (row: number, i: number) => state[row * n + i];
  const mom = LOPT_DECAYS.map((b, k) =>
    Array.from({ length: n }, (_, i) => b * at(k, i) + (1 - b) * g[i])
  );
  const rows = [Array.from(g), Array.from(p), ...mom];
  const clipLogAbs = (v: number) => Math.min(5, Math.max(-5, Math.log(1e-8 + Math.abs(v))));
  const starts = segments.map((_, s) => segments.slice(0, s).reduce((a, b) => a + b, 0));
  const h = starts.map((i0) => Array.from({ length: R }, (_, j) => at(K + j, i0)));
  const fromRnn = Array.from({ length: R }, (_, j) => h.reduce((a, hs) => a + hs[j], 0) / h.length);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const wx = lopt.layout.find((s) => s.name === "rnn_wx")!;
  const u = lopt.layout.find((s) => s.name === "rnn_u")!;
  const bg = lopt.layout.find((s) => s.name === "rnn_b")!;
  const fin = wx.shape[1];
  // gate block k (0 update, 1 reset, 2 candidate), unit i: input part and recurrent part
  const inPart = (k: number, i: number, x: number[]) => {
    let acc = theta[bg.offset + k * R + i];
    for (let j = 0; j < fin; j++) acc += theta[wx.offset + (k * R + i) * fin + j] * x[j];
    return acc;
  };
  const recPart = (k: number, i: number, v: number[]) => {
    let acc = 0;
    for (let j = 0; j < R; j++) acc += theta[u.offset + (k * R + i) * R + j] * v[j];
    return acc;
  };
  const perTensor = segments.map((len, s) => {
    const lo = starts[s], idx = Array.from({ length: len }, (_, i) => lo + i);
    const x: number[] = [];
    const means = rows.map((r) => idx.reduce((a, i) => a + r[i], 0) / len);
    const vars = rows.map((r, k) => idx.reduce((a, i) => a + (r[i] - means[k]) ** 2, 0) / len);
    x.push(...means.map(clipLogAbs), ...vars.map(clipLogAbs));
    for (const r of [rows[0], rows[1]]) {
      x.push(clipLogAbs(Math.sqrt(idx.reduce((a, i) => a + r[i] * r[i], 0))));
    }
    x.push(...means.map(Math.sign), Math.log(len) - 1, ...fromRnn);
    assert.equal(x.length, fin);
    const hs = h[s];
    const z = hs.map((_, i) => sig(inPart(0, i, x) + recPart(0, i, hs)));
    const rh = hs.map((v, i) => sig(inPart(1, i, x) + recPart(1, i, hs)) * v);
    const next = hs.map((v, i) => v + z[i] * (Math.tanh(inPart(2, i, x) + recPart(2, i, rh)) - v));
    return {
      h: next,
      context: affine(lopt, theta, "ctx_w", next),
      logScale: affine(lopt, theta, "scale_w", next)[0],
      normalized: rows.map((r) => {
        const ms = idx.reduce((a, i) => a + r[i] * r[i], 0) / len;
        return idx.map((i) => r[i] / Math.sqrt(1e-5 + ms));
      }),
    };
  });
  const tau = LOPT_TIMESCALES.map((s) => Math.tanh(t / s - 1));
  const params: number[] = [], hRows: number[][] = Array.from({ length: R }, () => []);
  segments.forEach((len, s) => {
    const pt = perTensor[s];
    for (let i = 0; i < len; i++) {
      let act = [...pt.normalized.map((r) => r[i]), ...tau, ...pt.context];
      for (let l = 1; l <= o.layers + 1; l++) {
        const z = affine(lopt, theta, `w${l}`, act);
        act = l <= o.layers ? z.map((v) => Math.max(0, v)) : z;
      }
      const step = act[0] * Math.exp(act[1] * o.expMult) * o.stepMult * Math.exp(pt.logScale);
      params.push(p[starts[s] + i] - step);
      pt.h.forEach((v, j) => hRows[j].push(v));
    }
  });
  return { params, state: [...mom.flat(), ...hRows.flat()] };
}

Deno.test("hierarchicalLopt: two updates match the f64 host model (two particles, two tensors)", async () => {
  const lopt = hierarchicalLopt({
    hidden: 5,
    layers: 2,
    rnnHidden: 3,
    context: 2,
    stepMult: 0.1,
    expMult: 0.5,
  });
  const R = 3, rows = K + R, P = 2, n = 8, segments = [5, 3], D = lopt.thetaDim;
  assert.equal(HIER_TENSOR_FEATURES, 27);
  assert.equal(
    D,
    (19 + 2) * 5 + 5 + 5 * 5 + 5 + 5 * 2 + 2 + 9 * 30 + 9 * 3 + 9 + 2 * 3 + 2 + 3 + 1,
  );
  const thetas = [randn(1, D, 0.4), randn(2, D, 0.4)];
  let p = randn(3, P * n);
  // random momenta, zero RNN state (as at the start of training)
  const m0 = randn(4, P * rows * n, 0.1);
  let state = m0.map((v, i) => Math.floor(i / n) % rows < K ? v : 0);
  const iters = [0, 17];
  const thetaT = tensor(Float32Array.from([...thetas[0], ...thetas[1]]), { shape: [P, D] });
  for (let step = 0; step < 2; step++) {
    const g = randn(10 + step, P * n, 0.3);
    const out = scope(() =>
      lopt.update({
        theta: thetaT,
        params: tensor(p, { shape: [P, n] }),
        grads: tensor(g, { shape: [P, n] }),
        state: tensor(state, { shape: [P, rows, n] }),
        iteration: tensor(Float32Array.from(iters, (t) => t + step)),
        segments,
      })
    );
    const [gotP, gotS, gotStep] = await Promise.all([
      out.params.read(),
      out.state.read(),
      out.step.read(),
    ]);
    dispose(out);
    for (let q = 0; q < P; q++) {
      const ref = hostUpdate(
        lopt,
        thetas[q],
        p.subarray(q * n, (q + 1) * n),
        g.subarray(q * n, (q + 1) * n),
        state.subarray(q * rows * n, (q + 1) * rows * n),
        iters[q] + step,
        segments,
      );
      const tol = { atol: 1e-5, rtol: 1e-4 };
      assertClose(gotP.subarray(q * n, (q + 1) * n), ref.params, tol, `step ${step} params`);
      assertClose(gotS.subarray(q * rows * n, (q + 1) * rows * n), ref.state, tol, "state");
      const steps = ref.params.map((v, i) => p[q * n + i] - v);
      assertClose(gotStep.subarray(q * n, (q + 1) * n), steps, tol, "step");
    }
    p = Float32Array.from(gotP);
    state = Float32Array.from(gotS);
  }
  // the second step used a non-zero RNN state, different per tensor
  const h0 = state[K * n], h1 = state[K * n + 5];
  assert.ok(h0 !== 0 && h1 !== 0 && h0 !== h1, `per-tensor hidden states ${h0}, ${h1}`);
  thetaT.dispose();
});

Deno.test("hierarchicalLopt: TBPTT meta-gradient through the RNN state matches finite differences", async () => {
  // a smooth inner problem whose 6 weights are declared as two tensors, so the gradient flows
  // through two RNN states and the across-tensor mean
  const family = { ...linearRegressionFamily({ dim: 6, batch: 8 }), segments: [4, 2] };
  const lopt = hierarchicalLopt({
    hidden: 4,
    layers: 1,
    rnnHidden: 3,
    context: 2,
    stepMult: 0.05,
  });
  const sys = learnedOptimizerSystem(family, lopt, { horizon: 10 });
  const theta0 = lopt.initThetaHost(3);
  // the log-step-scale readout starts at 0; give it weight so its gradient path is exercised
  const scaleW = lopt.layout.find((s) => s.name === "scale_w")!;
  theta0.set(randn(8, 3, 0.3), scaleW.offset);
  const dir = randn(9, lopt.thetaDim);
  // summed per-step meta-loss of 2 particles over 5 inner steps from a fresh state, through the
  // truncation runner TBPTT differentiates
  const clock = new EpisodeClock(10, new Int32Array(2));
  const plan = clock.plan(5);
  const unrollLoss = (th: Tensor): Tensor => {
    const rows = broadcastTheta(th, 2);
    const s0 = sys.init(rows, { particles: 2, replicas: 1, key: key(0) });
    return sum(runTruncation(sys, rows, s0, plan, { key: key(1), replicas: 1 }).losses);
  };
  const g = await scope(() => grad(unrollLoss)(tensor(theta0))).read();
  const directional = Array.from(g).reduce((a, v, i) => a + v * dir[i], 0);
  // small enough not to cross a kink of the optimizer (MLP ReLUs, clipped features)
  const eps = 5e-4;
  const lossAt = (sign: number) =>
    scope(() => unrollLoss(tensor(Float32Array.from(theta0, (v, i) => v + sign * eps * dir[i]))))
      .item();
  const fd = ((await lossAt(1)) - (await lossAt(-1))) / (2 * eps);
  assert.ok(
    Math.abs(fd - directional) <= 0.01 * Math.abs(fd) + 1e-4,
    `autodiff ${directional} vs finite differences ${fd}`,
  );
  // the RNN's recurrent weights get a gradient only through the state carried across steps
  const u = lopt.layout.find((s) => s.name === "rnn_u")!;
  assert.ok(g.subarray(u.offset, u.offset + 27).some((v) => v !== 0), "rnn_u has a gradient");
  clock.dispose();
});

Deno.test("hierarchicalLopt: typed errors name the bad option or input", () => {
  assert.throws(() => hierarchicalLopt({ rnnHidden: 0 }), InvalidArgumentError);
  assert.throws(() => hierarchicalLopt({ rnnHidden: 0 }), /option rnnHidden = 0/);
  assert.throws(() => hierarchicalLopt({ context: 1.5 }), /option context = 1.5/);
  assert.throws(() => hierarchicalLopt({ stepMult: -1 }), /option stepMult = -1/);
  assert.throws(() => hierarchicalLopt({ rnnHiden: 4 } as never), /rnnHiden not recognised/);
  const lopt = hierarchicalLopt({ hidden: 4, layers: 1, rnnHidden: 3, context: 2 });
  const base = {
    theta: tensor(new Float32Array(lopt.thetaDim), { shape: [1, lopt.thetaDim] }),
    params: tensor([[1, 2, 3]]),
    grads: tensor([[1, 2, 3]]),
    state: tensor(new Float32Array(9 * 3), { shape: [1, 9, 3] }),
    iteration: tensor([0]),
  };
  const bad = (patch: Record<string, unknown>, re: RegExp) =>
    assert.throws(() => lopt.update({ ...base, ...patch }), (e: Error) => {
      assert.ok(e instanceof ShapeError, `${e.name}: ${e.message}`);
      assert.match(e.message, re);
      return true;
    });
  bad({ state: base.grads }, /state \(6 momenta \+ 3 RNN units\) must be \[1, 9, 3\]/);
  bad({ theta: base.grads }, /theta must be \[P, \d+\]/);
  bad({ grads: tensor([[1, 2]]) }, /grads \[1,2\] must match params \[1,3\]/);
  bad({ segments: [2, 2] }, /segments must be positive integers summing to n = 3/);
  bad({ iteration: tensor([0, 1]) }, /iteration must be \[1\]/);
  bad({ params: tensor([1, 2, 3]) }, /params must be \[1, n\]/);
  dispose(base);
});

Deno.test("lopt-train hier: a short TBPTT meta-training beats its initialization on held-out problems", async () => {
  const config = loptTrain.schema.parse({
    ...loptTrain.presets.quick,
    optimizers: ["hier"],
    hidden: 16,
    layers: 1,
    hierRnnHidden: 8,
    hierContext: 4,
    horizon: 30,
    particles: 8,
    iterations: 15,
    metaLr: 0.01,
    readEvery: 5,
    tuneTasks: 16,
    testTasks: 64,
    adamLrs: [0.3],
    sgdLrs: [0.03],
    oodAdamLrs: [1],
    oodSgdLrs: [3],
  });
  const r = await loptTrain.run(config, quietContext(0));
  validateMetrics(r.metrics); // what the runner checks before writing metrics.json
  const m = r.metrics as Record<string, number>;
  // held-out problems come from a key meta-training never used; seeds 0-2 gained 2.2-3.0
  assert.ok(
    m.hier_test_mean_log_loss < m.hier_init_test_mean_log_loss - 1,
    `meta-trained ${m.hier_test_mean_log_loss} vs initial ${m.hier_init_test_mean_log_loss}`,
  );
  assert.ok(m.hier_meta_loss_last < m.hier_meta_loss_first, "meta-loss decreases");
  assert.equal(m.hier_meta_skipped, 0);
  assert.ok(Number.isFinite(m.hier_momentum_effective_beta));
  assert.ok(Number.isFinite(m.ood_hier_test_mean_log_loss), "two-moons (4 tensors) evaluated");
  const rows = r.tables![0].table.objects() as { optimizer: string }[];
  assert.ok(rows.some((row) => row.optimizer.startsWith("Hierarchical: per-tensor GRU")));
  assert.ok(r.notes?.some((note) => note.startsWith("HIER reverse engineering")));
});
