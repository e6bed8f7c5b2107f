/**
 * Regularized positive-definite solves and log-determinants with a precision switch:
 * `precision: "f32"` runs the blocked Cholesky and triangular solves on the GPU in float32;
 * `precision: "f64"` reads the matrix back once and works in float64 on the host. Results say
 * which ran (`method`). Lee et al. (2020) found that float32 limits kernel methods beyond a
 * critical dataset size (the kernel's smallest eigenvalues fall below float32 resolution); the
 * f64 path keeps the solve accurate there.
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
 * const r64 = await solvePsd(a, b, { precision: "f64" });
 * console.log(await r32.x.read(), r32.method, r64.method); // [1, 1] "gpu-f32-cholesky" "host-f64-cholesky"
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { log, mean, mul, reshape, scope, slice, sum, type Tensor, tensor } from "../../gpu/mod.ts";
import { checkCholeskyStatus, choleskyGpuAsync, choleskyHost } from "./cholesky.ts";
import { choSolveGpu, choSolveHost } from "./triangular.ts";

/** Arithmetic for kernel-matrix solves. */
export type Precision = "f32" | "f64";

/**
 * Regularization and precision options shared by the solvers and predictors.
 *
 * @example
 * ```ts
 * import type { SolveOptions } from "./psd_solve.ts";
 * const o: SolveOptions = { diagReg: 1e-4, diagRegMode: "scaled", precision: "f64" };
 * console.log(o.precision); // "f64"
 * ```
 */
export interface SolveOptions {
  /** Diagonal regularizer (default 0). */
  diagReg?: number;
  /** "scaled" (default): diagReg times the mean diagonal; "absolute": diagReg itself. */
  diagRegMode?: "scaled" | "absolute";
  /** "f32" (GPU, default) or "f64" (host). */
  precision?: Precision;
}

/**
 * zod schema of {@link SolveOptions} (with defaults).
 *
 * @example
 * ```ts
 * import { solveOptionsSchema } from "./psd_solve.ts";
 * console.log(solveOptionsSchema.parse({}).diagRegMode); // "scaled"
 * ```
 */
export const solveOptionsSchema = z.object({
  diagReg: z.number().nonnegative().finite().default(0),
  diagRegMode: z.enum(["scaled", "absolute"]).default("scaled"),
  precision: z.enum(["f32", "f64"]).default("f32"),
});

/** Parsed {@link SolveOptions}. */
export type SolveConfig = z.infer<typeof solveOptionsSchema>;

/**
 * Validates solve options, naming the offending field.
 *
 * @example
 * ```ts
 * import { parseSolveOptions } from "./psd_solve.ts";
 * console.log(parseSolveOptions({ diagReg: 0.1 }, "demo").precision); // "f32"
 * ```
 */
export function parseSolveOptions(options: SolveOptions, where: string): SolveConfig {
  const r = solveOptionsSchema.safeParse(options);
  if (!r.success) {
    const iss = r.error.issues[0];
    const field = iss.path.join(".") || "(options)";
    const got = (options as Record<string, unknown>)[String(iss.path[0])];
    throw new InvalidArgumentError(
      `${where}: option ${field} is invalid (got ${JSON.stringify(got)}): ${iss.message}`,
    );
  }
  return r.data;
}

/**
 * Method label of a Cholesky-based solve.
 *
 * @example
 * ```ts
 * import { choleskyMethod } from "./psd_solve.ts";
 * console.log(choleskyMethod("f64")); // "host-f64-cholesky"
 * ```
 */
export function choleskyMethod(p: Precision): string {
  return p === "f32" ? "gpu-f32-cholesky" : "host-f64-cholesky";
}

function checkSquare(a: Tensor, where: string): number {
  if (a.rank !== 2 || a.shape[0] !== a.shape[1]) {
    throw new ShapeError(`${where}: expected a square matrix, got [${a.shape.join(", ")}]`);
  }
  return a.shape[0];
}

/**
 * The absolute regularizer on the host: diagReg, times the mean of `a`'s diagonal when scaled.
 *
 * @example
 * ```ts
 * import { hostRegularizer } from "./psd_solve.ts";
 * console.log(hostRegularizer(Float64Array.from([2, 0, 0, 4]), 2, 0.5, "scaled")); // 1.5
 * ```
 */
export function hostRegularizer(
  a: ArrayLike<number>,
  n: number,
  diagReg: number,
  mode: "scaled" | "absolute",
): number {
  if (mode === "absolute" || diagReg === 0) return diagReg;
  let tr = 0;
  for (let i = 0; i < n; i++) tr += a[i * n + i];
  return (diagReg * tr) / n;
}

/**
 * The regularizer as a one-element GPU tensor (no readback).
 *
 * @example
 * ```ts
 * import { gpuRegularizer } from "./psd_solve.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * console.log(await gpuRegularizer(tensor([[2, 0], [0, 4]]), 0.5, "scaled").read()); // [1.5]
 * ```
 */
export function gpuRegularizer(a: Tensor, diagReg: number, mode: "scaled" | "absolute"): Tensor {
  if (mode === "absolute" || diagReg === 0) return tensor([diagReg]);
  const n = checkSquare(a, "regularizer");
  return scope(() => {
    const d = slice(reshape(a, [n * n]), [[0, n * n, n + 1]]);
    return reshape(mul(mean(d), diagReg), [1]);
  });
}

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
  /** "gpu-f32-cholesky" or "host-f64-cholesky". */
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
  const reg = gpuRegularizer(a, o.diagReg, o.diagRegMode);
  const { L, status } = choleskyGpuAsync(a, reg);
  reg.dispose();
  const x = choSolveGpu(L, b);
  L.dispose();
  try {
    await checkCholeskyStatus(status, "solvePsd");
  } catch (e) {
    x.dispose();
    throw e;
  }
  return { x, method: choleskyMethod("f32") };
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
  const reg = gpuRegularizer(a, o.diagReg, o.diagRegMode);
  const { L, status } = choleskyGpuAsync(a, reg);
  reg.dispose();
  const ld = scope(() => mul(sum(log(slice(reshape(L, [n * n]), [[0, n * n, n + 1]]))), 2));
  L.dispose();
  const [value] = await Promise.all([ld.item(), checkCholeskyStatus(status, "logdet")]);
  ld.dispose();
  return { value, method: choleskyMethod("f32") };
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
