/**
 * Regularized positive-definite solves and log-determinants with a precision switch:
 * `precision: "f32"` runs the blocked Cholesky and triangular solves on the GPU in float32;
 * `"df64"` runs them on the GPU in double-float arithmetic (~48 mantissa bits, see
 * `psd_factor.ts`); `"f64"` reads the matrix back once and works in float64 on the host. Results
 * say which ran (`method`). Lee et al. (2020) found that float32 limits kernel methods beyond a
 * critical dataset size (the kernel's smallest eigenvalues fall below float32 resolution); the
 * df64 and f64 paths keep the solve accurate there.
 *
 * The regularizer follows neural-tangents: `diagReg` is multiplied by the mean diagonal of the
 * matrix (`diagRegMode: "scaled"`, the default) or added as is (`"absolute"`).
 *
 * @example
 * ```ts
 * import { solvePsd } from "./psd_solve.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const a = tensor([[4, 2], [2, 5]]), b = tensor([[6], [7]]);
 * const r32 = await solvePsd(a, b, { precision: "f32" });
 * const rdf = await solvePsd(a, b, { precision: "df64" });
 * const r64 = await solvePsd(a, b, { precision: "f64" });
 * console.log(await r32.x.read(), r32.method, rdf.method, r64.method);
 * // [1, 1] "gpu-f32-cholesky" "gpu-df64-cholesky" "host-f64-cholesky"
 * ```
 * @module
 */
import { ShapeError } from "../../errors.ts";
import { reshape, type Tensor, tensor } from "../../gpu/mod.ts";
import { choleskyHost } from "./cholesky.ts";
import { factorPsdGpu } from "./psd_factor.ts";
import {
  checkSquare,
  choleskyMethod,
  hostRegularizer,
  parseSolveOptions,
  type SolveOptions,
} from "./solve_options.ts";
import { choSolveHost } from "./triangular.ts";

export {
  checkSquare,
  choleskyMethod,
  gpuRegularizer,
  hostRegularizer,
  parseSolveOptions,
  type Precision,
  type SolveConfig,
  type SolveOptions,
  solveOptionsSchema,
} from "./solve_options.ts";

/**
 * Result of {@link solvePsd}.
 *
 * @example
 * ```ts
 * import type { PsdSolve } from "./psd_solve.ts";
 * const r: Partial<PsdSolve> = { method: "host-f64-cholesky" };
 * console.log(r.method); // "host-f64-cholesky"
 * ```
 */
export interface PsdSolve {
  /** The solution X of (A + reg I) X = B (f32 tensor). */
  x: Tensor;
  /** "gpu-f32-cholesky", "gpu-df64-cholesky" or "host-f64-cholesky". */
  method: string;
}

/**
 * Solves (A + reg I) X = B for symmetric positive-definite A (n x n) and B (n x m).
 * Throws NotPositiveDefiniteError (suggesting a diagReg) instead of returning NaNs.
 *
 * @example
 * ```ts
 * import { solvePsd } from "./psd_solve.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const { x } = await solvePsd(tensor([[1, 0], [0, 1]]), tensor([[2], [4]]),
 *   { diagReg: 1, diagRegMode: "absolute", precision: "f64" });
 * console.log(await x.read()); // Float32Array [1, 2]
 * ```
 */
export async function solvePsd(
  a: Tensor,
  b: Tensor,
  options: SolveOptions = {},
): Promise<PsdSolve> {
  const o = parseSolveOptions(options, "solvePsd");
  const n = checkSquare(a, "solvePsd");
  if (b.rank !== 2 || b.shape[0] !== n) {
    throw new ShapeError(
      `solvePsd: B must be [${n}, m] for A [${n}, ${n}], got [${b.shape.join(", ")}]`,
    );
  }
  const m = b.shape[1];
  if (o.precision === "f64") {
    const [ah, bh] = await Promise.all([a.read(), b.read()]);
    const A = Float64Array.from(ah);
    const reg = hostRegularizer(A, n, o.diagReg, o.diagRegMode);
    for (let i = 0; i < n; i++) A[i * n + i] += reg;
    const L = choleskyHost(A, n);
    const x = choSolveHost(L, n, bh, m);
    return { x: tensor(Float32Array.from(x), { shape: [n, m] }), method: choleskyMethod("f64") };
  }
  const f = await factorPsdGpu(a, o, "solvePsd");
  const sol = f.solve(b);
  const x = reshape(sol.x, sol.x.shape); // a view: outlives the solution's other buffers
  sol.dispose();
  try {
    await f.check();
  } catch (e) {
    x.dispose();
    throw e;
  } finally {
    f.dispose();
  }
  return { x, method: f.method };
}

/**
 * log det(A + reg I) of a symmetric positive-definite matrix, with the method that ran.
 *
 * @example
 * ```ts
 * import { logdet } from "./psd_solve.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const r = await logdet(tensor([[2, 0], [0, 3]]), { precision: "f64" });
 * console.log(r.value.toFixed(6), r.method); // "1.791759" "host-f64-cholesky"
 * ```
 */
export async function logdet(
  a: Tensor,
  options: SolveOptions = {},
): Promise<{ value: number; method: string }> {
  const o = parseSolveOptions(options, "logdet");
  const n = checkSquare(a, "logdet");
  if (o.precision === "f64") {
    const A = Float64Array.from(await a.read());
    const reg = hostRegularizer(A, n, o.diagReg, o.diagRegMode);
    for (let i = 0; i < n; i++) A[i * n + i] += reg;
    return { value: logdetHost(choleskyHost(A, n), n), method: choleskyMethod("f64") };
  }
  const f = await factorPsdGpu(a, o, "logdet");
  const ld = f.logdet();
  try {
    const [[value]] = await Promise.all([ld.read(), f.check()]);
    return { value, method: f.method };
  } finally {
    ld.dispose();
    f.dispose();
  }
}

/**
 * 2 * sum(log diag L) for a host lower Cholesky factor.
 *
 * @example
 * ```ts
 * import { logdetHost } from "./psd_solve.ts";
 * console.log(logdetHost([2, 0, 1, 2], 2).toFixed(6)); // "2.772589" (log 16)
 * ```
 */
export function logdetHost(L: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]);
  return 2 * s;
}
