/**
 * `dks-deep-mlp`: Deep Kernel Shaping (Martens et al. 2021) at small scale. A deep vanilla fully
 * connected network (no skip connections, no normalization layers) is trained on an MNIST
 * subset with the same optimizer and budget under each variant of `dks_variants.ts` (DKS tanh,
 * standard tanh, orthogonal tanh, DKS with Gaussian weights, TAT leaky ReLU, ReLU with He init).
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
import { z } from "zod";
import { parseExperimentConfig } from "../../report/config.ts";
import {
  add,
  dispose,
  type Key,
  matmul,
  mul,
  random,
  scope,
  type Tensor,
  tensor,
  zeros,
} from "../../gpu/mod.ts";
import type { Experiment, ExperimentContext, ExperimentResult } from "../../report/experiment.ts";
import { orthogonalInit } from "../dks/orthogonal_init.ts";
import { standardizeRows } from "../zca.ts";
import { loadMnistInputs, mnistSplitFields } from "./mnist_inputs.ts";
import {
  type Act,
  DKS_VARIANTS,
  type DksVariant,
  dksVariantFields,
  type LayerParams,
  runDksVariants,
  type VariantRecipe,
} from "./dks_variants.ts";

/**
 * The variants `dks-deep-mlp` can train (activation x weight initialization): the shared
 * {@link DKS_VARIANTS}.
 *
 * @example
 * ```ts
 * import { DKS_MLP_VARIANTS } from "./dks_deep_mlp.ts";
 * console.log(DKS_MLP_VARIANTS.length); // 6
 * ```
 */
export const DKS_MLP_VARIANTS: typeof DKS_VARIANTS = DKS_VARIANTS;

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
export type DksMlpVariant = DksVariant;

const schema = z.strictObject({
  ...mnistSplitFields(),
  ...dksVariantFields(),
  /** Hidden width. */
  width: z.number().int().min(2).max(8192).default(512),
}).refine((c) => c.batchSize <= c.trainSize, {
  message: "batchSize must be at most trainSize",
  path: ["batchSize"],
});

/** Config of `dks-deep-mlp` (every field has a default: the full preset). */
export type DksDeepMlpConfig = z.infer<typeof schema>;

/** Weights and biases of the hidden layers, then the 10-way readout. */
type MlpParams = LayerParams;

function forward(p: MlpParams, x: Tensor, act: Act, returnFeatures = false): Tensor {
  let h = x;
  const L = p.w.length - 1;
  for (let l = 0; l < L; l++) h = act(add(matmul(h, p.w[l]), p.b[l]));
  return returnFeatures ? h : add(matmul(h, p.w[L]), p.b[L]);
}

async function initParams(key: Key, dims: number[], recipe: VariantRecipe): Promise<MlpParams> {
  const w: Tensor[] = [], b: Tensor[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const k = random.foldIn(key, l);
    const [fi, fo] = [dims[l], dims[l + 1]];
    w.push(
      recipe.orthogonal
        ? await orthogonalInit(k, fi, fo)
        : scope(() => mul(random.normal(k, [fi, fo]), recipe.wStd / Math.sqrt(fi))),
    );
    b.push(zeros([fo]));
  }
  return { w, b };
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
    const raw = loadMnistInputs({
      train: c.trainSize,
      test: c.testSize,
      pool: c.pool,
      seed: ctx.seed,
    });
    const xTrain = standardizeRows(raw.xTrain);
    const xTest = standardizeRows(raw.xTest);
    dispose([raw.xTrain, raw.xTest, raw.yTrain]);
    const probeN = Math.min(64, c.trainSize);
    const dims = [raw.features, ...new Array(c.depth).fill(c.width), 10];
    return runDksVariants(c, ctx, {
      xTrain,
      xTest,
      yTrain: tensor(raw.labelsTrain, { shape: [c.trainSize], dtype: "i32" }),
      labelsTrain: raw.labelsTrain,
      labelsTest: raw.labelsTest,
      probeInputs: (await xTrain.read()).slice(0, probeN * raw.features),
      inputDim: raw.features,
    }, {
      init: (key, recipe) => initParams(key, dims, recipe),
      forward,
      featureDim: c.width,
      description:
        `Network: ${raw.features} inputs (${
          c.pool === 2 ? "14x14 pooled" : "28x28"
        } MNIST), ${c.depth} hidden layers of width ${c.width}, 10-way softmax readout, no skips, ` +
        "no normalization, zero biases.",
      chartTitle: `Training loss vs step, depth-${c.depth} width-${c.width} vanilla network`,
    });
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
