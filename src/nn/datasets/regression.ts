/**
 * Synthetic regression problems with known ground truth: a noisy linear model and a noisy 1-D
 * sine. Inputs and noise come from a host stream of the key (identical on every machine); the
 * result holds GPU tensors plus the host arrays and true coefficients for reference checks.
 *
 * @example
 * ```ts
 * import { linearRegression } from "./regression.ts";
 * const d = linearRegression(0, { n: 100, dim: 3 });
 * console.log(d.x.shape, d.y.shape, d.wTrue.length); // [100, 3] [100, 1] 3
 * ```
 * @module
 */
import { z } from "zod";
import { UnknownNameError } from "../../errors.ts";
import { type Tensor, tensor } from "../../gpu/mod.ts";
import { hostRng, type KeyOrSeed, toKey } from "../host_rng.ts";
import { parseOptions } from "../../options.ts";

/** A regression data set: GPU tensors and their host copies. */
export interface RegressionData {
  /** Inputs f32 [n, dim]. */
  x: Tensor;
  /** Targets f32 [n, outDim]. */
  y: Tensor;
  /** Host inputs, row-major. */
  xHost: Float32Array;
  /** Host targets, row-major. */
  yHost: Float32Array;
  /** True weights [dim, outDim] row-major (linear), empty for the sine problem. */
  wTrue: Float32Array;
  /** True biases [outDim] (linear), empty for the sine problem. */
  bTrue: Float32Array;
}

/** Options of {@link linearRegression}. */
export interface LinearRegressionOptions {
  /** Examples (default 256). */
  n?: number;
  /** Input dimension (default 8). */
  dim?: number;
  /** Output dimension (default 1). */
  outDim?: number;
  /** Standard deviation of the Gaussian target noise (default 0.1). */
  noise?: number;
}

/** Options of {@link sineRegression}. */
export interface SineRegressionOptions {
  /** Examples (default 128). */
  n?: number;
  /** Standard deviation of the target noise (default 0.05). */
  noise?: number;
  /** Inputs uniform in [xMin, xMax] (default [-pi, pi]). */
  xMin?: number;
  /** Upper end of the input range. */
  xMax?: number;
  /** Frequency: y = sin(frequency x) (default 1). */
  frequency?: number;
}

const linSchema = z.object({
  n: z.number().int().min(1).default(256),
  dim: z.number().int().min(1).default(8),
  outDim: z.number().int().min(1).default(1),
  noise: z.number().finite().min(0).default(0.1),
}).strict();

const sinSchema = z.object({
  n: z.number().int().min(1).default(128),
  noise: z.number().finite().min(0).default(0.05),
  xMin: z.number().finite().default(-Math.PI),
  xMax: z.number().finite().default(Math.PI),
  frequency: z.number().finite().default(1),
}).strict().refine((o) => o.xMax > o.xMin, { message: "expected xMax > xMin", path: ["xMax"] });

/**
 * `y = x W + b + noise` with `x, W, b ~ N(0, 1)` (W scaled by 1/sqrt(dim)).
 *
 * @example
 * ```ts
 * import { linearRegression } from "./regression.ts";
 * linearRegression(1, { n: 10, dim: 2, outDim: 2, noise: 0 }).y.shape; // [10, 2]
 * ```
 */
export function linearRegression(
  key: KeyOrSeed,
  options: LinearRegressionOptions = {},
): RegressionData {
  const o = parseOptions(linSchema, options, "linearRegression");
  const r = hostRng(toKey(key, "linearRegression"));
  const wTrue = Float32Array.from(
    { length: o.dim * o.outDim },
    () => r.normal() / Math.sqrt(o.dim),
  );
  const bTrue = Float32Array.from({ length: o.outDim }, () => r.normal());
  const xHost = Float32Array.from({ length: o.n * o.dim }, () => r.normal());
  const yHost = new Float32Array(o.n * o.outDim);
  for (let i = 0; i < o.n; i++) {
    for (let j = 0; j < o.outDim; j++) {
      let s = bTrue[j];
      for (let k = 0; k < o.dim; k++) s += xHost[i * o.dim + k] * wTrue[k * o.outDim + j];
      yHost[i * o.outDim + j] = s + o.noise * r.normal();
    }
  }
  return {
    x: tensor(xHost, { shape: [o.n, o.dim] }),
    y: tensor(yHost, { shape: [o.n, o.outDim] }),
    xHost,
    yHost,
    wTrue,
    bTrue,
  };
}

/**
 * `y = sin(frequency x) + noise`, x uniform in [xMin, xMax]; x and y are [n, 1].
 *
 * @example
 * ```ts
 * import { sineRegression } from "./regression.ts";
 * sineRegression(0, { n: 20 }).x.shape; // [20, 1]
 * ```
 */
export function sineRegression(
  key: KeyOrSeed,
  options: SineRegressionOptions = {},
): RegressionData {
  const o = parseOptions(sinSchema, options, "sineRegression");
  const r = hostRng(toKey(key, "sineRegression"));
  const xHost = Float32Array.from({ length: o.n }, () => o.xMin + (o.xMax - o.xMin) * r.uniform());
  const yHost = Float32Array.from(xHost, (x) => Math.sin(o.frequency * x) + o.noise * r.normal());
  return {
    x: tensor(xHost, { shape: [o.n, 1] }),
    y: tensor(yHost, { shape: [o.n, 1] }),
    xHost,
    yHost,
    wTrue: new Float32Array(0),
    bTrue: new Float32Array(0),
  };
}

/** Names accepted by {@link regression}. */
export type RegressionName = "linear" | "sine";

/**
 * A synthetic regression problem by name (`"linear"` or `"sine"`).
 *
 * @example
 * ```ts
 * import { regression } from "./regression.ts";
 * regression("sine", 0, { n: 8 }).y.shape; // [8, 1]
 * ```
 */
export function regression(
  name: RegressionName,
  key: KeyOrSeed,
  options: LinearRegressionOptions | SineRegressionOptions = {},
): RegressionData {
  if (name === "linear") return linearRegression(key, options as LinearRegressionOptions);
  if (name === "sine") return sineRegression(key, options as SineRegressionOptions);
  throw new UnknownNameError(
    `regression: unknown dataset ${JSON.stringify(name)}; expected one of: linear, sine`,
  );
}
