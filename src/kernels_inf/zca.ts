/**
 * Input preprocessing from Lee et al. (2020), section 3.9: per-example standardization and
 * regularized ZCA whitening.
 *
 * `standardizeRows` centres each example (row) and scales it to unit variance over its
 * features. `zcaWhiten` then computes the training feature covariance C = X^T X / n on the GPU,
 * reads it back once, eigendecomposes it in f64 on the host (d x d: 784 x 784 takes a few
 * seconds), and applies W = V (L + eps I)^{-1/2} V^T to train and test inputs on the GPU, with
 * `eps = zcaReg * tr(C) / d` (the regularizer is relative to the mean eigenvalue, as in the
 * paper). Whitened rows are re-standardized by default so the input kernel keeps the same
 * scale with and without ZCA.
 *
 * @example
 * ```ts
 * import { zcaWhiten } from "./zca.ts";
 * import { random } from "../gpu/mod.ts";
 * const x = random.normal(random.key(0), [64, 8]);
 * const { train, test } = await zcaWhiten(x, null, { zcaReg: 0.1 });
 * console.log(train.shape, test); // [64, 8] null
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { div, matmul, mean, scope, sqrt, square, sub, type Tensor, tensor } from "../gpu/mod.ts";
import { add } from "../gpu/mod.ts";
import { eighHost } from "./linalg/eigh.ts";

/**
 * Each row centred and scaled to unit variance over its features: (x - mean) / sqrt(var + eps).
 *
 * @example
 * ```ts
 * import { standardizeRows } from "./zca.ts";
 * import { tensor } from "../gpu/mod.ts";
 * console.log(await standardizeRows(tensor([[1, 3]])).read()); // Float32Array [-1, 1]
 * ```
 */
export function standardizeRows(x: Tensor, eps = 1e-12): Tensor {
  if (x.rank !== 2) {
    throw new ShapeError(`standardizeRows: expected [N, d], got [${x.shape.join(", ")}]`);
  }
  return scope(() => {
    const c = sub(x, mean(x, 1, true));
    return div(c, sqrt(add(mean(square(c), 1, true), eps)));
  });
}

/**
 * Options of {@link zcaWhiten}.
 *
 * @example
 * ```ts
 * import type { ZcaOptions } from "./zca.ts";
 * const o: ZcaOptions = { zcaReg: 0.1, standardize: true };
 * console.log(o.zcaReg); // 0.1
 * ```
 */
export interface ZcaOptions {
  /** Regularizer relative to the mean eigenvalue tr(C)/d (default 0.1). */
  zcaReg?: number;
  /** Standardize rows before whitening (default true). */
  standardize?: boolean;
  /** Standardize rows again after whitening (default true). */
  restandardize?: boolean;
}

const schema = z.strictObject({
  zcaReg: z.number().nonnegative().finite().default(0.1),
  standardize: z.boolean().default(true),
  restandardize: z.boolean().default(true),
});

/**
 * Regularized ZCA whitening fitted on `xTrain` and applied to `xTrain` and `xTest`.
 * Returns GPU tensors and the whitening matrix W (d x d).
 *
 * @example
 * ```ts
 * import { zcaWhiten } from "./zca.ts";
 * import { random } from "../gpu/mod.ts";
 * const a = random.normal(random.key(1), [100, 4]);
 * const w = await zcaWhiten(a, random.normal(random.key(2), [10, 4]), { zcaReg: 0 });
 * console.log(w.test!.shape, w.whitening.shape); // [10, 4] [4, 4]
 * ```
 */
export async function zcaWhiten(
  xTrain: Tensor,
  xTest: Tensor | null = null,
  options: ZcaOptions = {},
): Promise<{ train: Tensor; test: Tensor | null; whitening: Tensor }> {
  const r = schema.safeParse(options);
  if (!r.success) {
    const iss = r.error.issues[0];
    throw new InvalidArgumentError(`zcaWhiten: option ${iss.path.join(".")}: ${iss.message}`);
  }
  const o = r.data;
  if (xTrain.rank !== 2 || (xTest && (xTest.rank !== 2 || xTest.shape[1] !== xTrain.shape[1]))) {
    throw new ShapeError(
      `zcaWhiten: inputs must be [N, d] with the same d, got [${xTrain.shape}]` +
        (xTest ? ` and [${xTest.shape}]` : ""),
    );
  }
  const [n, d] = xTrain.shape;
  const a = o.standardize ? standardizeRows(xTrain) : xTrain;
  const b = xTest ? (o.standardize ? standardizeRows(xTest) : xTest) : null;
  const cov = scope(() => div(matmul(a, a, { transA: true }), n));
  const C = Float64Array.from(await cov.read());
  cov.dispose();
  let tr = 0;
  for (let i = 0; i < d; i++) tr += C[i * d + i];
  const eps = (o.zcaReg * tr) / d;
  const { values, vectors } = eighHost(C, d);
  const scale = values.map((v) => {
    const s = Math.max(v, 0) + eps;
    return s > 0 ? 1 / Math.sqrt(s) : 0;
  });
  const W = new Float32Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += vectors[i * d + k] * scale[k] * vectors[j * d + k];
      W[i * d + j] = W[j * d + i] = s;
    }
  }
  const whitening = tensor(W, { shape: [d, d] });
  const apply = (x: Tensor) =>
    scope(() => {
      const y = matmul(x, whitening);
      return o.restandardize ? standardizeRows(y) : y;
    });
  const train = apply(a);
  const test = b ? apply(b) : null;
  if (a !== xTrain) a.dispose();
  if (b && b !== xTest) b.dispose();
  return { train, test, whitening };
}
