/**
 * Parameter initialisers: Dense weights in the NTK or standard parameterization (as in
 * neural-tangents' `stax.Dense`), orthogonal matrices, and plain normal draws.
 *
 * Parameterizations (neural-tangents conventions, `n_in` = fan-in):
 * - `"ntk"`: `W ~ N(0, 1)`, `b ~ N(0, 1)`; the layer computes `y = (wStd / sqrt(n_in)) x W + bStd b`.
 * - `"standard"`: `W ~ N(0, wStd^2 / n_in)`, `b ~ N(0, bStd^2)`; the layer computes `y = x W + b`.
 *
 * Defaults follow neural-tangents: `wStd = 1`, `bStd = 0`. With `bStd = 0` the standard
 * parameterization starts from a zero bias, while the NTK parameterization multiplies the bias by
 * zero, so the `b` leaf is kept (for a uniform tree structure) but has no effect.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { denseInit } from "./init.ts";
 * const { w, b } = denseInit(random.key(0), 784, 256, { parameterization: "standard", wStd: 1.4 });
 * console.log(w.shape, b.shape); // [784, 256] [256]
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";
import { random, type Tensor, tensor, zeros } from "../gpu/mod.ts";
import { hostRng, type KeyOrSeed, toKey } from "./host_rng.ts";
import { parseOptions } from "../options.ts";

/** How a Dense layer's weights are scaled (see the module doc). */
export type Parameterization = "ntk" | "standard";

/** Options of {@link denseInit} and the `dense` layer. */
export interface DenseOptions {
  /** `"ntk"` (default, as neural-tangents) or `"standard"`. */
  parameterization?: Parameterization;
  /** Weight standard deviation sigma_w (default 1). */
  wStd?: number;
  /** Bias standard deviation sigma_b (default 0). */
  bStd?: number;
}

/** The parameters of a Dense layer: `w` [in, out] and `b` [out]. */
export type DenseParams = { w: Tensor; b: Tensor };

const denseSchema = z.object({
  parameterization: z.enum(["ntk", "standard"]).default("ntk"),
  wStd: z.number().nonnegative().finite().default(1),
  bStd: z.number().nonnegative().finite().default(0),
}).strict();

/**
 * Validates Dense options and fills in the defaults.
 *
 * @example
 * ```ts
 * import { denseOptions } from "./init.ts";
 * denseOptions("dense", {}); // { parameterization: "ntk", wStd: 1, bStd: 0 }
 * ```
 */
export function denseOptions(where: string, options: DenseOptions = {}): Required<DenseOptions> {
  return parseOptions(denseSchema, options, where);
}

/**
 * Checks that a dimension is a positive integer, naming it otherwise.
 *
 * @example
 * ```ts
 * import { checkDim } from "./init.ts";
 * checkDim("dense", "outDim", 10);
 * ```
 */
export function checkDim(where: string, name: string, d: unknown): number {
  if (typeof d !== "number" || !Number.isInteger(d) || d < 1) {
    throw new InvalidArgumentError(
      `${where}: ${name} must be a positive integer, got ${String(d)}`,
    );
  }
  return d;
}

/**
 * Initial Dense parameters `{ w: [inDim, outDim], b: [outDim] }` for the chosen
 * parameterization (see the module doc for the distributions).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { denseInit } from "./init.ts";
 * const p = denseInit(random.key(1), 3, 2); // NTK: w, b ~ N(0, 1)
 * console.log(p.w.shape); // [3, 2]
 * ```
 */
export function denseInit(
  key: KeyOrSeed,
  inDim: number,
  outDim: number,
  options: DenseOptions = {},
): DenseParams {
  const k = toKey(key, "denseInit");
  checkDim("denseInit", "inDim", inDim);
  checkDim("denseInit", "outDim", outDim);
  const o = denseOptions("denseInit", options);
  const [kw, kb] = random.split(k);
  if (o.parameterization === "ntk") {
    return { w: random.normal(kw, [inDim, outDim]), b: random.normal(kb, [outDim]) };
  }
  const w = random.normal(kw, [inDim, outDim], 0, o.wStd / Math.sqrt(inDim));
  const b = o.bStd === 0 ? zeros([outDim]) : random.normal(kb, [outDim], 0, o.bStd);
  return { w, b };
}

/**
 * A `rows x cols` matrix with orthonormal columns (rows >= cols) or rows (rows < cols), times
 * `gain`: the QR factor of a Gaussian matrix with the sign of R's diagonal folded in, so it is
 * Haar-distributed (Saxe et al. 2014). Computed on the host in f64 from a host stream of `key`
 * (O(rows * cols * min(rows, cols)) work), then uploaded.
 *
 * @example
 * ```ts
 * import { matmul, random } from "../gpu/mod.ts";
 * import { orthogonalInit } from "./init.ts";
 * const q = orthogonalInit(random.key(0), 4, 3);
 * console.log(await matmul(q, q, { transA: true }).toArray()); // ~ identity [3, 3]
 * ```
 */
export function orthogonalInit(key: KeyOrSeed, rows: number, cols: number, gain = 1): Tensor {
  const k = toKey(key, "orthogonalInit");
  checkDim("orthogonalInit", "rows", rows);
  checkDim("orthogonalInit", "cols", cols);
  if (!Number.isFinite(gain)) {
    throw new InvalidArgumentError(`orthogonalInit: gain must be finite, got ${gain}`);
  }
  return tensor(orthogonalHost(k, rows, cols, gain), { shape: [rows, cols] });
}

/**
 * The matrix of {@link orthogonalInit} as a host row-major Float32Array.
 *
 * @example
 * ```ts
 * import { orthogonalHost } from "./init.ts";
 * orthogonalHost(0, 2, 2).length; // 4
 * ```
 */
export function orthogonalHost(key: KeyOrSeed, rows: number, cols: number, gain = 1): Float32Array {
  const r = hostRng(toKey(key, "orthogonalInit"));
  const n = Math.max(rows, cols), m = Math.min(rows, cols);
  // Columns q_j (length n) of a Gaussian n x m matrix, orthonormalised by modified Gram-Schmidt
  // with re-orthogonalisation (twice is enough in f64). R's diagonal is the norm before
  // normalisation, which is positive here, so the Haar sign correction is built in.
  const q: Float64Array[] = [];
  for (let j = 0; j < m; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = r.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let d = 0;
        for (let i = 0; i < n; i++) d += u[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= d * u[i];
      }
    }
    let nrm = 0;
    for (let i = 0; i < n; i++) nrm += v[i] * v[i];
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < n; i++) v[i] /= nrm;
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      // rows >= cols: out[i, j] = q_j[i]; rows < cols: out = Q^T, out[j, i] = q_j[i].
      if (rows >= cols) out[i * cols + j] = gain * q[j][i];
      else out[j * cols + i] = gain * q[j][i];
    }
  }
  return out;
}

/**
 * N(0, std^2) draws of the given shape (a thin, validated wrapper of `random.normal`).
 *
 * @example
 * ```ts
 * import { normalInit } from "./init.ts";
 * normalInit(0, [2, 2], 0.1).shape; // [2, 2]
 * ```
 */
export function normalInit(key: KeyOrSeed, shape: readonly number[], std = 1): Tensor {
  const k = toKey(key, "normalInit");
  if (!(Number.isFinite(std) && std >= 0)) {
    throw new InvalidArgumentError(`normalInit: std must be a finite number >= 0, got ${std}`);
  }
  return random.normal(k, shape, 0, std);
}
