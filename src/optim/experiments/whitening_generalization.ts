/**
 * `whitening-generalization`: Wadia, Duckworth, Schoenholz, Dyer & Sohl-Dickstein (ICML 2021),
 * "Whitening and second order optimization both make information in the dataset unusable during
 * training, and can reduce or prevent generalization", at small scale on MNIST.
 *
 * Setup. MNIST digits are centre-cropped to `crop` x `crop` pixels and average-pooled by `pool`,
 * giving d = (crop / pool)^2 features (the defaults keep no always-blank border pixels, so the
 * data span all d dimensions); every input is divided by one constant so that the training pool
 * has mean squared feature 1. Nothing is centred: the paper's theory is about second moments.
 * Targets are one-hot minus 0.1 (10-way regression with the squared loss). Training sets of
 * sizes n (prefixes of one seeded split, so they are nested) range across d; the test set is
 * fixed. Two models with a dense first layer, trained by full-batch gradient descent from the
 * same seeded initialization under every condition: a linear model x W, whose iterates are
 * computed exactly at steps 1, 4, 16, ... up to `linearSteps` (2^20 by default, near convergence
 * even on ill-conditioned raw inputs) by repeated squaring of the one-step map
 * (`linearLeastSquaresCheckpoints`), and a two-layer MLP act(x W1 + b1) W2 + b2 trained for
 * `mlpSteps` steps with heavy-ball momentum (updates stay combinations of gradients, so the
 * paper's premise holds), evaluated at steps 1, 2, 4, .... The learning rate is
 * `lrScale / l_max`, l_max the largest eigenvalue of the (whitened) training inputs' second
 * moment, so each condition gets its own largest stable step. Reported: test accuracy and squared
 * error after training, and the best test accuracy along training (an oracle stopping time,
 * applied alike to every condition: it shows what the optimizer could use on its way).
 *
 * Conditions. `raw` inputs; whitened inputs at each regularizer in `whitenRegs` (ZCA with
 * eps = reg * tr(C) / d; reg = 0 is full whitening, reg -> infinity is the raw data; see
 * `whitening_transform.ts`); damped Newton for the linear model at each damping in
 * `newtonDampings` (lambda = damping * tr(C) / d, 0 undamped), steps of size 1 at the same
 * checkpoints; optionally damped Gauss-Newton (matrix-free CG) for the MLP at each of
 * `gnDampings`, from the MLP's initialization.
 *
 * Whitening protocol (`whitenFit`). The paper proves its result for "the whitening transform
 * computed on the full (train+test) dataset": with n + b <= d points whitened together, their
 * Gram matrix is a multiple of the identity, so test points are orthogonal to all training points
 * and a model with a dense first layer cannot generalize. `"train+test"` (default) reproduces
 * that: the test set is split into groups of `testGroupSize` points, each group is whitened
 * together with the training set by its own transform, and one model per group is trained (all
 * groups in one batched run). Sizes with n + testGroupSize <= d are the theorem's regime. With
 * `"train"` one transform fitted on the training inputs is applied to the test inputs (common
 * practice; see `train_test_whitening.ts` for what it does to test points).
 *
 * @example
 * ```ts
 * import { whiteningGeneralization } from "./whitening_generalization.ts";
 * const c = whiteningGeneralization.schema.parse({ ...whiteningGeneralization.presets.quick });
 * console.log(whiteningGeneralization.name, c.crop / c.pool); // "whitening-generalization" 7
 * ```
 * @module
 */
import { z } from "zod";
import { parseExperimentConfig } from "../../report/config.ts";
import {
  dispose,
  type Key,
  matmul,
  mul,
  random,
  reshape,
  rsqrt,
  scope,
  sum,
  type Tensor,
  tensor,
} from "../../gpu/mod.ts";
import { loadMnistHost } from "../../nn/datasets/mnist.ts";
import { accuracy, meanSquaredError } from "../../kernels_inf/experiments/mnist_inputs.ts";
import type { Experiment, ExperimentContext, ExperimentResult } from "../../report/experiment.ts";
import { trainGaussNewton } from "../whitening/gauss_newton.ts";
import {
  applyGroupMlp,
  type GroupMlpParams,
  initGroupMlp,
  trainGroupMlp,
} from "../whitening/group_mlp.ts";
import { linearLeastSquaresCheckpoints, newtonPreconditioner } from "../whitening/linear_newton.ts";
import { whitenTrainTest } from "../whitening/train_test_whitening.ts";
import { type Row, summarize } from "./whitening_report.ts";

const MODELS = ["linear", "mlp"] as const;
const CLASSES = 10;

