/**
 * Constants and types shared by the batched linear-algebra modules (the factorization, solves and
 * inverse import them from here, so `batched_cholesky.ts` can use the solves without an import
 * cycle). `batched_cholesky.ts` re-exports all of them.
 *
 * @example
 * ```ts
 * import { LINALG_BLOCK, linalgMethodFor } from "./common.ts";
 * console.log(LINALG_BLOCK, linalgMethodFor("auto", 256)); // 32 "blocked"
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import type { Tensor } from "../../gpu/tensor.ts";
import type { Precision } from "./numeric_wgsl.ts";

/**
 * Threads per workgroup of the batched linear-algebra kernels.
 *
 * @example
 * ```ts
 * import { LINALG_WG } from "./common.ts";
 * console.log(LINALG_WG); // 256
 * ```
 */
export const LINALG_WG = 256;

/**
 * Panel width (columns) of the blocked factorization, solves and inverse.
 *
 * @example
 * ```ts
 * import { LINALG_BLOCK } from "./batched_cholesky.ts";
 * console.log(Math.ceil(256 / LINALG_BLOCK)); // 8 panels for a 256 x 256 Gram matrix
 * ```
 */
export const LINALG_BLOCK = 32;

/**
 * `"auto"` uses the blocked kernels for matrices larger than this (see {@link linalgMethodFor}).
 *
 * @example
 * ```ts
 * import { BLOCKED_MIN_SIZE } from "./batched_cholesky.ts";
 * console.log(BLOCKED_MIN_SIZE); // 64
 * ```
 */
export const BLOCKED_MIN_SIZE = 64;

/**
 * How the batched kernels spread a factorization or solve over the GPU: `"workgroup"` (one
 * workgroup per matrix, one dispatch), `"blocked"` (panels of {@link LINALG_BLOCK} columns, many
 * workgroups per matrix, a few dispatches per panel) or `"auto"` (blocked when m > 64).
 *
 * @example
 * ```ts
 * import type { LinalgMethod } from "./batched_cholesky.ts";
 * const m: LinalgMethod = "blocked";
 * console.log(m); // "blocked"
 * ```
 */
export type LinalgMethod = "auto" | "blocked" | "workgroup";

/**
 * Resolves `"auto"` for a matrix of size m: `"blocked"` when m > {@link BLOCKED_MIN_SIZE}, else
 * `"workgroup"`. Throws InvalidArgumentError for an unknown method.
 *
 * @example
 * ```ts
 * import { linalgMethodFor } from "./batched_cholesky.ts";
 * console.log(linalgMethodFor("auto", 256), linalgMethodFor("auto", 48)); // "blocked" "workgroup"
 * ```
 */
export function linalgMethodFor(
  method: LinalgMethod | undefined,
  m: number,
  where = "linalg",
): "blocked" | "workgroup" {
  const v = method ?? "auto";
  if (v === "auto") return m > BLOCKED_MIN_SIZE ? "blocked" : "workgroup";
  if (v === "blocked" || v === "workgroup") return v;
  throw new InvalidArgumentError(
    `${where}: method must be "auto", "blocked" or "workgroup", got ${JSON.stringify(v)}`,
  );
}

/**
 * A batch of lower-triangular Cholesky factors `A_c + diag I = L_c L_c^T` living on the GPU.
 *
 * @example
 * ```ts
 * import { eye, reshape } from "../../gpu/mod.ts";
 * import { batchedCholesky, type CholeskyFactor } from "./batched_cholesky.ts";
 * const f: CholeskyFactor = batchedCholesky(reshape(eye(3), [1, 3, 3]), { precision: "f32" });
 * console.log(f.l.shape); // [1, 3, 3]
 * ```
 */
export interface CholeskyFactor {
  /** L: `[C, m, m]` (f32) or `[C, m, m, 2]` (df64 hi/lo pairs); zero above the diagonal. */
  readonly l: Tensor;
  /** log det(A_c + diag I) = 2 sum log L_ii, per matrix `[C]` (NaN when not positive definite). */
  readonly logdet: Tensor;
  /** Arithmetic the factor was computed (and is stored) in. */
  readonly precision: Precision;
  /** Number of matrices C. */
  readonly batch: number;
  /** Matrix size m. */
  readonly size: number;
}
