/**
 * `nngp-mnist`: infinite versus finite fully connected networks on MNIST (Lee et al. 2020,
 * "Finite Versus Infinite Neural Networks: an Empirical Study", sections 3-4, at small scale).
 *
 * Steps: (1) NNGP and NTK test accuracy/MSE of FC networks (depth 1-3, ReLU and Erf) by exact
 * inference, with and without ZCA whitening; (2) finite networks of the reference architecture
 * at several widths, NTK and standard parameterization, trained by gradient descent (or SGD) as
 * ensembles, plain and centred (`f(theta) - f(theta_0)`, trained from the same initialization),
 * reporting single-network and ensemble-averaged accuracy, next to the infinite-width ensemble
 * at the same training time; (3) a diagReg sweep next to the test
 * accuracy along the gradient-descent trajectory (regularization as early stopping); (4) the f32
 * and df64 (GPU Cholesky) versus f64 (host) solves as the training set grows.
 *
 * @example
 * ```ts
 * import { nngpMnist } from "./nngp_mnist.ts";
 * console.log(nngpMnist.name, nngpMnist.keyMetric); // "nngp-mnist" "nngp_acc"
 * ```
 * @module
 */
import * as aq from "arquero";
import { z } from "zod";
import { NotPositiveDefiniteError } from "../../errors.ts";
import { dispose, random, runtime, scope, slice } from "../../gpu/mod.ts";
import type { Experiment, ExperimentResult, MetricValue } from "../../report/experiment.ts";
import { inputKernel, type Kernel } from "../kernel.ts";
import { gpInference, gradientDescentMseEnsemble } from "../predict.ts";
import type { Layer } from "../stax/layer.ts";
import { standardizeRows, zcaWhiten } from "../zca.ts";
import { ARCHITECTURES, compareArchitectures, fcNet } from "./architecture_comparison.ts";
import { trainFiniteEnsemble } from "./finite_training.ts";
import { accuracy, loadMnistInputs, meanSquaredError } from "./mnist_inputs.ts";

const schema = z.strictObject({
  /** Training examples (the kernel matrices are trainSize x trainSize). */
  trainSize: z.number().int().min(20).max(9000).default(2000),
  /** Test examples. */
  testSize: z.number().int().min(10).max(5000).default(1000),
  /** 1: 28x28 inputs; 2: 2x2 average pooling to 14x14 (4x cheaper). */
  pool: z.union([z.literal(1), z.literal(2)]).default(1),
  /** Hidden-layer counts of the kernel grid. */
  depths: z.array(z.number().int().min(1).max(8)).min(1).default([1, 2, 3]),
  /** Activations of the kernel grid. */
  activations: z.array(z.enum(["relu", "erf"])).min(1).default(["relu", "erf"]),
  /** Weight standard deviation of every Dense layer. */
  wStd: z.number().positive().default(1.5),
  /** Bias standard deviation of every Dense layer. */
  bStd: z.number().nonnegative().default(0.05),
  /** Regularizer of the kernel grid, relative to the mean diagonal. */
  diagReg: z.number().nonnegative().default(1e-4),
  /** Solve precision of the kernel grid: "f64" (host), "df64" (GPU double-float) or "f32" (GPU). */
  precision: z.enum(["f32", "df64", "f64"]).default("f64"),
  /** ZCA regularizer, relative to the mean eigenvalue of the input covariance. */
  zcaReg: z.number().nonnegative().default(0.1),
  /** Extra ZCA regularizers tried on the reference architecture (reported, not selected). */
  zcaRegSweep: z.array(z.number().nonnegative()).default([0.01, 1, 10]),
  /** Hidden layers of the reference architecture (headline metrics and finite networks). */
  refDepth: z.number().int().min(1).max(8).default(1),
  /** Activation of the reference architecture. */
  refActivation: z.enum(["relu", "erf"]).default("relu"),
  /** diagReg values of the regularization sweep (relative to the mean diagonal). */
  diagRegSweep: z.array(z.number().positive()).min(1).default([
    1e-6,
    1e-5,
    1e-4,
    1e-3,
    1e-2,
    1e-1,
    1,
  ]),
  /** Eigendecomposition of the NTK for finite-time predictions: "host" (f64) or "gpu" (f32 Jacobi). */
  eigh: z.enum(["host", "gpu"]).default("host"),
  /** Training times (in steps) of the gradient-descent trajectory, log-spaced up to this. */
  maxTime: z.number().positive().default(1e6),
  /** Hidden widths of the finite networks. */
  widths: z.array(z.number().int().min(1).max(65536)).min(1).default([64, 256, 1024]),
  /** Parameterizations of the finite networks. */
  parameterizations: z.array(z.enum(["ntk", "standard"])).min(1).default(["ntk", "standard"]),
  /** Ensemble members per width (trained together). */
  members: z.number().int().min(1).max(64).default(8),
  /** Training steps of the finite networks. */
  steps: z.number().int().min(1).max(1_000_000).default(2000),
  /** Minibatch size (0: full-batch gradient descent). */
  batchSize: z.number().int().min(0).default(0),
  /** Also train centred networks f(theta) - f(theta_0) (Lee et al. 2020) at every width. */
  centered: z.boolean().default(true),
  /** Learning rate as a fraction of the critical rate 2 m / lambda_max(analytic NTK). */
  lrFraction: z.number().positive().max(1).default(0.5),
  /** Training sizes of the f32-vs-f64 comparison (each <= trainSize). */
  precisionSizes: z.array(z.number().int().min(10)).min(1).default([250, 500, 1000, 2000]),
  /** diagReg of the f32-vs-f64 comparison (0: none, where float32 breaks first). */
  precisionDiagReg: z.number().nonnegative().default(0),
  /** Relative difference of test means below which f32 "agrees" with f64. */
  agreeTol: z.number().positive().default(1e-2),
  /**
   * Training examples of the fully connected vs CNN-VEC vs CNN-GAP kernel comparison (the first
   * of the split; 0 skips it). The CNN-VEC kernel costs H*W times the fully connected one, the
   * CNN-GAP kernel (H*W)^2 times.
   */
  cnnTrainSize: z.number().int().min(0).max(9000).default(1000),
  /** Architectures of the comparison: fully connected, CNN-VEC, CNN-GAP (the costliest). */
  cnnArchitectures: z.array(z.enum(ARCHITECTURES)).min(1).default([...ARCHITECTURES]),
  /** Test examples of the architecture comparison (at most testSize: the first of the split). */
  cnnTestSize: z.number().int().min(10).max(5000).default(1000),
  /**
   * Repeat the architecture comparison on ZCA-whitened images (zcaReg; doubles its cost, most of
   * it the CNN-GAP kernels).
   */
  cnnZca: z.boolean().default(true),
  /** Pooling of the comparison's images: 1 (28x28), 2 (14x14) or 4 (7x7). */
  cnnPool: z.union([z.literal(1), z.literal(2), z.literal(4)]).default(2),
});