const schema = z.strictObject({
  /** Centre crop, pixels per side, before pooling. */
  crop: z.number().int().min(1).max(28).default(20),
  /** Average-pooling factor (must divide `crop`); d = (crop / pool)^2. */
  pool: z.number().int().min(1).max(28).default(2),
  /** Training-set sizes n (nested prefixes of one seeded split). */
  trainSizes: z.array(z.number().int().min(1).max(8000)).min(1).default([
    25,
    50,
    75,
    100,
    200,
    400,
  ]),
  /** Test-set size (a multiple of `testGroupSize` with `whitenFit: "train+test"`). */
  testSize: z.number().int().min(1).max(2000).default(1000),
  /** Whitening fit set: "train+test" (the paper's theorem) or "train". */
  whitenFit: z.enum(["train+test", "train"]).default("train+test"),
  /** Test points whitened together with the training set per transform ("train+test"). */
  testGroupSize: z.number().int().min(1).default(20),
  /** Whitening regularizers (eps = reg * tr(C) / d); 0 is full whitening. */
  whitenRegs: z.array(z.number().nonnegative().finite()).default([0, 1e-3, 1e-2, 1e-1, 1]),
  /** Models trained under every input condition (the first one gives the unprefixed metrics). */
  models: z.array(z.enum(MODELS)).min(1).default(["linear", "mlp"]),
  /** Hidden width of the MLP. */
  width: z.number().int().min(1).max(8192).default(256),
  /** Hidden activation of the MLP. */
  activation: z.enum(["relu", "tanh"]).default("relu"),
  /** First-layer weight scale: W ~ N(0, initStd^2 / d) (both models). */
  initStd: z.number().positive().default(1),
  /** Gradient-descent (and Newton) steps of the linear model, evaluated at powers of 4. */
  linearSteps: z.number().int().min(1).max(2 ** 30).default(2 ** 20),
  /** Linear-model learning rate: linearLrScale / l_max (stable below 2). */
  linearLrScale: z.number().positive().lt(2).default(1),
  /** Gradient-descent steps of the MLP, evaluated at powers of 2. */
  mlpSteps: z.number().int().min(1).max(1_000_000).default(4000),
  /** MLP learning rate: mlpLrScale / l_max. */
  mlpLrScale: z.number().positive().default(0.3),
  /** Heavy-ball momentum of the MLP's gradient descent. */
  mlpMomentum: z.number().min(0).lt(1).default(0.9),
  /** Newton dampings of the linear model (lambda = damping * tr(C) / d); 0 is undamped. */
  newtonDampings: z.array(z.number().nonnegative().finite()).default([0, 1e-3, 1e-2, 1e-1, 1, 10]),
  /** Gauss-Newton steps of the MLP on raw inputs (0: no Gauss-Newton runs). */
  gnSteps: z.number().int().min(0).max(10_000).default(16),
  /** Conjugate-gradient iterations per Gauss-Newton step. */
  gnCgIterations: z.number().int().min(1).max(10_000).default(40),
  /** Gauss-Newton dampings (absolute, added to J^T J / n). */
  gnDampings: z.array(z.number().nonnegative().finite()).default([1e-3, 1e-2, 1e-1, 1, 10]),
}).superRefine((c, ctx) => {
  if (c.crop % c.pool !== 0) {
    ctx.addIssue({ code: "custom", path: ["pool"], message: `must divide crop = ${c.crop}` });
  }
  if (c.whitenFit === "train+test" && c.testSize % c.testGroupSize !== 0) {
    ctx.addIssue({
      code: "custom",
      path: ["testGroupSize"],
      message: `must divide testSize = ${c.testSize}`,
    });
  }
  if (Math.max(...c.trainSizes) + c.testSize > 10_000) {
    ctx.addIssue({
      code: "custom",
      path: ["trainSizes"],
      message: "max(trainSizes) + testSize must be at most 10000 (the MNIST digits available)",
    });
  }
});

/** Config of `whitening-generalization` (every field has a default: the full preset). */
export type WhiteningGeneralizationConfig = z.infer<typeof schema>;

/** Centre crop to c x c, then average pooling by p: rows of 784 -> rows of (c / p)^2. */
function cropPool(x: Float32Array, rows: number, c: number, p: number): Float32Array {
  const s = c / p, off = Math.floor((28 - c) / 2), d = s * s;
  const out = new Float32Array(rows * d);
  for (let i = 0; i < rows; i++) {
    for (let r = 0; r < s; r++) {
      for (let q = 0; q < s; q++) {
        let acc = 0;
        for (let a = 0; a < p; a++) {
          for (let b = 0; b < p; b++) acc += x[i * 784 + (off + r * p + a) * 28 + off + q * p + b];
        }
        out[i * d + r * s + q] = acc / (p * p);
      }
    }
  }
  return out;
}

