/**
 * MNIST inputs for the kernel experiments: the seeded offline split from `src/nn`
 * (`loadMnistHost`), optional 2x2 or 4x4 average pooling (28x28 -> 14x14 or 7x7, used by quick presets to
 * cut cost 4x), per-example standardization or regularized ZCA whitening, and zero-mean one-hot
 * regression targets (0.9 for the true class, -0.1 elsewhere, as in Lee et al. 2020).
 *
 * @example
 * ```ts
 * import { loadMnistInputs } from "./mnist_inputs.ts";
 * const d = loadMnistInputs({ train: 20, test: 10, pool: 2, seed: 0 });
 * console.log(d.xTrain.shape, d.yTrain.shape, d.labelsTest.length); // [20, 196] [20, 10] 10
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import { type Tensor, tensor } from "../../gpu/mod.ts";
import { loadMnistHost } from "../../nn/datasets/mnist.ts";

/**
 * Inputs and targets on the GPU plus host labels.
 *
 * @example
 * ```ts
 * import type { MnistInputs } from "./mnist_inputs.ts";
 * const f = (d: MnistInputs) => d.labelsTrain.length;
 * console.log(typeof f); // "function"
 * ```
 */
export interface MnistInputs {
  /** Raw pixels in [0, 1], [train, d]. */
  xTrain: Tensor;
  /** Raw pixels, [test, d]. */
  xTest: Tensor;
  /** Targets one-hot - 0.1, [train, 10]. */
  yTrain: Tensor;
  /** Host copy of the test targets (one-hot - 0.1), [test * 10]. */
  yTestHost: Float32Array;
  /** Training labels. */
  labelsTrain: Int32Array;
  /** Test labels. */
  labelsTest: Int32Array;
  /** Features per example (784, or 196 / 49 pooled). */
  features: number;
}

/** f x f average pooling of 28x28 images stored as rows of 784 (f divides 28). */
function poolBy(x: Float32Array, n: number, f: number): Float32Array {
  const s = 28 / f;
  const o = new Float32Array(n * s * s);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < s; r++) {
      for (let c = 0; c < s; c++) {
        let acc = 0;
        for (let dr = 0; dr < f; dr++) {
          for (let dc = 0; dc < f; dc++) acc += x[i * 784 + (f * r + dr) * 28 + f * c + dc];
        }
        o[i * s * s + r * s + c] = acc / (f * f);
      }
    }
  }
  return o;
}

function targets(labels: Int32Array): Float32Array {
  const y = new Float32Array(labels.length * 10).fill(-0.1);
  labels.forEach((c, i) => (y[i * 10 + c] = 0.9));
  return y;
}

/**
 * Loads the split and builds tensors.
 *
 * @example
 * ```ts
 * import { loadMnistInputs } from "./mnist_inputs.ts";
 * console.log(loadMnistInputs({ train: 5, test: 5, pool: 1, seed: 1 }).features); // 784
 * ```
 */
export function loadMnistInputs(
  o: { train: number; test: number; pool: 1 | 2 | 4; seed: number },
): MnistInputs {
  if (o.pool !== 1 && o.pool !== 2 && o.pool !== 4) {
    throw new InvalidArgumentError(`loadMnistInputs: pool must be 1, 2 or 4, got ${o.pool}`);
  }
  const h = loadMnistHost({ train: o.train, test: o.test, seed: o.seed, scaling: "unit" });
  const tr = o.pool > 1 ? poolBy(h.xTrain, o.train, o.pool) : h.xTrain;
  const te = o.pool > 1 ? poolBy(h.xTest, o.test, o.pool) : h.xTest;
  const d = 784 / (o.pool * o.pool);
  return {
    xTrain: tensor(tr, { shape: [o.train, d] }),
    xTest: tensor(te, { shape: [o.test, d] }),
    yTrain: tensor(targets(h.labelsTrain), { shape: [o.train, 10] }),
    yTestHost: targets(h.labelsTest),
    labelsTrain: h.labelsTrain,
    labelsTest: h.labelsTest,
    features: d,
  };
}

/**
 * Classification accuracy of row-major predictions [n, k] (argmax) against labels.
 *
 * @example
 * ```ts
 * import { accuracy } from "./mnist_inputs.ts";
 * console.log(accuracy(Float32Array.of(0.1, 0.9, 0.8, 0.2), Int32Array.of(1, 1), 2)); // 0.5
 * ```
 */
export function accuracy(pred: ArrayLike<number>, labels: Int32Array, k = 10): number {
  let c = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (pred[i * k + j] > pred[i * k + best]) best = j;
    if (best === labels[i]) c++;
  }
  return labels.length ? c / labels.length : 0;
}

/**
 * Mean squared error over all entries.
 *
 * @example
 * ```ts
 * import { meanSquaredError } from "./mnist_inputs.ts";
 * console.log(meanSquaredError([1, 2], [1, 4])); // 2
 * ```
 */
export function meanSquaredError(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i] - y[i]) ** 2;
  return y.length ? s / y.length : 0;
}

/**
 * The zod fields every MNIST experiment config shares: training and test sizes (the MNIST
 * package holds 10,000 digits; 9,000 at most train so that test digits remain) and the
 * pooling factor. Spread them into a schema: `z.strictObject({ ...mnistSplitFields(), ... })`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { mnistSplitFields } from "./mnist_inputs.ts";
 * const schema = z.strictObject(mnistSplitFields());
 * console.log(schema.parse({})); // { trainSize: 8000, testSize: 1000, pool: 1 }
 * ```
 */
export function mnistSplitFields(): {
  trainSize: z.ZodDefault<z.ZodNumber>;
  testSize: z.ZodDefault<z.ZodNumber>;
  pool: z.ZodDefault<z.ZodUnion<readonly [z.ZodLiteral<1>, z.ZodLiteral<2>]>>;
} {
  return {
    /** Training examples (the MNIST package holds 10,000 digits in all). */
    trainSize: z.number().int().min(16).max(9000).default(8000),
    /** Test examples. */
    testSize: z.number().int().min(10).max(1000).default(1000),
    /** 1: 28x28 inputs; 2: 2x2 average pooling to 14x14 (4x cheaper first layer). */
    pool: z.union([z.literal(1), z.literal(2)]).default(1),
  };
}
