/**
 * `dks-deep-mlp`: Deep Kernel Shaping (Martens et al. 2021) at small scale. A deep vanilla fully
 * connected network (no skip connections, no normalization layers) is trained on an MNIST
 * subset with the same optimizer and budget under
 *
 * - `dks`: the DKS-transformed tanh `phi_hat(x) = gamma (tanh(alpha x + beta) + delta)` from
 *   `dksTransform({ activation: "tanh", depth })` with scaled orthogonal weights;
 * - `standard`: plain tanh with Gaussian LeCun weights `N(0, standardWStd^2 / fanIn)`;
 * - `tanh_orthogonal`: plain tanh with orthogonal weights (separates the two ingredients);
 * - `dks_gaussian`: the DKS activation with Gaussian LeCun weights (the other ingredient alone);
 * - `tat`: TAT's tailored leaky ReLU (Zhang, Botev, Martens 2022) `sqrt(2 / (1 + a^2))
 *   leakyRelu_a(x)` from `tatTransform({ activation: "leaky_relu", depth, eta })`, whose negative
 *   slope a makes the network's C_f(0) = eta, with scaled orthogonal weights;
 * - `relu_he`: plain ReLU with Gaussian He weights `N(0, 2 / fanIn)` (the edge-of-chaos ReLU
 *   baseline TAT is compared with).
 *
 * Inputs are per-example standardized (mean 0, q = mean(x^2) = 1, as DKS's per-location
 * normalization asks), biases start at 0 and the loss is softmax cross-entropy. Training losses
 * are accumulated on the GPU and read once per `readEvery` steps (pipelined by `train`).
 *
 * @example
 * ```ts
 * import { dksDeepMlp } from "./dks_deep_mlp.ts";
 * const config = dksDeepMlp.schema.parse({ ...dksDeepMlp.presets.quick });
 * console.log(dksDeepMlp.name, config.depth); // "dks-deep-mlp" 24
 * ```
 * @module
 */
import * as aq from "arquero";
import { z } from "zod";
import { parseExperimentConfig } from "../../report/config.ts";
import {
  add,
  dispose,
  type Key,
  matmul,
  mul,
  random,
  relu,
  scope,
  tanh,
  type Tensor,
  tensor,
  zeros,
} from "../../gpu/mod.ts";
import { batches } from "../../nn/datasets/batches.ts";
import { softmaxCrossEntropy } from "../../nn/losses.ts";
import {
  describeOptimizer,
  optimizerFields,
  optimizerFromConfig,
} from "../../nn/optimizer_config.ts";
import { train } from "../../nn/train.ts";
import type {
  Experiment,
  ExperimentContext,
  ExperimentResult,
  MetricValue,
} from "../../report/experiment.ts";
import { orthogonalInit } from "../dks/orthogonal_init.ts";
import { tatTransform } from "../dks/tat.ts";
import { type DksActivation, dksTransform } from "../dks/transform.ts";
import { standardizeRows } from "../zca.ts";
import { accuracy, loadMnistInputs, mnistSplitFields } from "./mnist_inputs.ts";

/**
 * The variants `dks-deep-mlp` can train (activation x weight initialization).
 *
 * @example
 * ```ts
 * import { DKS_MLP_VARIANTS } from "./dks_deep_mlp.ts";
 * console.log(DKS_MLP_VARIANTS.length); // 6
 * ```
 */
export const DKS_MLP_VARIANTS = [
  "dks",
  "standard",
  "tanh_orthogonal",
  "dks_gaussian",
  "tat",
  "relu_he",
] as const;

/**
 * One of {@link DKS_MLP_VARIANTS}.
 *
 * @example
 * ```ts
 * import type { DksMlpVariant } from "./dks_deep_mlp.ts";
 * const v: DksMlpVariant = "dks";
 * console.log(v); // "dks"
 * ```
 */
export type DksMlpVariant = typeof DKS_MLP_VARIANTS[number];

