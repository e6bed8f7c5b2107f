/**
 * Triangular solves with a lower factor L: `L X = B` and `L^T X = B`, in f64 on the host and
 * blocked f32 on the GPU (64-row diagonal blocks solved one thread per right-hand side, the
 * off-diagonal updates through the core matmul). `choSolve*` chains the two to solve
 * (L L^T) X = B.
 *
 * @example
 * ```ts
 * import { choSolveHost, solveTriangularHost } from "./triangular.ts";
 * const L = Float64Array.from([2, 0, 1, 2]);
 * console.log(solveTriangularHost(L, 2, [2, 5], 1)); // Float64Array [1, 2]
 * console.log(choSolveHost(L, 2, [6, 7], 1)); // Float64Array [1, 1] ((L L^T) = [[4,2],[2,5]])
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { add, matmul, runtime, scope, slice, type Tensor } from "../../gpu/mod.ts";
import { grid } from "../../gpu/runtime.ts";
import { paramWords } from "../../gpu/kernels/indexing.ts";
import { subtractBlock } from "./cholesky.ts";
import { MAX_BLOCK, triDiagKernel } from "./wgsl.ts";

/**
 * Solves `L X = B` (or `L^T X = B` with `transpose`) for lower-triangular n x n `L` and n x m
 * `B` (row-major), in f64.
 *
 * @example
 * ```ts
 * import { solveTriangularHost } from "./triangular.ts";
 * const L = Float64Array.from([2, 0, 1, 2]);
 * console.log(solveTriangularHost(L, 2, [4, 4], 1, true)); // Float64Array [1, 2]
 * ```
 */
export function solveTriangularHost(
  L: ArrayLike<number>,
  n: number,
  B: ArrayLike<number>,
  m: number,
  transpose = false,
): Float64Array {
  if (L.length !== n * n || B.length !== n * m) {
    throw new ShapeError(
      `solveTriangular: L has ${L.length} entries (expected ${n * n}), B has ${B.length} ` +
        `(expected ${n} x ${m})`,
    );
  }
  const X = Float64Array.from(B);
  if (!transpose) {
    for (let i = 0; i < n; i++) {
      const oi = i * n;
      for (let k = 0; k < i; k++) {
        const l = L[oi + k];
        if (l === 0) continue;
        for (let c = 0; c < m; c++) X[i * m + c] -= l * X[k * m + c];
      }
      const d = L[oi + i];
      for (let c = 0; c < m; c++) X[i * m + c] /= d;
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      const d = L[i * n + i];
      for (let c = 0; c < m; c++) X[i * m + c] /= d;
      // eliminate x_i from rows k < i: row k of L^T is column k of L: L[i][k] for i > k
      for (let k = 0; k < i; k++) {
        const l = L[i * n + k];
        if (l === 0) continue;
        for (let c = 0; c < m; c++) X[k * m + c] -= l * X[i * m + c];
      }
    }
  }
  return X;
}

/**
 * Solves (L L^T) X = B given the lower Cholesky factor, in f64.
 *
 * @example
 * ```ts
 * import { choSolveHost } from "./triangular.ts";
 * console.log(choSolveHost([1, 0, 0, 1], 2, [3, 4], 1)); // Float64Array [3, 4]
 * ```
 */
export function choSolveHost(
  L: ArrayLike<number>,
  n: number,
  B: ArrayLike<number>,
  m: number,
): Float64Array {
  return solveTriangularHost(L, n, solveTriangularHost(L, n, B, m, false), m, true);
}

function checkGpu(L: Tensor, B: Tensor, where: string): [number, number] {
  if (L.rank !== 2 || L.shape[0] !== L.shape[1]) {
    throw new ShapeError(`${where}: L must be square, got [${L.shape.join(", ")}]`);
  }
  if (B.rank !== 2 || B.shape[0] !== L.shape[0]) {
    throw new ShapeError(
      `${where}: B must be [${L.shape[0]}, m], got [${B.shape.join(", ")}] for L ` +
        `[${L.shape.join(", ")}]`,
    );
  }
  if (L.dtype !== "f32" || B.dtype !== "f32") {
    throw new InvalidArgumentError(`${where}: expected f32 operands, got ${L.dtype}, ${B.dtype}`);
  }
  return [L.shape[0], B.shape[1]];
}

/**
 * Solves `L X = B` (or `L^T X = B`) on the GPU in f32 (blocked; no readback). L is lower
 * triangular n x n, B is n x m.
 *
 * @example
 * ```ts
 * import { solveTriangularGpu } from "./triangular.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const x = solveTriangularGpu(tensor([[2, 0], [1, 2]]), tensor([[2], [5]]));
 * console.log(await x.read()); // Float32Array [1, 2]
 * ```
 */
export function solveTriangularGpu(L: Tensor, B: Tensor, transpose = false): Tensor {
  const [n, m] = checkGpu(L, B, "solveTriangular");
  const rt = runtime();
  // A private copy of B that the block kernels overwrite in place.
  const X = add(B, 0);
  const starts: number[] = [];
  for (let k0 = 0; k0 < n; k0 += MAX_BLOCK) starts.push(k0);
  if (transpose) starts.reverse();
  for (const k0 of starts) {
    const nb = Math.min(MAX_BLOCK, n - k0);
    const w = paramWords();
    w.u[0] = n;
    w.u[1] = k0;
    w.u[2] = nb;
    w.u[3] = m;
    rt.dispatch(
      triDiagKernel(transpose),
      [L.buffer("solveTriangular")],
      [X.buffer()],
      w.u,
      grid(m),
    );
    scope(() => {
      const xb = slice(X, [[k0, k0 + nb]]);
      if (!transpose && k0 + nb < n) {
        // X[k0+nb:] -= L[k0+nb:, k0:k0+nb] X[k0:k0+nb]
        const l21 = slice(L, [[k0 + nb, n], [k0, k0 + nb]]);
        subtractBlock(X, matmul(l21, xb), k0 + nb, 0, false);
      } else if (transpose && k0 > 0) {
        // X[:k0] -= L[k0:k0+nb, :k0]^T X[k0:k0+nb]
        const l10 = slice(L, [[k0, k0 + nb], [0, k0]]);
        subtractBlock(X, matmul(l10, xb, { transA: true }), 0, 0, false);
      }
    });
  }
  return X;
}

/**
 * Solves (L L^T) X = B on the GPU in f32 given the lower factor (no readback).
 *
 * @example
 * ```ts
 * import { choSolveGpu } from "./triangular.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const x = choSolveGpu(tensor([[2, 0], [1, 2]]), tensor([[6], [7]]));
 * console.log(await x.read()); // Float32Array [1, 1]
 * ```
 */
export function choSolveGpu(L: Tensor, B: Tensor): Tensor {
  return scope(() => solveTriangularGpu(L, solveTriangularGpu(L, B, false), true));
}
