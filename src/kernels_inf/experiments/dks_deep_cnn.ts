/**
 * `dks-deep-cnn`: Deep Kernel Shaping (Martens et al. 2021) for a deep vanilla convolutional
 * network, the setting of the paper's main results. `depth` stride-1 "same" convolutions
 * (no skip connections, no normalization layers) on MNIST digits, then global average pooling
 * and a 10-way dense readout, trained with the same optimizer and budget under each variant of
 * `dks_variants.ts`. The orthogonal variants draw every hidden filter bank from the
 * Delta-orthogonal distribution (Xiao et al. 2018; DKS section 7): zero except an orthogonal
 * centre tap, so at initialization each convolution acts as a dense orthogonal layer at every
 * location and the DKS and TAT transforms solved for a chain of `depth` layers apply unchanged.
 * The one-channel input layer is instead a scaled orthogonal map of the whole k x k patch
 * (deepmind/dks's `delta=False`), so each location starts from its neighbourhood rather than one
 * pixel. The Gaussian variants use LeCun/He fan-in scaling over kh * kw * channels.
 *
 * Inputs are per-example standardized over all pixels (mean q = 1) and fed as one channel.
 *
 * @example
 * ```ts
 * import { dksDeepCnn } from "./dks_deep_cnn.ts";
 * const config = dksDeepCnn.schema.parse({ ...dksDeepCnn.presets.quick });
 * console.log(dksDeepCnn.name, config.kernelSize); // "dks-deep-cnn" 3
 * ```
 * @module
 */
import { z } from "zod";
import {
  add,
  conv2d,
  dispose,
  type Key,
  matmul,
  mean,
  mul,
  random,
  reshape,
  scope,
  type Tensor,
  tensor,
  zeros,
} from "../../gpu/mod.ts";
import { parseExperimentConfig } from "../../report/config.ts";
import type { Experiment, ExperimentContext, ExperimentResult } from "../../report/experiment.ts";
import { deltaOrthogonalInit, orthogonalInit } from "../dks/orthogonal_init.ts";
import { standardizeRows } from "../zca.ts";
import {
  type Act,
  dksVariantFields,
  type LayerParams,
  runDksVariants,
  type VariantRecipe,
} from "./dks_variants.ts";
import { loadMnistInputs, mnistSplitFields } from "./mnist_inputs.ts";

const schema = z.strictObject({
  ...mnistSplitFields(),
  /** 1: 28x28 digits; 2: 2x2 average pooling to 14x14; 4: 4x4 pooling to 7x7. */
  pool: z.union([z.literal(1), z.literal(2), z.literal(4)]).default(2),
  ...dksVariantFields(),
  /** Channels of every hidden convolution. */
  channels: z.number().int().min(1).max(2048).default(64),
  /** Odd filter size (kernelSize x kernelSize); the Delta initialization needs a centre tap. */
  kernelSize: z.number().int().min(1).max(15).refine((k) => k % 2 === 1, {
    message: "kernelSize must be odd",
  }).default(3),
}).refine((c) => c.batchSize <= c.trainSize, {
  message: "batchSize must be at most trainSize",
  path: ["batchSize"],
});

/** Config of `dks-deep-cnn` (every field has a default: the full preset). */
export type DksDeepCnnConfig = z.infer<typeof schema>;

/** Filter banks [k, k, in, out] and biases of the convolutions, then the readout [C, 10]. */
type CnnParams = LayerParams;

function forward(p: CnnParams, x: Tensor, act: Act, returnFeatures = false): Tensor {
  let h = x;
  const L = p.w.length - 1;
  for (let l = 0; l < L; l++) h = act(add(conv2d(h, p.w[l], { padding: "same" }), p.b[l]));
  if (returnFeatures) {
    const [n, hh, ww, c] = h.shape;
    return reshape(h, [n, hh * ww * c]);
  }
  return add(matmul(mean(h, [1, 2]), p.w[L]), p.b[L]);
}

