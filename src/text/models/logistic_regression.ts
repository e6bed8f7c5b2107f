import { InvalidArgumentError } from "../../errors.ts";
import type { SparseRows } from "./hashed_features.ts";

/**
 * Weights of a binary logistic-regression model p(y=1|x) = sigmoid(w.x + b).
 *
 * @example
 * ```ts
 * import type { LogisticModel } from "./logistic_regression.ts";
 * const m: LogisticModel = { weights: new Float64Array(3), bias: 0 };
 * console.log(m.weights.length);
 * ```
 */
export interface LogisticModel {
  /** One weight per feature. */
  weights: Float64Array;
  /** The intercept. */
  bias: number;
}

/**
 * Options of {@link trainLogisticRegression}.
 *
 * @example
 * ```ts
 * import type { LogisticTrainOptions } from "./logistic_regression.ts";
 * const o: LogisticTrainOptions = { steps: 200, learningRate: 8, l2: 1e-4 };
 * console.log(o.steps);
 * ```
 */
export interface LogisticTrainOptions {
  /** Full-batch gradient steps (default 300). */
  steps?: number;
  /** Step size (default 8; features are unit-norm rows). */
  learningRate?: number;
  /** L2 penalty on the weights (default 1e-4). */
  l2?: number;
}

/**
 * HOST-SIDE f64 trainer (the GPU trainer is `trainLogisticRegressionGpu`): full-batch gradient descent on the mean binary
 * cross-entropy plus (l2 / 2) |w|^2, over sparse rows. Deterministic (zero
 * initialization, fixed order). Same objective and schedule as the GPU
 * trainer; used when no GPU is wanted or available, and as its f64 reference.
 *
 * @example
 * ```ts
 * import { hashedBagOfWords } from "./hashed_features.ts";
 * import { predictLogistic, trainLogisticRegression } from "./logistic_regression.ts";
 * const x = hashedBagOfWords(["free money", "win money", "meeting notes", "project notes"], 32);
 * const m = trainLogisticRegression(x, [1, 1, 0, 0], { steps: 200 });
 * console.log(Array.from(predictLogistic(m, x)).map((p) => p > 0.5)); // [true, true, false, false]
 * ```
 * @param x Feature rows.
 * @param y Labels, 0 or 1, one per row.
 * @param options Steps, learning rate and L2.
 * @returns The trained weights.
 */
export function trainLogisticRegression(
  x: SparseRows,
  y: readonly number[],
  options: LogisticTrainOptions = {},
): LogisticModel {
  const steps = options.steps ?? 300;
  const lr = options.learningRate ?? 8;
  const l2 = options.l2 ?? 1e-4;
  if (y.length !== x.rows) {
    throw new InvalidArgumentError(
      `trainLogisticRegression: ${y.length} labels for ${x.rows} rows`,
    );
  }
  if (!Number.isInteger(steps) || steps < 0) {
    throw new InvalidArgumentError(`trainLogisticRegression: steps must be >= 0, got ${steps}`);
  }
  const w = new Float64Array(x.cols);
  let b = 0;
  const grad = new Float64Array(x.cols);
  const n = x.rows;
  for (let step = 0; step < steps; step++) {
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let z = b;
      for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) z += w[x.indices[k]] * x.values[k];
      const r = sigmoid(z) - y[i];
      gb += r;
      for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) grad[x.indices[k]] += r * x.values[k];
    }
    for (let j = 0; j < w.length; j++) w[j] -= lr * (grad[j] / n + l2 * w[j]);
    b -= lr * (gb / n);
  }
  return { weights: w, bias: b };
}

/**
 * Probabilities p(y=1|x) for each row.
 *
 * @example
 * ```ts
 * import { predictLogistic } from "./logistic_regression.ts";
 * import { hashedBagOfWords } from "./hashed_features.ts";
 * const x = hashedBagOfWords(["a"], 4);
 * console.log(predictLogistic({ weights: new Float64Array(4), bias: 0 }, x)[0]); // 0.5
 * ```
 * @param model The weights.
 * @param x Feature rows.
 * @returns One probability per row.
 */
export function predictLogistic(model: LogisticModel, x: SparseRows): Float64Array {
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let z = model.bias;
    for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) {
      z += model.weights[x.indices[k]] * x.values[k];
    }
    out[i] = sigmoid(z);
  }
  return out;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
