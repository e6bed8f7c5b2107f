/**
 * Options shared by the kernel-matrix solvers and predictors: the diagonal regularizer
 * (neural-tangents' `diag_reg`, scaled by the mean diagonal by default or absolute) and the
 * arithmetic of the Cholesky factorization (`precision`): "f32" and "df64" on the GPU, "f64" on
 * the host. Results name the method that ran (`choleskyMethod`).
 *
 * @example
 * ```ts
 * import { choleskyMethod, parseSolveOptions } from "./solve_options.ts";
 * const o = parseSolveOptions({ diagReg: 1e-4, precision: "df64" }, "demo");
 * console.log(choleskyMethod(o.precision)); // "gpu-df64-cholesky"
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { mean, mul, reshape, scope, slice, type Tensor, tensor } from "../../gpu/mod.ts";

/** Arithmetic for kernel-matrix solves. */
export type Precision = "f32" | "df64" | "f64";

/**
 * Regularization and precision options shared by the solvers and predictors.
 *
 * @example
 * ```ts
 * import type { SolveOptions } from "./solve_options.ts";
 * const o: SolveOptions = { diagReg: 1e-4, diagRegMode: "scaled", precision: "f64" };
 * console.log(o.precision); // "f64"
 * ```
 */
export interface SolveOptions {
  /** Diagonal regularizer (default 0). */
  diagReg?: number;
  /** "scaled" (default): diagReg times the mean diagonal; "absolute": diagReg itself. */
  diagRegMode?: "scaled" | "absolute";
  /** "f32" (GPU, default), "df64" (GPU, double-float) or "f64" (host). */
  precision?: Precision;
}

/**
 * zod schema of {@link SolveOptions} (with defaults).
 *
 * @example
 * ```ts
 * import { solveOptionsSchema } from "./solve_options.ts";
 * console.log(solveOptionsSchema.parse({}).diagRegMode); // "scaled"
 * ```
 */
export const solveOptionsSchema: z.ZodType<SolveConfig, SolveOptions> = z.object({
  diagReg: z.number().nonnegative().finite().default(0),
  diagRegMode: z.enum(["scaled", "absolute"]).default("scaled"),
  precision: z.enum(["f32", "df64", "f64"]).default("f32"),
});

/**
 * Parsed {@link SolveOptions}: every field filled in.
 *
 * @example
 * ```ts
 * import type { SolveConfig } from "./solve_options.ts";
 * const c: SolveConfig = { diagReg: 0, diagRegMode: "scaled", precision: "df64" };
 * console.log(c.precision); // "df64"
 * ```
 */
export interface SolveConfig {
  /** Diagonal regularizer. */
  diagReg: number;
  /** How diagReg applies. */
  diagRegMode: "scaled" | "absolute";
  /** Arithmetic of the factorization. */
  precision: Precision;
}

/**
 * Validates solve options, naming the offending field.
 *
 * @example
 * ```ts
 * import { parseSolveOptions } from "./solve_options.ts";
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
 * import { choleskyMethod } from "./solve_options.ts";
 * console.log(choleskyMethod("f64")); // "host-f64-cholesky"
 * ```
 */
export function choleskyMethod(p: Precision): string {
  return p === "f64" ? "host-f64-cholesky" : `gpu-${p}-cholesky`;
}

/**
 * The size n of a square matrix `a` ([n, n]); a ShapeError naming `where` otherwise.
 *
 * @example
 * ```ts
 * import { checkSquare } from "./solve_options.ts";
 * import { eye } from "../../gpu/mod.ts";
 * console.log(checkSquare(eye(3), "demo")); // 3
 * ```
 */
export function checkSquare(a: Tensor, where: string): number {
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
 * import { hostRegularizer } from "./solve_options.ts";
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
 * import { gpuRegularizer } from "./solve_options.ts";
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