const schema = z.strictObject({
  ...mnistSplitFields(),
  /** Nonlinear (hidden) layers D; the DKS transform is solved for this D. */
  depth: z.number().int().min(1).max(500).default(64),
  /** Hidden width. */
  width: z.number().int().min(2).max(8192).default(512),
  /** Variants trained, in this order (each from its own initialization of the same seed). */
  variants: z.array(z.enum(DKS_MLP_VARIANTS)).min(1).default([...DKS_MLP_VARIANTS]),
  /** DKS target global C map slope C_f'(1) (the reference's default 1.5). */
  zeta: z.number().gt(1).default(1.5),
  /**
   * TAT target C_f(0) of the leaky-ReLU network, in [0, 1) (the reference's default 0.9; at most
   * C_f(0) of a ReLU chain of this depth, e.g. 0.96 at depth 24).
   */
  eta: z.number().min(0).lt(1).default(0.9),
  /** Weight std of the Gaussian (LeCun) initialization: W ~ N(0, standardWStd^2 / fanIn). */
  standardWStd: z.number().positive().default(1),
  ...optimizerFields(),
  /** Minibatch size (0: full-batch). */
  batchSize: z.number().int().min(0).default(256),
  /** Optimizer steps per variant. */
  steps: z.number().int().min(1).max(1_000_000).default(3000),
  /** Read the mean training loss back every this many steps (one chart point per window). */
  readEvery: z.number().int().min(1).default(50),
}).refine((c) => c.batchSize <= c.trainSize, {
  message: "batchSize must be at most trainSize",
  path: ["batchSize"],
});

/** Config of `dks-deep-mlp` (every field has a default: the full preset). */
export type DksDeepMlpConfig = z.infer<typeof schema>;

/** Parameters of the network: hidden layers then the 10-way readout. */
interface MlpParams {
  [k: string]: Tensor[];
  w: Tensor[];
  b: Tensor[];
}

type Act = (x: Tensor) => Tensor;

function forward(p: MlpParams, x: Tensor, act: Act, returnFeatures = false): Tensor {
  let h = x;
  const L = p.w.length - 1;
  for (let l = 0; l < L; l++) h = act(add(matmul(h, p.w[l]), p.b[l]));
  return returnFeatures ? h : add(matmul(h, p.w[L]), p.b[L]);
}

async function initParams(
  key: Key,
  dims: number[],
  orthogonal: boolean,
  wStd: number,
): Promise<MlpParams> {
  const w: Tensor[] = [], b: Tensor[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const k = random.foldIn(key, l);
    const [fi, fo] = [dims[l], dims[l + 1]];
    w.push(
      orthogonal
        ? await orthogonalInit(k, fi, fo)
        : scope(() => mul(random.normal(k, [fi, fo]), wStd / Math.sqrt(fi))),
    );
    b.push(zeros([fo]));
  }
  return { w, b };
}

/** Mean |cosine| between distinct rows of a host [n, d] matrix, and mean q = |row|^2 / d. */
function rowStats(x: ArrayLike<number>, n: number, d: number): { cos: number; q: number } {
  const norms = new Float64Array(n);
  let q = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] ** 2;
    norms[i] = Math.sqrt(s);
    q += s / d / n;
  }
  let c = 0, pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * x[k * d + j];
      const den = norms[i] * norms[k];
      c += den > 0 ? Math.abs(s / den) : 1;
      pairs++;
    }
  }
  return { cos: pairs ? c / pairs : NaN, q };
}

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/**
 * The `dks-deep-mlp` experiment (see the module doc).
 *
 * @example
 * ```ts
 * import { dksDeepMlp } from "./dks_deep_mlp.ts";
 * console.log(dksDeepMlp.keyMetric); // "loss_ratio_standard_over_dks"
 * console.log(dksDeepMlp.schema.safeParse({ depth: 0 }).success); // false
 * ```
 */