/** Config of `nngp-mnist` (every field has a default). */
export type NngpMnistConfig = z.infer<typeof schema>;

/** Largest eigenvalue of a symmetric PSD host matrix by power iteration. */
function lambdaMax(a: ArrayLike<number>, n: number, iters = 60): number {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let lam = 0;
  for (let it = 0; it < iters; it++) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
      w[i] = s;
    }
    lam = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
    v = w.map((x) => x / lam);
  }
  return lam;
}

/** max |a - b| / max |b|: the relative difference of two prediction matrices. */
function relMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

interface KernelBlocks {
  trainTrain: Kernel;
  testTrain: Kernel;
}

/**
 * The `nngp-mnist` experiment.
 *
 * @example
 * ```ts
 * import { nngpMnist } from "./nngp_mnist.ts";
 * console.log(nngpMnist.schema.parse({}).trainSize); // 2000
 * ```
 */
export const nngpMnist: Experiment<NngpMnistConfig> = {
  name: "nngp-mnist",
  module: "kernels_inf",
  description: "NNGP/NTK inference vs finite networks on MNIST (Lee et al. 2020)",
  claim: "Infinite-width NNGP/NTK kernels of FC networks beat finite FC networks trained by " +
    "gradient descent; the NNGP is often at least as good as the NTK; ensembling (and " +
    "centring) moves finite networks toward the kernel; diagonal regularization acts like " +
    "early stopping; ZCA whitening helps; float32 solves break down beyond a critical dataset " +
    "size where float64 keeps working.",
  schema,
  presets: {
    quick: {
      trainSize: 500,
      testSize: 500,
      pool: 2,
      widths: [32, 128],
      members: 4,
      steps: 100,
      batchSize: 100,
      precisionSizes: [100, 200, 300, 500],
      maxTime: 1e5,
      cnnTrainSize: 100,
      cnnTestSize: 200,
      cnnPool: 4,
      cnnZca: false,
    },
    full: {
      trainSize: 3000,
      testSize: 2000,
      pool: 1,
      widths: [64, 256, 1024, 4096],
      members: 8,
      steps: 3000,
      batchSize: 500,
      precision: "df64",
      precisionSizes: [500, 1000, 2000, 3000],
      cnnTestSize: 2000,
    },
  },
  keyMetric: "nngp_acc",
  async run(config, ctx): Promise<ExperimentResult> {
    const c = config;
    const t0 = performance.now();
    const sizes = c.precisionSizes.filter((n) => n <= c.trainSize);
    const metrics: Record<string, MetricValue> = {};
    const notes: string[] = [];
    const data = loadMnistInputs({
      train: c.trainSize,
      test: c.testSize,
      pool: c.pool,
      seed: ctx.seed,
    });
    const nTr = c.trainSize, nTe = c.testSize;
    ctx.log(`nngp-mnist: ${nTr} train / ${nTe} test, ${data.features} features (${ctx.adapter})`);
    const labels = data.labelsTest;
    const yTest = data.yTestHost;

    // ---- inputs: per-example standardization, and regularized ZCA --------------------------
    const xStd = { train: standardizeRows(data.xTrain), test: standardizeRows(data.xTest) };
    const zca = await zcaWhiten(data.xTrain, data.xTest, { zcaReg: c.zcaReg });
    const preps = [
      { name: "standardized", train: xStd.train, test: xStd.test },
      { name: "zca", train: zca.train, test: zca.test! },
    ];

    // ---- (1) the kernel grid -------------------------------------------------------------
    const archs = c.depths.flatMap((depth) => c.activations.map((act) => ({ depth, act })));
    const gridRows: Record<string, string | number>[] = [];
    const refKernels: Record<string, KernelBlocks> = {};
    const pGrid = ctx.progress("kernel grid", archs.length * preps.length);
    let solveMethod = "";
    let kernelMs = 0, solveMs = 0;
    for (const prep of preps) {
      // train x train with x2 = null (exact self-correlations), test x train separately
      const k0tt = inputKernel(prep.train);
      const k0te = inputKernel(prep.test, prep.train);
      for (const { depth, act } of archs) {
        if (ctx.signal.aborted) break;
        const ta = performance.now();
        const net = fcNet(depth, act, c);
        const blocks: KernelBlocks = {
          trainTrain: scope(() => net.kernelFn(k0tt) as Kernel),
          testTrain: scope(() => net.kernelFn(k0te) as Kernel),
        };
        await runtime().sync();
        const tb = performance.now();
        const r = await gpInference({
          kTrainTrain: { nngp: blocks.trainTrain.nngp, ntk: blocks.trainTrain.ntk },
          kTestTrain: { nngp: blocks.testTrain.nngp, ntk: blocks.testTrain.ntk },
          yTrain: data.yTrain,
        }, { diagReg: c.diagReg, precision: c.precision });
        solveMethod = r.method;
        const [mn, mt] = await Promise.all([r.nngp!.mean.read(), r.ntk!.mean.read()]);
        dispose([r.nngp!.mean, r.ntk!.mean]);
        kernelMs += tb - ta;
        solveMs += performance.now() - tb;
        gridRows.push({
          inputs: prep.name,
          depth,
          activation: act,
          nngp_acc: accuracy(mn, labels),
          ntk_acc: accuracy(mt, labels),
          nngp_mse: meanSquaredError(mn, yTest),
          ntk_mse: meanSquaredError(mt, yTest),
        });
        const isRef = depth === c.refDepth && act === c.refActivation;
        if (isRef) refKernels[prep.name] = blocks;
        else {dispose(
            [blocks.trainTrain, blocks.testTrain].flatMap((b) => [b.nngp, b.ntk, b.cov1, b.cov2]),
          );}
        pGrid.tick();
      }
      dispose([k0tt, k0te].flatMap((k) => [k.nngp, k.cov1, k.cov2]));
    }
    pGrid.done();
    const refRow = (prep: string) =>
      gridRows.find((r) =>
        r.inputs === prep && r.depth === c.refDepth && r.activation === c.refActivation
      );
    const ref = refRow("standardized"), refZ = refRow("zca");
    if (!ref || !refZ || !refKernels.standardized) {
      throw new Error(
        `nngp-mnist: the reference architecture (depth ${c.refDepth}, ${c.refActivation}) must ` +
          `be part of the grid (depths ${c.depths}, activations ${c.activations})`,
      );
    }
    metrics.nngp_acc = ref.nngp_acc as number;
    metrics.ntk_acc = ref.ntk_acc as number;
    metrics.nngp_mse = ref.nngp_mse as number;
    metrics.ntk_mse = ref.ntk_mse as number;
    metrics.zca_nngp_acc = refZ.nngp_acc as number;
    metrics.zca_ntk_acc = refZ.ntk_acc as number;
    metrics.zca_gain = (refZ.nngp_acc as number) - (ref.nngp_acc as number);
    metrics.zca_gain_ntk = (refZ.ntk_acc as number) - (ref.ntk_acc as number);
    const mainGrid = gridRows.length;
    const nngpGe = gridRows.filter((r) => (r.nngp_acc as number) >= (r.ntk_acc as number)).length;
    // ZCA regularizer sweep on the reference architecture (the grid used zcaReg).
    for (const zr of c.zcaRegSweep) {
      if (ctx.signal.aborted) break;
      const w = await zcaWhiten(data.xTrain, data.xTest, { zcaReg: zr });
      const net = fcNet(c.refDepth, c.refActivation, c);
      const ktt = net.kernel(w.train), kte = net.kernel(w.test!, w.train);
      const r = await gpInference({
        kTrainTrain: { nngp: ktt.nngp, ntk: ktt.ntk },
        kTestTrain: { nngp: kte.nngp, ntk: kte.ntk },
        yTrain: data.yTrain,
      }, { diagReg: c.diagReg, precision: c.precision });
      const [mn, mt] = await Promise.all([r.nngp!.mean.read(), r.ntk!.mean.read()]);
      gridRows.push({
        inputs: `zca(${zr})`,
        depth: c.refDepth,
        activation: c.refActivation,
        nngp_acc: accuracy(mn, labels),
        ntk_acc: accuracy(mt, labels),
        nngp_mse: meanSquaredError(mn, yTest),
        ntk_mse: meanSquaredError(mt, yTest),
      });
      dispose([w, ktt, kte, r.nngp!.mean, r.ntk!.mean]);
    }
    const zcaRows = gridRows.filter((r) =>
      String(r.inputs).startsWith("zca") && r.depth === c.refDepth &&
      r.activation === c.refActivation
    );
    metrics.zca_gain_best = Math.max(...zcaRows.map((r) => r.nngp_acc as number)) -
      (ref.nngp_acc as number);
    metrics.best_kernel_acc = Math.max(
      ...gridRows.flatMap((r) => [r.nngp_acc as number, r.ntk_acc as number]),
    );
    metrics.nngp_ge_ntk_fraction = nngpGe / mainGrid;
    metrics.solve_method = solveMethod;
    metrics.kernel_seconds = kernelMs / 1000;
    metrics.solve_seconds = solveMs / 1000;

    // ---- (3) regularization vs early stopping on the reference NTK ------------------------
    const rk = refKernels.standardized;
    // One eigendecomposition of the NTK serves the diagReg sweep and every training time.
    const ens = await gradientDescentMseEnsemble({
      kTrainTrain: { ntk: rk.trainTrain.ntk },
      kTestTrain: { ntk: rk.testTrain.ntk },
      yTrain: data.yTrain,
    }, { learningRate: 1, get: ["ntk"], eigh: c.eigh });
    const eigNtk = ens.eigen.ntk!;
    const lamMax = eigNtk.values[nTr - 1];
    const meanDiag = eigNtk.values.reduce((s, v) => s + v, 0) / nTr;
    const m = nTr * 10;
    const lrCrit = (2 * m) / lamMax;
    const regRows: Record<string, string | number>[] = [];
    let eighMethod = "";
    for (const dr of c.diagRegSweep) {
      const r = await ens.predict(Infinity, { diagReg: dr });
      eighMethod = r.method;
      const g = await gpInference({
        kTrainTrain: { nngp: rk.trainTrain.nngp },
        kTestTrain: { nngp: rk.testTrain.nngp },
        yTrain: data.yTrain,
      }, { diagReg: dr, precision: "f64" });
      const [mn, mt] = await Promise.all([g.nngp!.mean.read(), r.ntk!.mean.read()]);
      dispose([g.nngp!.mean, r.ntk!.mean]);
      regRows.push({
        kind: "diagReg",
        value: dr,
        ridge_rel: dr,
        nngp_acc: accuracy(mn, labels),
        ntk_acc: accuracy(mt, labels),
        ntk_mse: meanSquaredError(mt, yTest),
      });
    }
    // GD with the largest stable rate lr = lrFraction * lrCrit: time in steps; a mode lambda is
    // fitted once lr lambda t / m ~ 1, i.e. an effective ridge of m / (lr t) (relative: / meanDiag)
    const lrGd = c.lrFraction * lrCrit;
    const times: number[] = [];
    for (let i = 0; i <= 12; i++) times.push(Math.round(10 ** ((i / 12) * Math.log10(c.maxTime))));
    const timeRows: Record<string, string | number>[] = [];
    // The solution depends on lr * t only, so the lr = 1 predictor at time lrGd * t serves.
    for (const t of [...new Set(times)]) {
      const r = await ens.predict(lrGd * t);
      const mt = await r.ntk!.mean.read();
      r.ntk!.mean.dispose();
      timeRows.push({
        kind: "early stopping",
        value: t,
        ridge_rel: m / (lrGd * t) / meanDiag,
        nngp_acc: NaN,
        ntk_acc: accuracy(mt, labels),
        ntk_mse: meanSquaredError(mt, yTest),
      });
    }
    const bestReg = regRows.reduce((a, b) => (b.ntk_acc > a.ntk_acc ? b : a));
    const bestTime = timeRows.reduce((a, b) => (b.ntk_acc > a.ntk_acc ? b : a));
    metrics.diag_reg_best = bestReg.value as number;
    metrics.diag_reg_best_ntk_acc = bestReg.ntk_acc as number;
    metrics.early_stop_best_steps = bestTime.value as number;
    metrics.early_stop_best_ntk_acc = bestTime.ntk_acc as number;
    metrics.early_stop_best_ridge_rel = bestTime.ridge_rel as number;
    metrics.eigh_method = eighMethod;

    // ---- (2) finite networks -------------------------------------------------------------
    const finiteRows: Record<string, string | number>[] = [];
    const pFin = ctx.progress("finite networks", c.parameterizations.length * c.widths.length);
    const key = random.key(ctx.seed);
    let fi = 0;
    // Trains one ensemble and scores its members (mean single accuracy) and their average.
    const trainAndScore = async (net: Layer, lr: number, k: random.Key, centered: boolean) => {
      const r = trainFiniteEnsemble(net, xStd.train, data.yTrain, xStd.test, {
        members: c.members,
        steps: c.steps,
        lr,
        batchSize: c.batchSize,
        centered,
        key: k,
        signal: ctx.signal,
      });
      const [out, trOut] = await Promise.all([r.testOut.read(), r.trainOut.read()]);
      dispose([r.testOut, r.testOut0, r.trainOut]);
      const E = c.members, sz = nTe * 10;
      let accSum = 0, trAcc = 0;
      const avg = new Float32Array(sz);
      for (let e = 0; e < E; e++) {
        const o = out.subarray(e * sz, (e + 1) * sz);
        accSum += accuracy(o, labels);
        for (let i = 0; i < sz; i++) avg[i] += o[i] / E;
        trAcc += accuracy(trOut.subarray(e * nTr * 10, (e + 1) * nTr * 10), data.labelsTrain) / E;
      }
      return {
        steps: r.steps,
        trainAcc: trAcc,
        singleAcc: accSum / E,
        ensembleAcc: accuracy(avg, labels),
        ensembleMse: meanSquaredError(avg, yTest),
      };
    };
    const tFin = performance.now();
    const inf = await ens.predict(lrGd * c.steps);
    const infAtT = await inf.ntk!.mean.read();
    inf.ntk!.mean.dispose();
    metrics.infinite_at_steps_acc = accuracy(infAtT, labels);
    for (const param of c.parameterizations) {
      for (const width of c.widths) {
        if (ctx.signal.aborted) break;
        const net = fcNet(c.refDepth, c.refActivation, c, width, param);
        // Learning rate from this network's own analytic NTK (the standard-parameterization
        // NTK grows with width).
        let lr = lrGd;
        if (param === "standard") {
          const th = scope(() => net.kernel(xStd.train).ntk!);
          const lm = lambdaMax(await th.read(), nTr);
          th.dispose();
          lr = c.lrFraction * (2 * m) / lm;
        }
        const ta = performance.now();
        // Plain and centred ensembles start from the same initialization (same key).
        const kRun = random.foldIn(key, fi++);
        const plain = await trainAndScore(net, lr, kRun, false);
        const cen = c.centered ? await trainAndScore(net, lr, kRun, true) : null;
        finiteRows.push({
          parameterization: param,
          width,
          lr,
          steps: plain.steps,
          train_acc: plain.trainAcc,
          single_acc: plain.singleAcc,
          ensemble_acc: plain.ensembleAcc,
          ensemble_mse: plain.ensembleMse,
          centered_train_acc: cen ? cen.trainAcc : NaN,
          centered_acc: cen ? cen.singleAcc : NaN,
          centered_ensemble_acc: cen ? cen.ensembleAcc : NaN,
          centered_ensemble_mse: cen ? cen.ensembleMse : NaN,
          seconds: (performance.now() - ta) / 1000,
        });
        pFin.tick();
      }
    }
    pFin.done();
    metrics.finite_seconds = (performance.now() - tFin) / 1000;
    const best = (f: string) => Math.max(...finiteRows.map((r) => r[f] as number));
    metrics.best_finite_acc = best("single_acc");
    metrics.ensemble_acc = best("ensemble_acc");
    if (c.centered) {
      metrics.best_centered_acc = best("centered_acc");
      metrics.centered_ensemble_acc = best("centered_ensemble_acc");
    }
    metrics.kernel_minus_finite = Math.max(metrics.nngp_acc, metrics.ntk_acc) -
      metrics.best_finite_acc;

    // ---- (4) f32 and df64 (GPU) vs f64 (host) solves as the training set grows ------------
    const precRows: Record<string, string | number>[] = [];
    let maxAgree = 0, df64MaxDiff = 0;
    for (const n of sizes) {
      if (ctx.signal.aborted) break;
      const kk = scope(() => ({
        tt: slice(rk.trainTrain.nngp, [[0, n], [0, n]]),
        te: slice(rk.testTrain.nngp, [null, [0, n]]),
        y: slice(data.yTrain, [[0, n]]),
      }));
      const inp = { kTrainTrain: { nngp: kk.tt }, kTestTrain: { nngp: kk.te }, yTrain: kk.y };
      const o = { diagReg: c.precisionDiagReg, get: ["nngp"] as ("nngp" | "ntk")[] };
      const r64 = await gpInference(inp, { ...o, precision: "f64" }).catch((e) => e as Error);
      const r32 = await gpInference(inp, { ...o, precision: "f32" }).catch((e) => e as Error);
      const rdf = await gpInference(inp, { ...o, precision: "df64" }).catch((e) => e as Error);
      const [m64, m32, mdf] = await Promise.all(
        [r64, r32, rdf].map((r) => r instanceof Error ? null : r.nngp!.mean.read()),
      );
      const diff = m64 && m32 ? relMaxDiff(m32, m64) : NaN;
      const diffDf = m64 && mdf ? relMaxDiff(mdf, m64) : NaN;
      // a df64 failure where f64 succeeded counts as an infinite difference
      if (m64) df64MaxDiff = Math.max(df64MaxDiff, mdf ? diffDf : Infinity);
      const agree = m32 !== null && diff < c.agreeTol;
      if (agree && m64) maxAgree = Math.max(maxAgree, n);
      const status = (r: unknown) =>
        r instanceof NotPositiveDefiniteError
          ? "not positive definite"
          : r instanceof Error
          ? r.name
          : "ok";
      precRows.push({
        n,
        f64_acc: m64 ? accuracy(m64, labels) : NaN,
        f32_acc: m32 ? accuracy(m32, labels) : NaN,
        df64_acc: mdf ? accuracy(mdf, labels) : NaN,
        f32_status: status(r32),
        df64_status: status(rdf),
        f64_status: status(r64),
        rel_max_diff: diff,
        df64_rel_max_diff: diffDf,
        agree: agree ? "yes" : "no",
      });
      for (const r of [r64, r32, rdf]) if (!(r instanceof Error)) r.nngp!.mean.dispose();
      dispose(kk);
    }
    metrics.f32_vs_precise_max_n = maxAgree;
    metrics.df64_vs_f64_max_rel_diff = df64MaxDiff;
    metrics.precision_diag_reg = c.precisionDiagReg;

    // ---- (5) fully connected vs CNN-VEC kernels ---------------------------------------------
    const archCmp = c.cnnTrainSize > 0 && !ctx.signal.aborted
      ? await compareArchitectures({
        ...c,
        cnnTrainSize: Math.min(c.cnnTrainSize, nTr),
        cnnTestSize: Math.min(c.cnnTestSize, nTe),
      }, ctx)
      : null;
    if (archCmp) Object.assign(metrics, archCmp.metrics);
    dispose(
      [rk, refKernels.zca].flatMap((b) =>
        b ? [b.trainTrain, b.testTrain].flatMap((x) => [x.nngp, x.ntk, x.cov1, x.cov2]) : []
      ),
    );
    dispose([xStd.train, xStd.test, zca.train, zca.test, zca.whitening]);
    dispose([data.xTrain, data.xTest, data.yTrain]);
    metrics.compute_seconds = (performance.now() - t0) / 1000;

    // ---- notes on the claims -------------------------------------------------------------
    const kBest = Math.max(metrics.nngp_acc, metrics.ntk_acc);
    notes.push(
      `Reference architecture: ${c.refDepth} hidden layer(s), ${c.refActivation}, W_std ${c.wStd}, ` +
        `b_std ${c.bStd}; kernels use diagReg ${c.diagReg} (relative to the mean diagonal), ` +
        `solved by ${solveMethod}. Inputs: per-example standardized` +
        (c.pool === 2 ? ", 2x2 average-pooled to 14x14 (quick preset)" : "") + ".",
      `Finite networks: ${c.batchSize ? `SGD, minibatch ${c.batchSize}` : "full-batch GD"}, ` +
        `${c.steps} steps, reaching training accuracy up to ${fmt(best("train_acc"))}` +
        (c.centered ? ` (centred: ${fmt(best("centered_train_acc"))})` : "") +
        (best("train_acc") < 0.95
          ? "; plain networks are far from converged: they must first fit away their random " +
            "initial function f_0, which centring removes."
          : "."),
      `Kernels vs finite networks: best kernel accuracy ${fmt(kBest)} vs best single finite ` +
        `network ${fmt(metrics.best_finite_acc)} (${
          kBest >= metrics.best_finite_acc ? "claim holds" : "claim does NOT hold here"
        }); ensembles reach ${fmt(metrics.ensemble_acc)}` +
        (c.centered
          ? `, centred networks ${fmt(metrics.best_centered_acc as number)} (single) and ` +
            `${fmt(metrics.centered_ensemble_acc as number)} (ensemble)`
          : "") +
        `; the infinite-width ensemble after the same ${c.steps} steps reaches ` +
        `${fmt(metrics.infinite_at_steps_acc as number)}.`,
      `NNGP >= NTK in ${nngpGe} of ${mainGrid} grid cells (architecture x inputs).`,
      `ZCA (zcaReg ${c.zcaReg}) changes reference NNGP accuracy by ${fmt(metrics.zca_gain)} ` +
        `(NTK ${fmt(metrics.zca_gain_ntk as number)}); the best of zcaReg ` +
        `${[c.zcaReg, ...c.zcaRegSweep].join(", ")} changes it by ` +
        `${fmt(metrics.zca_gain_best as number)} (selected on the test set: optimistic). ` +
        (metrics.zca_gain > 0 ? "ZCA helps here." : "ZCA does NOT help here (the paper's gains " +
          "were largest on CIFAR-10)."),
      `Regularization vs early stopping: best diagReg ${bestReg.value} gives NTK accuracy ` +
        `${fmt(bestReg.ntk_acc as number)}; the best stopping time ${bestTime.value} steps ` +
        `(lr ${lrGd.toPrecision(3)} = ${c.lrFraction} x critical) gives ` +
        `${fmt(bestTime.ntk_acc as number)} at an effective relative ridge ` +
        `${(bestTime.ridge_rel as number).toPrecision(2)}.`,
      `float32 vs float64 (diagReg ${c.precisionDiagReg}): f32 agrees (relative test-mean ` +
        `difference < ${c.agreeTol}) up to n = ${maxAgree} of sizes ${sizes.join(", ")}; the ` +
        `GPU double-float (df64) solve and test-kernel product stay within ` +
        `${df64MaxDiff.toPrecision(2)} of f64 at every size.`,
      "Finite networks are trained as ensembles sharing one batched pass; single_acc averages " +
        "the members' accuracies, ensemble_acc scores their averaged outputs. Centred networks " +
        "f(theta) - f(theta_0) (Lee et al. 2020) are trained from the same initializations " +
        "(gradient descent on per-member targets y + f(x; theta_0)); centring removes the " +
        "random initial function, the variance that ensembling averages away, so both move " +
        "finite networks toward the infinite-width (kernel) prediction at the same time.",
    );
    if (archCmp) notes.push(archCmp.note);
    return {
      metrics,
      tables: [
        {
          name: "kernels",
          title: "NNGP / NTK test accuracy and MSE by architecture",
          table: aq.from(gridRows),
        },
        {
          name: "finite",
          title: "Finite networks by width and parameterization",
          table: aq.from(finiteRows),
        },
        {
          name: "regularization",
          title: "diagReg sweep and gradient-descent time (NTK)",
          table: aq.from([...regRows, ...timeRows]),
        },
        {
          name: "precision",
          title: "float32 and double-float (GPU) vs float64 (host) NNGP solves",
          table: aq.from(precRows),
        },
        ...(archCmp
          ? [{
            name: "architectures",
            title: "Fully connected vs CNN-VEC vs CNN-GAP kernels (same subset and images)",
            table: aq.from(archCmp.rows),
          }]
          : []),
      ],
      charts: charts(
        gridRows,
        finiteRows,
        regRows,
        timeRows,
        precRows,
        kBest,
        metrics.infinite_at_steps_acc as number,
        archCmp?.rows ?? [],
      ),
      notes,
    };
  },
};

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}

