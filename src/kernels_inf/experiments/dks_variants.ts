/**
 * What `dks-deep-mlp` and `dks-deep-cnn` share: the variants (activation x initialization) a
 * deep vanilla network is trained under, their config fields, and the loop that trains each
 * variant with the same optimizer and budget and reports losses, accuracies, the kernel at
 * initialization and the loss curves. An experiment supplies the network ({@link DeepNetwork})
 * and its inputs; everything else is here.
 *
 * - `dks`: the DKS-transformed tanh `phi_hat(x) = gamma (tanh(alpha x + beta) + delta)` from
 *   `dksTransform({ activation: "tanh", depth })` with scaled orthogonal (Delta-orthogonal for
 *   convolutions) weights;
 * - `standard`: plain tanh with Gaussian LeCun weights `N(0, standardWStd^2 / fanIn)`;
 * - `tanh_orthogonal`: plain tanh with orthogonal weights (separates the two ingredients);
 * - `dks_gaussian`: the DKS activation with Gaussian LeCun weights (the other ingredient alone);
 * - `tat`: TAT's tailored leaky ReLU (Zhang, Botev, Martens 2022) `sqrt(2 / (1 + a^2))
 *   leakyRelu_a(x)` from `tatTransform({ activation: "leaky_relu", depth, eta })`, whose negative
 *   slope a makes the network's C_f(0) = eta, with orthogonal weights;
 * - `relu_he`: plain ReLU with Gaussian He weights `N(0, 2 / fanIn)` (the edge-of-chaos ReLU
 *   baseline TAT is compared with).
 *
 * @example
 * ```ts
 * import { DKS_VARIANTS, variantRecipe } from "./dks_variants.ts";
 * import { dksTransform } from "../dks/transform.ts";
 * const dks = dksTransform({ activation: "tanh", depth: 8 });
 * const r = variantRecipe("relu_he", { dks, tat: null, standardWStd: 1 });
 * console.log(DKS_VARIANTS.length, r.orthogonal, r.wStd === Math.SQRT2); // 6 false true
 * ```
 * @module
 */
import * as aq from "arquero";
import { z } from "zod";
import {
  dispose,
  type Key,
  random,
  relu,
  scope,
  tanh,
  type Tensor,
  type Tree,
} from "../../gpu/mod.ts";
import { batches } from "../../nn/datasets/batches.ts";
import { softmaxCrossEntropy } from "../../nn/losses.ts";
import {
  describeOptimizer,
  optimizerFields,
  optimizerFromConfig,
} from "../../nn/optimizer_config.ts";
import { train } from "../../nn/train.ts";
import type { ExperimentContext, ExperimentResult, MetricValue } from "../../report/experiment.ts";
import { tatTransform } from "../dks/tat.ts";
import { type DksActivation, dksTransform } from "../dks/transform.ts";
import { accuracy } from "./mnist_inputs.ts";

/**
 * The variants a DKS experiment can train (activation x weight initialization).
 *
 * @example
 * ```ts
 * import { DKS_VARIANTS } from "./dks_variants.ts";
 * console.log(DKS_VARIANTS.includes("tat")); // true
 * ```
 */
export const DKS_VARIANTS = [
  "dks",
  "standard",
  "tanh_orthogonal",
  "dks_gaussian",
  "tat",
  "relu_he",
] as const;

/**
 * One of {@link DKS_VARIANTS}.
 *
 * @example
 * ```ts
 * import type { DksVariant } from "./dks_variants.ts";
 * const v: DksVariant = "dks";
 * console.log(v); // "dks"
 * ```
 */
export type DksVariant = typeof DKS_VARIANTS[number];

/**
 * The config fields every DKS experiment shares (spread into its schema next to the network's
 * own): which variants, the DKS/TAT targets, the optimizer and the training budget.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { dksVariantFields } from "./dks_variants.ts";
 * const c = z.strictObject(dksVariantFields()).parse({ steps: 10 });
 * console.log(c.zeta, c.variants.length); // 1.5 6
 * ```
 */
