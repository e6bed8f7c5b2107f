/**
 * A Cholesky factorization of a regularized kernel matrix `A + reg I` that stays on the GPU, in
 * one of two arithmetics behind one interface (solve, log-determinant, positive-definiteness
 * check), so the predictors need not care which ran:
 *
 * - `"f32"`: the blocked f32 factorization of {@link choleskyGpuAsync} (matmul trailing updates).
 * - `"df64"`: double-float arithmetic (~48 mantissa bits) through the batched blocked kernels of
 *   `src/bnn/linalg` with a batch of one. Lee et al. (2020, Sec. 3.9 and Fig. 8) find that float32
 *   limits kernel methods beyond a critical dataset size, where the kernel's smallest eigenvalues
 *   fall below its resolution; df64 keeps the solve accurate there without reading the matrix
 *   back for a host f64 factorization (n^3 / 3 flops in JavaScript: minutes at n = 10,000). The
 *   kernel entries themselves stay f32, exactly as the host f64 path reads them.
 *
 * The regularizer follows neural-tangents (see {@link SolveConfig}). The df64 path needs it as a
 * number: a scaled one (the default mode, with diagReg > 0) is read back before factoring (one
 * GPU sync, ~11 ms on Deno's WebGPU); the f32 path keeps it on the GPU.
 *
 * @example
 * ```ts
 * import { factorPsdGpu } from "./psd_factor.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const f = await factorPsdGpu(tensor([[4, 2], [2, 5]]), { precision: "df64" });
 * const { x } = f.solve(tensor([[6], [7]]));
 * await f.check(); // throws NotPositiveDefiniteError for an indefinite matrix
 * console.log(await x.read(), f.method); // Float32Array [1, 1] "gpu-df64-cholesky"
 * f.dispose();
 * ```
 * @module
 */
import { InvalidArgumentError, NotPositiveDefiniteError, ShapeError } from "../../errors.ts";
import {
  dispose,
  log,
  matmul,
  mul,
  reshape,
  scope,
  slice,
  sum,
  type Tensor,
} from "../../gpu/mod.ts";
import { matmulDf64 } from "./df64_matmul.ts";
import { batchedCholesky } from "../../bnn/linalg/batched_cholesky.ts";
import { batchedTriSolve } from "../../bnn/linalg/batched_tri_solve.ts";
import { checkCholeskyStatus, choleskyGpuAsync } from "./cholesky.ts";
import { choSolveGpu } from "./triangular.ts";
import {
  choleskyMethod,
  gpuRegularizer,
  parseSolveOptions,
  type SolveConfig,
  type SolveOptions,
} from "./solve_options.ts";

/**
 * A factor of `A + reg I` on the GPU (from {@link factorPsdGpu}).
 *
 * @example
 * ```ts
 * import type { PsdFactor } from "./psd_factor.ts";
 * const m: PsdFactor["method"] = "gpu-df64-cholesky";
 * console.log(m);
 * ```
 */
export interface PsdFactor {
  /** Matrix size n. */
  readonly n: number;
  /** "gpu-f32-cholesky" or "gpu-df64-cholesky". */
  readonly method: string;
  /** X = (A + reg I)^-1 B for B [n, m], with products `C X` in the factor's precision. */
  solve(b: Tensor): PsdSolution;
  /** log det(A + reg I) as a one-element tensor `[1]` (NaN for df64 when not positive definite). */
  logdet(): Tensor;
  /** The absolute regularizer that was added (f32: read back from the GPU; call before dispose). */
  regularizer(): Promise<number>;
  /**
   * Resolves when the matrix was positive definite, else throws NotPositiveDefiniteError with a
   * diagReg suggestion (one readback). Call it once, after queuing the solves.
   */
  check(): Promise<void>;
  /** Frees the factor (solves already queued are unaffected); call it after `check`. */
  dispose(): void;
}

/**
 * Factors `a + reg I` on the GPU in `options.precision` ("f32", the default, or "df64"; "f64" is
 * the host path and throws here). `where` names the caller in errors.
 *
 * @example
 * ```ts
 * import { factorPsdGpu } from "./psd_factor.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const o = { diagReg: 1, diagRegMode: "absolute", precision: "df64" } as const;
 * const f = await factorPsdGpu(tensor([[1, 0], [0, 3]]), o);
 * console.log(await f.logdet().read(), await f.regularizer()); // [log 8] 1
 * f.dispose();
 * ```
 */