export const dksDeepMlp: Experiment<DksDeepMlpConfig> = {
  name: "dks-deep-mlp",
  module: "kernels_inf",
  description: "Deep vanilla MLP on MNIST: DKS tanh and TAT leaky ReLU (with orthogonal init) vs " +
    "standard tanh + LeCun init and ReLU + He init (Martens et al. 2021; Zhang et al. 2022).",
  claim: "With Deep Kernel Shaping (transformed activation + orthogonal init), a deep vanilla " +
    "network without skip connections or normalization trains much faster than with the " +
    "standard activation and initialization.",
  schema,
  presets: {
    quick: {
      trainSize: 1024,
      testSize: 500,
      pool: 2,
      depth: 24,
      width: 64,
      variants: ["dks", "standard", "tanh_orthogonal", "tat", "relu_he"],
      batchSize: 128,
      steps: 40,
      readEvery: 5,
      lr: 2e-3,
    },
    full: {},
  },
  keyMetric: "loss_ratio_standard_over_dks",
  async run(config: DksDeepMlpConfig, ctx: ExperimentContext): Promise<ExperimentResult> {
    const c = parseDksDeepMlpConfig(config);
    const t0 = performance.now();
    const key = random.key(ctx.seed);
    const dks: DksActivation = dksTransform({ activation: "tanh", depth: c.depth, zeta: c.zeta });
    const tat: DksActivation | null = c.variants.includes("tat")
      ? tatTransform({ activation: "leaky_relu", depth: c.depth, eta: c.eta })
      : null;

    // ---- data: per-example standardized pixels (q = 1), integer labels ------------------
    const raw = loadMnistInputs({
      train: c.trainSize,
      test: c.testSize,
      pool: c.pool,
      seed: ctx.seed,
    });
    const xTrain = standardizeRows(raw.xTrain);
    const xTest = standardizeRows(raw.xTest);
    dispose([raw.xTrain, raw.xTest, raw.yTrain]);
    const yTrain = tensor(raw.labelsTrain, { shape: [c.trainSize], dtype: "i32" });
    const dims = [raw.features, ...new Array(c.depth).fill(c.width), 10];
    const probeN = Math.min(64, c.trainSize);
    const inStats = rowStats(
      (await xTrain.read()).subarray(0, probeN * raw.features),
      probeN,
      raw.features,
    );

    const rows: Record<string, string | number>[] = [];
    const curve: { variant: string; step: number; loss: number }[] = [];
    const byVariant: Record<string, { loss: number; acc: number }> = {};
    const p = ctx.progress("training", c.variants.length * c.steps);
    try {
      for (const [vi, variant] of c.variants.entries()) {
        if (ctx.signal.aborted) break;
        const useDks = variant === "dks" || variant === "dks_gaussian";
        const ortho = variant === "dks" || variant === "tanh_orthogonal" || variant === "tat";
        const act: Act = variant === "tat"
          ? tat!.apply
          : variant === "relu_he"
          ? relu
          : useDks
          ? dks.apply
          : tanh;
        const wStd = variant === "relu_he" ? Math.SQRT2 : c.standardWStd;
        // Same key for every variant: Gaussian draws are shared across variants of one seed.
        let params = await initParams(random.foldIn(key, 1), dims, ortho, wStd);
        const fullLoss = (q: MlpParams): Promise<number> =>
          scope(() => softmaxCrossEntropy(forward(q, xTrain, act), yTrain)).item();

        // Signal propagation at init: penultimate features of a probe batch.
        const feat = scope(() => forward(params, xTrain, act, true));
        const featHost = (await feat.read()).subarray(0, probeN * c.width);
        feat.dispose();
        const initStats = rowStats(featHost, probeN, c.width);
        const initLoss = await fullLoss(params);
        curve.push({ variant, step: 0, loss: initLoss });

        const opt = optimizerFromConfig(c);
        let state = opt.init(params);
        const ta = performance.now();
        // Train in segments so Ctrl-C (ctx.signal) stops between them.
        const segLen = c.readEvery * Math.max(1, Math.ceil(c.steps / c.readEvery / 10));
        let done = 0;
        let diverged = false;
        for (let seg = 0; done < c.steps && !ctx.signal.aborted; seg++) {
          const n = Math.min(segLen, c.steps - done);
          const data = c.batchSize === 0 ? null : batches(
            random.foldIn(random.foldIn(key, 2 + vi), seg),
            { x: xTrain, y: yTrain },
            c.batchSize,
          );
          const full = function* () {
            while (true) yield null;
          };
          const r = await train({
            params,
            loss: (q: MlpParams, b: { x: Tensor; y: Tensor } | null) =>
              softmaxCrossEntropy(forward(q, b ? b.x : xTrain, act), b ? b.y : yTrain),
            optimizer: opt as never,
            batches: (data ?? full()) as Iterable<{ x: Tensor; y: Tensor } | null>,
            steps: n,
            readEvery: c.readEvery,
            optimizerState: state as never,
            disposeInitial: true,
            stopOnNonFinite: false,
            progress: { tick: (k?: number) => p.tick(k), done() {} },
          });
          params = r.params;
          state = r.state;
          r.history.step.forEach((s, i) => {
            const loss = r.history.loss[i];
            if (!Number.isFinite(loss)) diverged = true;
            curve.push({ variant, step: done + s, loss });
          });
          done += n;
          if (diverged) break;
        }
        const seconds = (performance.now() - ta) / 1000;
        const finalLoss = await fullLoss(params);
        const trainAcc = accuracy(
          await scope(() => forward(params, xTrain, act)).read(),
          raw.labelsTrain,
        );
        const testAcc = accuracy(
          await scope(() => forward(params, xTest, act)).read(),
          raw.labelsTest,
        );
        dispose([params, state as unknown]);
        byVariant[variant] = { loss: finalLoss, acc: testAcc };
        rows.push({
          variant,
          activation: variant === "tat"
            ? "tat leaky_relu"
            : variant === "relu_he"
            ? "relu"
            : useDks
            ? "dks tanh"
            : "tanh",
          init: ortho ? "orthogonal" : `gaussian (w_std ${+wStd.toFixed(4)})`,
          steps: done,
          init_loss: initLoss,
          final_train_loss: finalLoss,
          train_acc: trainAcc,
          test_acc: testAcc,
          init_q_out: initStats.q,
          init_mean_abs_cos: initStats.cos,
          diverged: diverged ? "yes" : "no",
          seconds,
        });
      }
    } finally {
      p.done();
      dispose([xTrain, xTest, yTrain]);
    }
    // ---- metrics -------------------------------------------------------------------------
    const metrics: Record<string, MetricValue> = {};
    const get = (v: string, f: "loss" | "acc") => byVariant[v]?.[f] ?? NaN;
    metrics.dks_final_loss = get("dks", "loss");
    metrics.standard_final_loss = get("standard", "loss");
    metrics.dks_test_acc = get("dks", "acc");
    metrics.standard_test_acc = get("standard", "acc");
    metrics.loss_ratio_standard_over_dks = metrics.standard_final_loss / metrics.dks_final_loss;
    if (byVariant.tanh_orthogonal) {
      metrics.tanh_orthogonal_final_loss = get("tanh_orthogonal", "loss");
      metrics.tanh_orthogonal_test_acc = get("tanh_orthogonal", "acc");
    }
    if (byVariant.dks_gaussian) {
      metrics.dks_gaussian_final_loss = get("dks_gaussian", "loss");
      metrics.dks_gaussian_test_acc = get("dks_gaussian", "acc");
    }
    if (byVariant.tat) {
      metrics.tat_final_loss = get("tat", "loss");
      metrics.tat_test_acc = get("tat", "acc");
      metrics.loss_ratio_standard_over_tat = metrics.standard_final_loss / metrics.tat_final_loss;
      metrics.tat_negative_slope = tat!.negativeSlope!;
      metrics.tat_output_scale = tat!.gamma;
    }
    if (byVariant.relu_he) {
      metrics.relu_he_final_loss = get("relu_he", "loss");
      metrics.relu_he_test_acc = get("relu_he", "acc");
    }
    metrics.final_train_loss = Object.fromEntries(
      Object.entries(byVariant).map(([k, v]) => [k, v.loss]),
    );
    metrics.test_acc = Object.fromEntries(Object.entries(byVariant).map(([k, v]) => [k, v.acc]));
    metrics.dks_alpha = dks.alpha;
    metrics.dks_beta = dks.beta;
    metrics.dks_gamma = dks.gamma;
    metrics.dks_delta = dks.delta;
    metrics.compute_seconds = (performance.now() - t0) / 1000;

    // ---- notes ----------------------------------------------------------------------------
    const ratio = metrics.loss_ratio_standard_over_dks as number;
    const notes = [
      `DKS transform of tanh for depth ${c.depth}, zeta ${c.zeta}: alpha ${
        dks.alpha.toPrecision(6)
      }, ` +
      `beta ${dks.beta.toPrecision(6)}, gamma ${dks.gamma.toPrecision(6)}, delta ` +
      `${dks.delta.toPrecision(6)}; phi_hat(x) = gamma (tanh(alpha x + beta) + delta), local C ` +
      `slope ${dks.localCSlopeTarget.toPrecision(6)} per layer (global ${c.zeta}).`,
      `Network: ${dims[0]} inputs (${c.pool === 2 ? "14x14 pooled" : "28x28"} MNIST, ` +
      `per-example standardized: probe input q ${fmt(inStats.q)}), ${c.depth} hidden layers of ` +
      `width ${c.width}, 10-way softmax readout, no skips, no normalization, zero biases. ` +
      `${describeOptimizer(c)}, ` +
      `${c.batchSize ? `minibatch ${c.batchSize}` : "full batch"}, ${c.steps} steps on ` +
      `${c.trainSize} training examples; test accuracy on ${c.testSize}.`,
      `Kernel at init: mean |cos| between penultimate features of ${probeN} training examples ` +
      `(inputs: ${fmt(inStats.cos)}): ` +
      rows.map((r) => `${r.variant} ${fmt(r.init_mean_abs_cos as number)}`).join(", ") +
      "; their mean q = |h|^2 / width: " +
      rows.map((r) => `${r.variant} ${fmt(r.init_q_out as number)}`).join(", ") +
      " (DKS keeps q = 1; plain tanh at 1/fanIn variance lets q decay toward 0 with depth). " +
      "A mean |cos| near 1 means the deep network maps all inputs to nearly the same direction " +
      "(a degenerate kernel), which DKS's C map control prevents.",
      Number.isFinite(ratio)
        ? `Final full-batch training loss, standard / DKS = ${fmt(ratio, 3)} ` +
          `(${fmt(metrics.standard_final_loss as number)} vs ${
            fmt(metrics.dks_final_loss as number)
          }); test accuracy ${fmt(metrics.standard_test_acc as number)} vs ${
            fmt(metrics.dks_test_acc as number)
          }: ` +
          (ratio > 1.5
            ? "the claim holds here (DKS trains faster)."
            : ratio > 1
            ? "DKS is ahead, but only modestly at this budget."
            : "the claim does NOT hold here (DKS is not ahead at this budget).")
        : "Both `dks` and `standard` variants are needed for the loss ratio.",
      ...(tat
        ? [
          `TAT (Zhang et al. 2022) leaky ReLU for depth ${c.depth}, eta ${c.eta}: negative slope ` +
          `${tat.negativeSlope!.toPrecision(6)}, output scale ${tat.gamma.toPrecision(6)} ` +
          `(C_f(0) = eta, Q(q) = q; smaller eta is a more linear network, eta = 0 the identity)` +
          (byVariant.tat
            ? `; final training loss ${fmt(metrics.tat_final_loss as number)} vs DKS ${
              fmt(metrics.dks_final_loss as number)
            } and standard ${fmt(metrics.standard_final_loss as number)}` +
              (byVariant.relu_he
                ? `, plain ReLU with He init ${fmt(metrics.relu_he_final_loss as number)} (` +
                  (metrics.tat_final_loss < metrics.relu_he_final_loss
                    ? "TAT ahead of its ReLU baseline"
                    : "TAT NOT ahead of its ReLU baseline here") +
                  ")"
                : "") +
              `; test accuracy ${fmt(metrics.tat_test_acc as number)}.`
            : "."),
        ]
        : []),
      "Loss curves are the mean minibatch training loss of each read window (step 0: the " +
      "full-training-set loss at initialization); final losses are full-training-set losses.",
    ];
    return {
      metrics,
      tables: [{
        name: "variants",
        title: "Final training loss and test accuracy per variant",
        table: aq.from(rows),
      }],
      charts: [{
        name: "loss-curves",
        title: `Training loss vs step, depth-${c.depth} width-${c.width} vanilla network`,
        spec: {
          data: { values: curve.filter((r) => Number.isFinite(r.loss) && r.loss > 0) },
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "step", type: "quantitative", title: "Step" },
            y: {
              field: "loss",
              type: "quantitative",
              scale: { type: "log" },
              title: "Training loss (cross-entropy)",
            },
            color: { field: "variant", type: "nominal", title: "Variant" },
          },
        },
      }],
      notes,
    };
  },
};

/**
 * Checks a config against the schema and throws an InvalidArgumentError listing the issues
 * (the runner reports them the same way).
 *
 * @example
 * ```ts
 * import { parseDksDeepMlpConfig } from "./dks_deep_mlp.ts";
 * console.log(parseDksDeepMlpConfig({ depth: 8 }).depth); // 8
 * ```
 */
export function parseDksDeepMlpConfig(config: unknown): DksDeepMlpConfig {
  return parseExperimentConfig("dks-deep-mlp", schema, config);
}