async function initParams(
  key: Key,
  c: { depth: number; channels: number; kernelSize: number },
  recipe: VariantRecipe,
): Promise<CnnParams> {
  const w: Tensor[] = [], b: Tensor[] = [];
  const k = c.kernelSize;
  for (let l = 0; l < c.depth; l++) {
    const kl = random.foldIn(key, l);
    const cin = l === 0 ? 1 : c.channels;
    const shape = [k, k, cin, c.channels] as [number, number, number, number];
    let wl: Tensor;
    if (!recipe.orthogonal) {
      wl = scope(() => mul(random.normal(kl, shape), recipe.wStd / Math.sqrt(k * k * cin)));
    } else if (l > 0) {
      wl = await deltaOrthogonalInit(kl, shape);
    } else {
      // The one-channel input layer is a scaled orthogonal map of the whole k x k patch (the
      // reference's delta = False): a Delta filter would see one pixel, so every location's
      // features would be its pixel value times one fixed vector, and a positively homogeneous
      // activation (TAT's leaky ReLU) would leave globally pooled features nearly the same for
      // every digit.
      const flat = await orthogonalInit(kl, k * k * cin, c.channels);
      wl = reshape(flat, shape);
      flat.dispose();
    }
    w.push(wl);
    b.push(zeros([c.channels]));
  }
  const kr = random.foldIn(key, c.depth);
  w.push(
    recipe.orthogonal
      ? await orthogonalInit(kr, c.channels, 10)
      : scope(() => mul(random.normal(kr, [c.channels, 10]), recipe.wStd / Math.sqrt(c.channels))),
  );
  b.push(zeros([10]));
  return { w, b };
}

/**
 * The `dks-deep-cnn` experiment (see the module doc).
 *
 * @example
 * ```ts
 * import { dksDeepCnn } from "./dks_deep_cnn.ts";
 * console.log(dksDeepCnn.keyMetric); // "loss_ratio_standard_over_dks"
 * console.log(dksDeepCnn.schema.safeParse({ kernelSize: 2 }).success); // false
 * ```
 */
export const dksDeepCnn: Experiment<DksDeepCnnConfig> = {
  name: "dks-deep-cnn",
  module: "kernels_inf",
  description: "Deep vanilla CNN on MNIST: DKS tanh and TAT leaky ReLU (with Delta-orthogonal " +
    "init) vs standard tanh + LeCun init and ReLU + He init (Martens et al. 2021; Zhang et al. " +
    "2022).",
  claim: "With Deep Kernel Shaping (transformed activation + Delta-orthogonal init), a deep " +
    "vanilla convolutional network without skip connections or normalization trains much " +
    "faster than with the standard activation and initialization.",
  schema,
  presets: {
    quick: {
      trainSize: 2048,
      testSize: 500,
      depth: 16,
      channels: 64,
      variants: ["dks", "standard", "tat", "relu_he"],
      batchSize: 128,
      steps: 200,
      readEvery: 10,
      lr: 2e-3,
    },
    full: {
      depth: 32,
      channels: 128,
      batchSize: 128,
      steps: 2000,
    },
  },
  keyMetric: "loss_ratio_standard_over_dks",
  notInRunAll: "its quick preset is sized for a GPU: DKS needs wide layers, and 200 steps " +
    "of 16 convolutions of 64 channels take hours on a software adapter",
  async run(config: DksDeepCnnConfig, ctx: ExperimentContext): Promise<ExperimentResult> {
    const c = parseDksDeepCnnConfig(config);
    const raw = loadMnistInputs({
      train: c.trainSize,
      test: c.testSize,
      pool: c.pool,
      seed: ctx.seed,
    });
    const side = 28 / c.pool;
    const images = (x: Tensor, n: number) =>
      scope(() => reshape(standardizeRows(x), [n, side, side, 1]));
    const xTrain = images(raw.xTrain, c.trainSize);
    const xTest = images(raw.xTest, c.testSize);
    dispose([raw.xTrain, raw.xTest, raw.yTrain]);
    const probeN = Math.min(64, c.trainSize);
    const k = c.kernelSize;
    return runDksVariants(c, ctx, {
      xTrain,
      xTest,
      yTrain: tensor(raw.labelsTrain, { shape: [c.trainSize], dtype: "i32" }),
      labelsTrain: raw.labelsTrain,
      labelsTest: raw.labelsTest,
      probeInputs: (await xTrain.read()).slice(0, probeN * side * side),
      inputDim: side * side,
    }, {
      init: (key, recipe) => initParams(key, c, recipe),
      forward,
      featureDim: side * side * c.channels,
      description: `Network: ${side}x${side} MNIST digits (one channel), ${c.depth} ${k}x${k} ` +
        `stride-1 "same" convolutions of ${c.channels} channels, global average pooling, ` +
        "10-way softmax readout, no skips, no normalization, zero biases.",
      chartTitle: `Training loss vs step, depth-${c.depth} ${c.channels}-channel vanilla CNN`,
    });
  },
};

/**
 * Checks a config against the schema and throws an InvalidArgumentError listing the issues
 * (the runner reports them the same way).
 *
 * @example
 * ```ts
 * import { parseDksDeepCnnConfig } from "./dks_deep_cnn.ts";
 * console.log(parseDksDeepCnnConfig({ depth: 8 }).depth); // 8
 * ```
 */
export function parseDksDeepCnnConfig(config: unknown): DksDeepCnnConfig {
  return parseExperimentConfig("dks-deep-cnn", schema, config);
}