export async function factorPsdGpu(
  a: Tensor,
  options: SolveOptions = {},
  where = "factorPsdGpu",
): Promise<PsdFactor> {
  const o = parseSolveOptions(options, where);
  if (a.rank !== 2 || a.shape[0] !== a.shape[1]) {
    throw new ShapeError(`${where}: expected a square matrix, got [${a.shape.join(", ")}]`);
  }
  const n = a.shape[0];
  if (o.precision === "f32") return f32Factor(a, n, o, where);
  if (o.precision !== "df64") {
    throw new InvalidArgumentError(
      `${where}: factorPsdGpu runs precision "f32" or "df64" on the GPU, got "${o.precision}"`,
    );
  }
  // the factorization takes the regularizer as a number: known on the host unless it scales
  // with the mean diagonal, which costs one readback
  let reg = o.diagReg;
  if (o.diagRegMode === "scaled" && o.diagReg !== 0) {
    const regT = gpuRegularizer(a, o.diagReg, o.diagRegMode);
    reg = await regT.item();
    regT.dispose();
  }
  const a3 = reshape(a, [1, n, n]);
  const f = batchedCholesky(a3, { diag: reg, precision: "df64" });
  a3.dispose();
  return {
    n,
    method: choleskyMethod("df64"),
    solve(b) {
      checkRhs(b, n, where);
      const k = b.shape[1];
      const b3 = reshape(b, [1, n, k]);
      const fw = batchedTriSolve(f, b3); // L z = b, z kept in df64
      const bw = batchedTriSolve(f, fw.precise, { transpose: true }); // L^T x = z
      const x = reshape(bw.x, [n, k]);
      const precise = reshape(bw.precise, [n, k, 2]);
      dispose([b3, fw.x, fw.precise, fw.sumSquares, bw.x, bw.precise, bw.sumSquares]);
      return {
        x,
        leftMul: (c) => matmulDf64(c, precise),
        dispose: () => dispose([x, precise]),
      };
    },
    logdet: () => reshape(f.logdet, [1]),
    regularizer: () => Promise.resolve(reg),
    async check() {
      const [ld] = await f.logdet.read();
      if (Number.isNaN(ld)) {
        throw new NotPositiveDefiniteError(
          `${where} (GPU df64 Cholesky): matrix + ${reg} I is not positive definite even in ` +
            `double-float arithmetic; add a diagonal regularizer, e.g. diagReg: 1e-4 (relative ` +
            `to the mean diagonal)`,
        );
      }
    },
    dispose() {
      f.l.dispose();
      f.logdet.dispose();
    },
  };
}

/**
 * A solution X = (A + reg I)^-1 B of {@link PsdFactor.solve}.
 *
 * @example
 * ```ts
 * import { factorPsdGpu } from "./psd_factor.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const f = await factorPsdGpu(tensor([[2, 0], [0, 4]]), { precision: "df64" });
 * const s = f.solve(tensor([[2], [4]])); // X = [1, 1]
 * console.log(await s.leftMul(tensor([[1, 1]])).read()); // Float32Array [2]
 * s.dispose();
 * f.dispose();
 * ```
 */
export interface PsdSolution {
  /** X rounded to f32, [n, m]. */
  readonly x: Tensor;
  /** `c X` for c [t, n] (df64: from the double-float X, accumulated in df64, rounded once). */
  leftMul(c: Tensor): Tensor;
  /** Frees X (and its df64 copy). */
  dispose(): void;
}

function f32Factor(a: Tensor, n: number, o: SolveConfig, where: string): PsdFactor {
  const reg = gpuRegularizer(a, o.diagReg, o.diagRegMode);
  const { L, status } = choleskyGpuAsync(a, reg);
  return {
    n,
    method: choleskyMethod("f32"),
    solve(b) {
      checkRhs(b, n, where);
      const x = choSolveGpu(L, b);
      return { x, leftMul: (c) => matmul(c, x), dispose: () => x.dispose() };
    },
    logdet: () =>
      scope(() => reshape(mul(sum(log(slice(reshape(L, [n * n]), [[0, n * n, n + 1]]))), 2), [1])),
    regularizer: () => reg.item(), // the copy is queued at once: disposing reg after is safe
    check: () => checkCholeskyStatus(status, where),
    dispose() {
      L.dispose();
      reg.dispose();
    },
  };
}

function checkRhs(b: Tensor, n: number, where: string): void {
  if (b.rank !== 2 || b.shape[0] !== n) {
    throw new ShapeError(
      `${where}: right-hand side must be [${n}, m] for a ${n} x ${n} matrix, got ` +
        `[${b.shape.join(", ")}]`,
    );
  }
}