function charts(
  grid: Record<string, string | number>[],
  finite: Record<string, string | number>[],
  regs: Record<string, string | number>[],
  times: Record<string, string | number>[],
  prec: Record<string, string | number>[],
  kernelAcc: number,
  kernelAtStepsAcc: number,
  archs: Record<string, string | number>[],
) {
  const gridLong = grid.filter((r) => r.inputs === "standardized" || r.inputs === "zca").flatMap((
    r,
  ) => [
    { arch: `${r.activation} d${r.depth}`, inputs: r.inputs, kernel: "NNGP", acc: r.nngp_acc },
    { arch: `${r.activation} d${r.depth}`, inputs: r.inputs, kernel: "NTK", acc: r.ntk_acc },
  ]);
  const finLong = finite.flatMap((r) => [
    { width: r.width, series: `single (${r.parameterization})`, acc: r.single_acc },
    { width: r.width, series: `ensemble (${r.parameterization})`, acc: r.ensemble_acc },
    { width: r.width, series: `centred (${r.parameterization})`, acc: r.centered_acc },
    {
      width: r.width,
      series: `centred ensemble (${r.parameterization})`,
      acc: r.centered_ensemble_acc,
    },
  ]).filter((r) => Number.isFinite(r.acc as number));
  const reg = [...regs, ...times].filter((r) =>
    Number.isFinite(r.ridge_rel as number) && (r.ridge_rel as number) > 0
  );
  return [
    {
      name: "kernels",
      title: "Kernel test accuracy by architecture (NNGP vs NTK, with/without ZCA)",
      spec: {
        data: { values: gridLong },
        mark: "bar",
        encoding: {
          x: { field: "arch", type: "nominal", title: "Architecture" },
          xOffset: { field: "kernel", type: "nominal" },
          y: { field: "acc", type: "quantitative", title: "Test accuracy", scale: { zero: false } },
          color: { field: "kernel", type: "nominal" },
          column: { field: "inputs", type: "nominal", title: "Inputs" },
        },
      },
    },
    {
      name: "finite-vs-kernel",
      title: "Finite networks vs width (dashed: best kernel at t = infinity; dotted: the NTK " +
        "after the same training time)",
      spec: {
        layer: [
          {
            data: { values: finLong },
            mark: { type: "line", point: true },
            encoding: {
              x: {
                field: "width",
                type: "quantitative",
                // ticks at the widths trained, no empty decades around them
                scale: { type: "log", nice: false, padding: 24 },
                axis: { values: [...new Set(finite.map((r) => r.width as number))] },
                title: "Width",
              },
              y: {
                field: "acc",
                type: "quantitative",
                title: "Test accuracy",
                scale: { zero: false },
              },
              color: {
                field: "series",
                type: "nominal",
                title: "",
                legend: { labelLimit: 400 },
              },
            },
          },
          {
            data: { values: [{ acc: kernelAcc }] },
            mark: { type: "rule", strokeDash: [6, 4], color: "black" },
            encoding: { y: { field: "acc", type: "quantitative" } },
          },
          {
            data: { values: [{ acc: kernelAtStepsAcc }] },
            mark: { type: "rule", strokeDash: [2, 2], color: "gray" },
            encoding: { y: { field: "acc", type: "quantitative" } },
          },
          {
            data: {
              values: [
                { acc: kernelAcc, label: "best kernel, t = infinity" },
                { acc: kernelAtStepsAcc, label: "NTK after the same training time" },
              ],
            },
            mark: { type: "text", align: "left", dx: 4, dy: -7, fontSize: 11, color: "#444" },
            encoding: {
              x: { value: 0 },
              y: { field: "acc", type: "quantitative" },
              text: { field: "label" },
            },
          },
        ],
      },
    },
    {
      name: "regularization",
      title: "diagReg vs early stopping: NTK test accuracy against the (effective) relative ridge",
      spec: {
        data: { values: reg },
        mark: { type: "line", point: true },
        encoding: {
          x: {
            field: "ridge_rel",
            type: "quantitative",
            scale: { type: "log" },
            title: "Relative ridge (diagReg, or m / (lr t) / mean diag)",
          },
          y: {
            field: "ntk_acc",
            type: "quantitative",
            title: "NTK test accuracy",
            scale: { zero: false },
          },
          color: { field: "kind", type: "nominal", title: "" },
        },
      },
    },
    {
      name: "precision",
      title: "GP test means of GPU solves vs host float64, as the training set grows",
      spec: {
        data: {
          values: prec.flatMap((r) => [
            { n: r.n, precision: "f32", diff: r.rel_max_diff },
            { n: r.n, precision: "df64", diff: r.df64_rel_max_diff },
          ]).filter((r) => (r.diff as number) > 0), // failed (NaN) or identical (0): no point
        },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "n", type: "quantitative", title: "Training examples" },
          y: {
            field: "diff",
            type: "quantitative",
            title: "max |mean - mean_f64| / max |mean_f64|",
            scale: { type: "log" },
            axis: { format: ".0e" },
          },
          color: { field: "precision", type: "nominal" },
        },
      },
    },
    ...(archs.length ? [architectureChart(archs)] : []),
  ];
}