export function dksVariantFields(): {
  depth: z.ZodDefault<z.ZodNumber>;
  variants: z.ZodDefault<z.ZodArray<z.ZodEnum<{ [K in DksVariant]: K }>>>;
  zeta: z.ZodDefault<z.ZodNumber>;
  eta: z.ZodDefault<z.ZodNumber>;
  standardWStd: z.ZodDefault<z.ZodNumber>;
  optimizer: z.ZodDefault<z.ZodEnum<{ adam: "adam"; sgd: "sgd" }>>;
  lr: z.ZodDefault<z.ZodNumber>;
  momentum: z.ZodDefault<z.ZodNumber>;
  batchSize: z.ZodDefault<z.ZodNumber>;
  steps: z.ZodDefault<z.ZodNumber>;
  readEvery: z.ZodDefault<z.ZodNumber>;
} {
  return {
    /** Nonlinear (hidden) layers D; the DKS and TAT transforms are solved for this D. */
    depth: z.number().int().min(1).max(500).default(64),
    /** Variants trained, in this order (each from its own initialization of the same seed). */
    variants: z.array(z.enum(DKS_VARIANTS)).min(1).default([...DKS_VARIANTS]),
    /** DKS target global C map slope C_f'(1) (the reference's default 1.5). */
    zeta: z.number().gt(1).default(1.5),
    /**
     * TAT target C_f(0) of the leaky-ReLU network, in [0, 1) (the reference's default 0.9; at
     * most C_f(0) of a ReLU chain of this depth, e.g. 0.96 at depth 24).
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
  };
}

/** The parsed shared fields (see {@link dksVariantFields}) plus the split sizes. */
export interface DksVariantConfig {
  /** Training examples. */
  trainSize: number;
  /** Test examples. */
  testSize: number;
  /** Nonlinear layers. */
  depth: number;
  /** Variants trained, in order. */
  variants: DksVariant[];
  /** DKS global C'(1) target. */
  zeta: number;
  /** TAT C_f(0) target. */
  eta: number;
  /** Gaussian initialization scale. */
  standardWStd: number;
  /** Optimizer. */
  optimizer: "adam" | "sgd";
  /** Learning rate. */
  lr: number;
  /** SGD momentum. */
  momentum: number;
  /** Minibatch size (0: full batch). */
  batchSize: number;
  /** Steps per variant. */
  steps: number;
  /** Loss read-back period. */
  readEvery: number;
}

/** A pointwise activation on tensors. */
export type Act = (x: Tensor) => Tensor;

/** Weights and biases of a network's layers, readout last (a tree `train` can update). */
export interface LayerParams {
  [k: string]: Tensor[];
  /** Weights per layer. */
  w: Tensor[];
  /** Biases per layer. */
  b: Tensor[];
}

/** How one variant builds its network: the activation and how the weights are drawn. */
export interface VariantRecipe {
  /** The activation applied after every hidden layer. */
  act: Act;
  /** Orthogonal (Delta-orthogonal for convolutions) weights; otherwise Gaussian. */
  orthogonal: boolean;
  /** Gaussian weight std times sqrt(fanIn) (unused when orthogonal). */
  wStd: number;
  /** Activation label for the table. */
  activation: string;
}

/**
 * The activation and initialization of a variant, given the solved transforms (`tat` may be
 * null when no variant needs it).
 *
 * @example
 * ```ts
 * import { variantRecipe } from "./dks_variants.ts";
 * import { dksTransform } from "../dks/transform.ts";
 * const dks = dksTransform({ activation: "tanh", depth: 4 });
 * console.log(variantRecipe("dks", { dks, tat: null, standardWStd: 1 }).activation); // "dks tanh"
 * ```
 */
export function variantRecipe(
  variant: DksVariant,
  t: { dks: DksActivation; tat: DksActivation | null; standardWStd: number },
): VariantRecipe {
  const orthogonal = variant === "dks" || variant === "tanh_orthogonal" || variant === "tat";
  const wStd = variant === "relu_he" ? Math.SQRT2 : t.standardWStd;
  switch (variant) {
    case "tat":
      if (!t.tat) throw new Error("variantRecipe: the tat variant needs the TAT transform");
      return { act: t.tat.apply, orthogonal, wStd, activation: "tat leaky_relu" };
    case "relu_he":
      return { act: relu, orthogonal, wStd, activation: "relu" };
    case "dks":
    case "dks_gaussian":
      return { act: t.dks.apply, orthogonal, wStd, activation: "dks tanh" };
    default:
      return { act: tanh, orthogonal, wStd, activation: "tanh" };
  }
}

/**
 * A deep vanilla network a DKS experiment trains: `init` draws parameters for a variant's
 * recipe, `forward` maps inputs to logits [N, 10], or with `features` to the last hidden
 * layer's output flattened to [N, featureDim] (whose kernel DKS shapes).
 */
export interface DeepNetwork<P extends Tree> {
  /** Parameters for a variant (same key: same Gaussian draws across variants). */
  init(key: Key, recipe: VariantRecipe): Promise<P>;
  /** Logits, or the flattened last hidden layer with `features`. */
  forward(p: P, x: Tensor, act: Act, features?: boolean): Tensor;
  /** Width of the flattened last hidden layer. */
  featureDim: number;
  /** One sentence describing the architecture and inputs, for the notes. */
  description: string;
  /** Chart title. */
  chartTitle: string;
}

/** The inputs of a DKS experiment, already shaped for its network. */
export interface DksData {
  /** Training inputs (standardized per example). */
  xTrain: Tensor;
  /** Test inputs. */
  xTest: Tensor;
  /** Training labels (i32). */
  yTrain: Tensor;
  /** Training labels on the host. */
  labelsTrain: Int32Array;
  /** Test labels on the host. */
  labelsTest: Int32Array;
  /** The first training inputs as host rows (for the input kernel statistics). */
  probeInputs: ArrayLike<number>;
  /** Features per input row of `probeInputs`. */
  inputDim: number;
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
 * Trains every configured variant of `net` on `data` (same optimizer, budget and seed) and
 * returns the experiment's metrics, table, loss-curve chart and notes. Disposes `data`'s
 * tensors when done.
 *
 * @example
 * ```ts ignore
 * import { runDksVariants } from "./dks_variants.ts";
 * // const result = await runDksVariants(config, ctx, data, network);
 * ```
 */
export async function runDksVariants<P extends Tree>(
  c: DksVariantConfig,
  ctx: ExperimentContext,
  data: DksData,
  net: DeepNetwork<P>,
): Promise<ExperimentResult> {
  const t0 = performance.now();
  const key = random.key(ctx.seed);
  const dks: DksActivation = dksTransform({ activation: "tanh", depth: c.depth, zeta: c.zeta });
  const tat: DksActivation | null = c.variants.includes("tat")
    ? tatTransform({ activation: "leaky_relu", depth: c.depth, eta: c.eta })
    : null;
  const { xTrain, xTest, yTrain } = data;
  const probeN = Math.min(64, c.trainSize, data.probeInputs.length / data.inputDim);
  const inStats = rowStats(data.probeInputs, probeN, data.inputDim);

  const rows: Record<string, string | number>[] = [];
  const curve: { variant: string; step: number; loss: number }[] = [];
  const byVariant: Record<string, { loss: number; acc: number }> = {};
  const p = ctx.progress("training", c.variants.length * c.steps);
  try {
    for (const [vi, variant] of c.variants.entries()) {
      if (ctx.signal.aborted) break;
      const recipe = variantRecipe(variant, { dks, tat, standardWStd: c.standardWStd });
      const act = recipe.act;
      // Same key for every variant: Gaussian draws are shared across variants of one seed.
      let params = await net.init(random.foldIn(key, 1), recipe);
      const fullLoss = (q: P): Promise<number> =>
        scope(() => softmaxCrossEntropy(net.forward(q, xTrain, act), yTrain)).item();

      // Signal propagation at init: last hidden layer of a probe batch.
      const feat = scope(() => net.forward(params, xTrain, act, true));
      const featHost = (await feat.read()).subarray(0, probeN * net.featureDim);
      feat.dispose();
      const initStats = rowStats(featHost, probeN, net.featureDim);
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
        const mini = c.batchSize === 0 ? null : batches(
          random.foldIn(random.foldIn(key, 2 + vi), seg),
          { x: xTrain, y: yTrain },
          c.batchSize,
        );
        const full = function* () {
          while (true) yield null;
        };
        const r = await train({
          params,
          loss: (q: P, b: { x: Tensor; y: Tensor } | null) =>
            softmaxCrossEntropy(net.forward(q, b ? b.x : xTrain, act), b ? b.y : yTrain),
          optimizer: opt as never,
          batches: (mini ?? full()) as Iterable<{ x: Tensor; y: Tensor } | null>,
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
        await scope(() => net.forward(params, xTrain, act)).read(),
        data.labelsTrain,
      );
      const testAcc = accuracy(
        await scope(() => net.forward(params, xTest, act)).read(),
        data.labelsTest,
      );
      dispose([params, state as unknown]);
      byVariant[variant] = { loss: finalLoss, acc: testAcc };
      rows.push({
        variant,
        activation: recipe.activation,
        init: recipe.orthogonal ? "orthogonal" : `gaussian (w_std ${+recipe.wStd.toFixed(4)})`,
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
  const metrics = variantMetrics(byVariant, dks, tat);
  metrics.compute_seconds = (performance.now() - t0) / 1000;
  const notes = variantNotes(c, net, { dks, tat, metrics, byVariant, rows, inStats, probeN });
  return {
    metrics,
    tables: [{
      name: "variants",
      title: "Final training loss and test accuracy per variant",
      table: aq.from(rows),
    }],
    charts: [{
      name: "loss-curves",
      title: net.chartTitle,
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
}

function variantMetrics(
  byVariant: Record<string, { loss: number; acc: number }>,
  dks: DksActivation,
  tat: DksActivation | null,
): Record<string, MetricValue> {
  const metrics: Record<string, MetricValue> = {};
  const get = (v: string, f: "loss" | "acc") => byVariant[v]?.[f] ?? NaN;
  metrics.dks_final_loss = get("dks", "loss");
  metrics.standard_final_loss = get("standard", "loss");
  metrics.dks_test_acc = get("dks", "acc");
  metrics.standard_test_acc = get("standard", "acc");
  metrics.loss_ratio_standard_over_dks = metrics.standard_final_loss / metrics.dks_final_loss;
  for (const v of ["tanh_orthogonal", "dks_gaussian", "tat", "relu_he"]) {
    if (!byVariant[v]) continue;
    metrics[`${v}_final_loss`] = get(v, "loss");
    metrics[`${v}_test_acc`] = get(v, "acc");
  }
  if (byVariant.tat) {
    metrics.loss_ratio_standard_over_tat = (metrics.standard_final_loss as number) /
      (metrics.tat_final_loss as number);
    metrics.tat_negative_slope = tat!.negativeSlope!;
    metrics.tat_output_scale = tat!.gamma;
  }
  metrics.final_train_loss = Object.fromEntries(
    Object.entries(byVariant).map(([k, v]) => [k, v.loss]),
  );
  metrics.test_acc = Object.fromEntries(Object.entries(byVariant).map(([k, v]) => [k, v.acc]));
  metrics.dks_alpha = dks.alpha;
  metrics.dks_beta = dks.beta;
  metrics.dks_gamma = dks.gamma;
  metrics.dks_delta = dks.delta;
  return metrics;
}

function variantNotes<P extends Tree>(
  c: DksVariantConfig,
  net: DeepNetwork<P>,
  r: {
    dks: DksActivation;
    tat: DksActivation | null;
    metrics: Record<string, MetricValue>;
    byVariant: Record<string, { loss: number; acc: number }>;
    rows: Record<string, string | number>[];
    inStats: { cos: number; q: number };
    probeN: number;
  },
): string[] {
  const { dks, tat, metrics, byVariant, rows } = r;
  const ratio = metrics.loss_ratio_standard_over_dks as number;
  return [
    `DKS transform of tanh for depth ${c.depth}, zeta ${c.zeta}: alpha ${
      dks.alpha.toPrecision(6)
    }, ` +
    `beta ${dks.beta.toPrecision(6)}, gamma ${dks.gamma.toPrecision(6)}, delta ` +
    `${dks.delta.toPrecision(6)}; phi_hat(x) = gamma (tanh(alpha x + beta) + delta), local C ` +
    `slope ${dks.localCSlopeTarget.toPrecision(6)} per layer (global ${c.zeta}).`,
    `${net.description} Inputs per-example standardized (probe input q ${fmt(r.inStats.q)}); ${
      describeOptimizer(c)
    }, ` +
    `${c.batchSize ? `minibatch ${c.batchSize}` : "full batch"}, ${c.steps} steps on ` +
    `${c.trainSize} training examples; test accuracy on ${c.testSize}.`,
    `Kernel at init: mean |cos| between the last hidden layer's features of ${r.probeN} ` +
    `training examples (inputs: ${fmt(r.inStats.cos)}): ` +
    rows.map((row) => `${row.variant} ${fmt(row.init_mean_abs_cos as number)}`).join(", ") +
    "; their mean q = |h|^2 / width: " +
    rows.map((row) => `${row.variant} ${fmt(row.init_q_out as number)}`).join(", ") +
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
}
