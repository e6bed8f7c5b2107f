import {
  add,
  dispose,
  grad,
  matmul,
  mul,
  scope,
  sub,
  sum,
  type Tensor,
  tensor,
} from "../../gpu/mod.ts";
import { sigmoidCrossEntropy } from "../../nn/mod.ts";
import { InvalidArgumentError } from "../../errors.ts";
import type { SparseRows } from "./hashed_features.ts";
import type { LogisticModel, LogisticTrainOptions } from "./logistic_regression.ts";

/**
 * Options of {@link trainLogisticRegressionGpu}: those of the host trainer plus
 * a per-step callback and an abort signal.
 *
 * @example
 * ```ts
 * import type { GpuLogisticTrainOptions } from "./gpu_logistic_regression.ts";
 * const o: GpuLogisticTrainOptions = { steps: 100, onStep: (s) => void s };
 * console.log(o.steps);
 * ```
 */
export interface GpuLogisticTrainOptions extends LogisticTrainOptions {
  /** Called after each step is queued (no GPU read-back happens). */
  onStep?: (step: number) => void;
  /** Stops training early (the weights so far are returned). */
  signal?: AbortSignal;
}

/**
 * Trains logistic regression on the GPU with the gpusci tensor core: the
 * feature rows become a dense f32 [n, d] tensor, the loss is
 * `sigmoidCrossEntropy` (src/nn) of `X w + b` plus (l2 / 2) |w|^2, and each
 * full-batch gradient step uses `grad` (reverse-mode autodiff) inside `scope`.
 * The weights are read back once, at the end. Same objective, schedule and zero
 * start as the host trainer `trainLogisticRegression`, so the two agree to f32
 * rounding.
 *
 * @example
 * ```ts
 * import { hashedBagOfWords } from "./hashed_features.ts";
 * import { trainLogisticRegressionGpu } from "./gpu_logistic_regression.ts";
 * import { predictLogistic } from "./logistic_regression.ts";
 * const x = hashedBagOfWords(["free money", "win money", "meeting notes", "project notes"], 32);
 * const m = await trainLogisticRegressionGpu(x, [1, 1, 0, 0], { steps: 50, learningRate: 8 });
 * console.log(Array.from(predictLogistic(m, x)).map((p) => p > 0.5)); // [true, true, false, false]
 * ```
 * @param x Feature rows (densified on upload: n x d floats must fit the GPU buffer limit).
 * @param y Labels, 0 or 1, one per row.
 * @param options Steps, learning rate, L2, callback and signal.
 * @returns The trained weights (as f64 arrays).
 */
export async function trainLogisticRegressionGpu(
  x: SparseRows,
  y: readonly number[],
  options: GpuLogisticTrainOptions = {},
): Promise<LogisticModel> {
  const steps = options.steps ?? 300;
  const lr = options.learningRate ?? 8;
  const l2 = options.l2 ?? 1e-4;
  if (y.length !== x.rows) {
    throw new InvalidArgumentError(
      `trainLogisticRegressionGpu: ${y.length} labels for ${x.rows} rows`,
    );
  }
  if (!Number.isInteger(steps) || steps < 0) {
    throw new InvalidArgumentError(`trainLogisticRegressionGpu: steps must be >= 0, got ${steps}`);
  }
  const n = x.rows, d = x.cols;
  const dense = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) dense[i * d + x.indices[k]] += x.values[k];
  }
  const xs = tensor(dense, { shape: [n, d] });
  const ys = tensor(Float32Array.from(y), { shape: [n, 1] });
  let params = {
    w: tensor(new Float32Array(d), { shape: [d, 1] }),
    b: tensor(new Float32Array(1), { shape: [1] }),
  };
  const loss = (p: { w: Tensor; b: Tensor }): Tensor =>
    add(
      sigmoidCrossEntropy(add(matmul(xs, p.w), p.b), ys),
      mul(sum(mul(p.w, p.w)), l2 / 2),
    );
  const gradient = grad(loss);
  try {
    for (let step = 0; step < steps; step++) {
      if (options.signal?.aborted) break;
      const next = scope(() => {
        const g = gradient(params);
        return { w: sub(params.w, mul(g.w, lr)), b: sub(params.b, mul(g.b, lr)) };
      });
      dispose(params);
      params = next;
      options.onStep?.(step + 1);
    }
    const [w, b] = [await params.w.read(), await params.b.read()];
    return { weights: Float64Array.from(w as Float32Array), bias: (b as Float32Array)[0] };
  } finally {
    dispose([params, xs, ys]);
  }
}