/** Kernel accuracy by architecture, NNGP vs NTK, per preprocessing, with +-2 standard errors. */
function architectureChart(rows: Record<string, string | number>[]) {
  const long = rows.flatMap((r) =>
    (["nngp", "ntk"] as const).map((k) => {
      const acc = r[`${k}_acc`] as number, n = r.test as number;
      const se2 = 2 * Math.sqrt(acc * (1 - acc) / n);
      return {
        architecture: r.architecture,
        preprocessing: r.preprocessing,
        kernel: k.toUpperCase(),
        acc,
        lo: acc - se2,
        hi: acc + se2,
      };
    })
  );
  const x = { field: "architecture", type: "nominal", title: "Architecture", sort: null };
  return {
    name: "architectures",
    title: `Fully connected vs CNN-VEC vs CNN-GAP kernels (${rows[0].train} training / ` +
      `${rows[0].test} test digits at ${rows[0].inputs}; bars +-2 standard errors)`,
    spec: {
      data: { values: long },
      facet: { column: { field: "preprocessing", type: "nominal", title: "Inputs" } },
      spec: {
        layer: [
          {
            mark: "bar",
            encoding: {
              x,
              xOffset: { field: "kernel", type: "nominal" },
              y: {
                field: "acc",
                type: "quantitative",
                title: "Test accuracy",
                scale: { zero: false },
              },
              color: { field: "kernel", type: "nominal" },
            },
          },
          {
            mark: { type: "rule", color: "black" },
            encoding: {
              x,
              xOffset: { field: "kernel", type: "nominal" },
              y: { field: "lo", type: "quantitative" },
              y2: { field: "hi" },
            },
          },
        ],
      },
    },
  };
}