function targets(labels: Int32Array): Float32Array {
  const y = new Float32Array(labels.length * CLASSES).fill(-0.1);
  labels.forEach((c, i) => (y[i * CLASSES + c] = 0.9));
  return y;
}

/**
 * Largest eigenvalue of x_g^T x_g / n for each group of x [G, n, d], by batched power iteration
 * on the GPU (one readback). Whitened inputs with n <= d have all nonzero eigenvalues equal, so
 * any start is already an eigenvector; for raw inputs the top eigenvalue (the mean direction) is
 * well separated.
 */
async function topEigenvalues(x: Tensor, key: Key, iters = 60): Promise<number[]> {
  const [G, n, d] = x.shape;
  let v = scope(() => {
    const r = random.uniform(key, [G, d, 1], 0.5, 1.5);
    return mul(r, rsqrt(sum(mul(r, r), 1, true)));
  });
  const cv = (u: Tensor) => mul(matmul(x, matmul(x, u), { transA: true }), 1 / n);
  for (let i = 0; i < iters; i++) {
    const prev = v;
    v = scope(() => {
      const w = cv(prev);
      return mul(w, rsqrt(sum(mul(w, w), 1, true)));
    });
    prev.dispose();
  }
  const rq = scope(() => reshape(sum(mul(v, cv(v)), 1), [G]));
  v.dispose();
  const out = Array.from(await rq.read());
  rq.dispose();
  return out;
}

const key = (v: number) => String(v);

/** base^0, base^1, ... below `steps`, then `steps`. */
function logCheckpoints(steps: number, base: number): number[] {
  const out: number[] = [];
  for (let t = 1; t < steps; t *= base) out.push(t);
  out.push(steps);
  return out;
}

/** Predictions at one checkpoint: test [G, b, k] and train [G, n, k], still on the GPU. */
interface Snapshot {
  steps: number;
  test: Tensor;
  train: Tensor;
}

/**
 * The `whitening-generalization` experiment (see the module doc).
 *
 * @example
 * ```ts
 * import { whiteningGeneralization } from "./whitening_generalization.ts";
 * console.log(whiteningGeneralization.keyMetric); // "whitening_gap_n_le_d"
 * console.log(whiteningGeneralization.schema.safeParse({ pool: 3 }).success); // false (3 does not divide 20)
 * ```
 */
export const whiteningGeneralization: Experiment<WhiteningGeneralizationConfig> = {
  name: "whitening-generalization",
  module: "optim",
  description: "Test accuracy vs training-set size n on MNIST for raw, whitened and " +
    "regularized-whitened inputs and for damped Newton / Gauss-Newton (Wadia et al. 2021)",
  claim: "For models with a dense first layer, whitening the inputs (fitted on train+test) " +
    "removes the only information usable for generalization when n <= d: test accuracy falls " +
    "to chance, while raw inputs generalize; for n > d the gap shrinks. Regularized whitening " +
    "trades it off. Newton on a linear model is gradient descent on whitened inputs: it loses " +
    "what gradient descent uses while it trains, and damping trades it off.",
  schema,
  presets: {
    quick: {
      crop: 21,
      pool: 3,
      trainSizes: [12, 24, 49, 98, 196],
      testSize: 96,
      testGroupSize: 24,
      whitenRegs: [0, 0.1],
      width: 32,
      mlpSteps: 128,
      newtonDampings: [0, 0.01, 0.1, 1],
      gnSteps: 0,
    },
    full: {},
  },
  keyMetric: "whitening_gap_n_le_d",
  async run(config, ctx): Promise<ExperimentResult> {
    const c = parseWhiteningGeneralizationConfig(config);
    return await runExperiment(c, ctx);
  },
};

async function runExperiment(
  c: WhiteningGeneralizationConfig,
  ctx: ExperimentContext,
): Promise<ExperimentResult> {
  const t0 = performance.now();
  const root = random.key(ctx.seed);
  const d = (c.crop / c.pool) ** 2;
  const sizes = [...new Set(c.trainSizes)].sort((a, b) => a - b);
  const nMax = sizes[sizes.length - 1], t = c.testSize;
  const h = loadMnistHost({ train: nMax, test: t, seed: ctx.seed, scaling: "unit" });
  const xPool = cropPool(h.xTrain, nMax, c.crop, c.pool);
  const xTestHost = cropPool(h.xTest, t, c.crop, c.pool);
  // One constant for all data: mean squared feature 1 on the training pool.
  let ms = 0;
  for (const v of xPool) ms += v * v;
  const scale = 1 / Math.sqrt(ms / (nMax * d));
  xPool.forEach((v, i) => (xPool[i] = v * scale));
  xTestHost.forEach((v, i) => (xTestHost[i] = v * scale));
  const yPool = targets(h.labelsTrain), yTestHost = targets(h.labelsTest);
  const xTest = tensor(xTestHost, { shape: [t, d] });
  const counts = new Array(CLASSES).fill(0);
  h.labelsTest.forEach((l) => counts[l]++);
  const majority = Math.max(...counts) / t;

  const conditions = [
    { id: "raw", setting: Infinity },
    ...c.whitenRegs.map((r) => ({ id: `whiten_reg_${key(r)}`, setting: r })),
  ];
  const linear = c.models.includes("linear"), mlp = c.models.includes("mlp");
  const gn = mlp && c.gnSteps > 0;
  const linearCk = logCheckpoints(c.linearSteps, 4);
  const mlpCk = logCheckpoints(c.mlpSteps, 2);
  const gnCk = gn ? logCheckpoints(c.gnSteps, 2) : [];
  const runsPerSize = conditions.length * c.models.length +
    (linear ? c.newtonDampings.length : 0) + (gn ? c.gnDampings.length : 0);
  const progress = ctx.progress("models", sizes.length * runsPerSize);
  const rows: Row[] = [];

  /** Reads every snapshot in one batch and records one row per checkpoint. */
  const record = async (
    base: Omit<Row, "steps" | "test_acc" | "test_mse" | "train_mse">,
    snaps: Snapshot[],
    yTrainHost: Float32Array,
  ) => {
    const data = await Promise.all(snaps.map((s) => Promise.all([s.test.read(), s.train.read()])));
    dispose(snaps);
    const G = base.groups, n = base.n, per = n * CLASSES;
    snaps.forEach((s, i) => {
      const [tp, rp] = data[i];
      let trainMse = 0;
      for (let g = 0; g < G; g++) {
        trainMse += meanSquaredError(rp.subarray(g * per, (g + 1) * per), yTrainHost) / G;
      }
      rows.push({
        ...base,
        steps: s.steps,
        test_acc: accuracy(tp, h.labelsTest),
        test_mse: meanSquaredError(tp, yTestHost),
        train_mse: trainMse,
      });
    });
    progress.tick();
  };
  /** Snapshots of linear weights [G?, d, k] at the linear checkpoints (disposes `ws`). */
  const linearSnaps = (ws: Tensor[], train: Tensor, test: Tensor): Snapshot[] => {
    const G = train.rank === 3 ? train.shape[0] : 1;
    const snaps = ws.map((w, i) =>
      scope(() => ({
        steps: linearCk[i],
        test: reshape(matmul(test, w), [G, -1, CLASSES]),
        train: reshape(matmul(train, w), [G, -1, CLASSES]),
      }))
    );
    dispose(ws);
    return snaps;
  };

  try {
    for (const [si, n] of sizes.entries()) {
      if (ctx.signal.aborted) break;
      const ts = performance.now();
      const yHost = yPool.subarray(0, n * CLASSES);
      const xTrain = tensor(xPool.subarray(0, n * d), { shape: [n, d] });
      const yTrain = tensor(yHost, { shape: [n, CLASSES] });
      const kSize = random.foldIn(root, si);
      try {
        for (const cond of conditions) {
          if (ctx.signal.aborted) break;
          const split = cond.id === "raw"
            ? scope(() => ({
              train: reshape(xTrain, [1, n, d]),
              test: reshape(xTest, [1, t, d]),
              groups: 1,
            }))
            : await whitenTrainTest(xTrain, xTest, {
              fit: c.whitenFit,
              groupSize: c.testGroupSize,
              reg: cond.setting,
            });
          const G = split.groups;
          const base = { method: "gd", condition: cond.id, setting: cond.setting, n, groups: G };
          try {
            const lmax = Math.max(...await topEigenvalues(split.train, random.foldIn(kSize, 99)));
            if (linear) {
              const lr = c.linearLrScale / lmax;
              const w0 = initWeights(kSize, d, c.initStd);
              const ws = await linearLeastSquaresCheckpoints({
                x: split.train,
                y: yTrain,
                w0,
                lr,
                checkpoints: linearCk,
              });
              w0.dispose();
              await record(
                { ...base, model: "linear", lr },
                linearSnaps(ws, split.train, split.test),
                yHost,
              );
            }
            if (mlp) {
              const lr = c.mlpLrScale / lmax;
              const p0 = initGroupMlp(random.foldIn(kSize, 2), {
                groups: G,
                inputs: d,
                width: c.width,
                outputs: CLASSES,
                wStd: c.initStd,
              });
              const snaps: Snapshot[] = [];
              const p = trainGroupMlp({
                params: p0,
                x: split.train,
                y: yTrain,
                steps: c.mlpSteps,
                lr,
                momentum: c.mlpMomentum,
                activation: c.activation,
                checkpoints: mlpCk,
                onCheckpoint: (q, steps) =>
                  snaps.push(scope(() => ({
                    steps,
                    test: applyGroupMlp(q, split.test, c.activation),
                    train: applyGroupMlp(q, split.train, c.activation),
                  }))),
              });
              dispose([p0, p]);
              await record({ ...base, model: "mlp", lr }, snaps, yHost);
            }
          } finally {
            dispose([split.train, split.test]);
          }
        }
        // Damped Newton on the raw inputs (linear model): same initialization and checkpoints.
        if (linear) {
          for (const damping of c.newtonDampings) {
            if (ctx.signal.aborted) break;
            const pre = await newtonPreconditioner(xTrain, { damping });
            const w0 = initWeights(kSize, d, c.initStd);
            const ws = await linearLeastSquaresCheckpoints({
              x: xTrain,
              y: yTrain,
              w0,
              lr: 1,
              preconditioner: pre.host,
              checkpoints: linearCk,
            });
            dispose([w0, pre.matrix]);
            await record(
              {
                model: "linear",
                method: "newton",
                condition: `newton_damping_${key(damping)}`,
                setting: damping,
                n,
                lr: 1,
                groups: 1,
              },
              linearSnaps(ws, xTrain, xTest),
              yHost,
            );
          }
        }
        // Damped Gauss-Newton on the raw inputs (MLP): same initialization as its GD runs.
        if (gn) {
          const x3 = reshape(xTrain, [1, n, d]), y3 = reshape(yTrain, [1, n, CLASSES]);
          const t3 = reshape(xTest, [1, t, d]);
          for (const damping of c.gnDampings) {
            if (ctx.signal.aborted) break;
            const p0 = initGroupMlp(random.foldIn(kSize, 2), {
              groups: 1,
              inputs: d,
              width: c.width,
              outputs: CLASSES,
              wStd: c.initStd,
            });
            const snaps: Snapshot[] = [];
            const p = trainGaussNewton(
              (q: GroupMlpParams) => applyGroupMlp(q, x3, c.activation),
              p0,
              y3,
              { damping, cgIterations: c.gnCgIterations },
              c.gnSteps,
              (q, steps) => {
                if (!gnCk.includes(steps)) return;
                const qp = q as GroupMlpParams;
                snaps.push(scope(() => ({
                  steps,
                  test: applyGroupMlp(qp, t3, c.activation),
                  train: applyGroupMlp(qp, x3, c.activation),
                })));
              },
            );
            dispose([p0, p]);
            await record(
              {
                model: "mlp",
                method: "gauss-newton",
                condition: `gn_damping_${key(damping)}`,
                setting: damping,
                n,
                lr: 1,
                groups: 1,
              },
              snaps,
              yHost,
            );
          }
          dispose([x3, y3, t3]);
        }
      } finally {
        dispose([xTrain, yTrain]);
      }
      ctx.log(`n = ${n}: ${((performance.now() - ts) / 1000).toFixed(1)} s`);
    }
  } finally {
    progress.done();
    xTest.dispose();
  }
  return summarize(c, rows, { d, majority, seconds: (performance.now() - t0) / 1000 });
}

/** Linear-model initialization N(0, initStd^2 / d), [d, k]: the same draws for every condition. */
function initWeights(k: Key, d: number, initStd: number): Tensor {
  return random.normal(random.foldIn(k, 1), [d, CLASSES], 0, initStd / Math.sqrt(d));
}

/**
 * Checks a config against the schema and throws an InvalidArgumentError naming the fields.
 *
 * @example
 * ```ts
 * import { parseWhiteningGeneralizationConfig } from "./whitening_generalization.ts";
 * console.log(parseWhiteningGeneralizationConfig({ crop: 21, pool: 3 }).pool); // 3
 * ```
 */
export function parseWhiteningGeneralizationConfig(config: unknown): WhiteningGeneralizationConfig {
  return parseExperimentConfig("whitening-generalization", schema, config);
}
