/**
 * Cholesky factorization A = L L^T of symmetric positive-definite matrices: f64 on the host and
 * a blocked right-looking f32 factorization on the GPU.
 *
 * Host f64 (`choleskyHost`): the row-oriented Cholesky-Crout loop, n^3/3 flops; about 0.2 s for
 * n = 1,000 and 20-40 s for n = 5,000 in JavaScript on one core.
 *
 * GPU f32 (`choleskyGpu`): blocks of 64 columns; per block, the diagonal block is factored in
 * workgroup memory, the panel below it is solved (one thread per row), and the trailing matrix
 * gets `A22 -= L21 L21^T` through the core's register-blocked matmul (Golub & Van Loan, section
 * 4.2). Nothing is read back until the status check: a pivot that is not positive records its
 * index and the factorization continues with finite stand-ins, so the caller gets a
 * NotPositiveDefiniteError (suggesting a diagReg), never NaNs.
 *
 * @example
 * ```ts
 * import { choleskyGpu, choleskyHost } from "./cholesky.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * console.log(choleskyHost([4, 2, 2, 5], 2)); // Float64Array [2, 0, 1, 2]
 * const L = await choleskyGpu(tensor([[4, 2], [2, 5]]));
 * console.log(await L.read()); // Float32Array [2, 0, 1, 2]
 * ```
 * @module
 */
import { InvalidArgumentError, NotPositiveDefiniteError, ShapeError } from "../../errors.ts";
import { full, matmul, runtime, scope, slice, Tensor } from "../../gpu/mod.ts";
import { grid } from "../../gpu/runtime.ts";
import { paramWords } from "../../gpu/kernels/indexing.ts";
import {
  cholDiagKernel,
  cholPanelKernel,
  copyDiagKernel,
  MAX_BLOCK,
  subtractBlockKernel,
} from "./wgsl.ts";

/** The advice every not-positive-definite error carries. */
export const DIAG_REG_HINT: string =
  "add a diagonal regularizer, e.g. diagReg: 1e-4 (relative to the " +
  'mean diagonal), or use precision: "f64"';

/**
 * Lower Cholesky factor (row-major, zeros above the diagonal) of a symmetric n x n matrix in
 * f64. Only the lower triangle of `a` is read. Throws NotPositiveDefiniteError naming the pivot.
 *
 * @example
 * ```ts
 * import { choleskyHost } from "./cholesky.ts";
 * try { choleskyHost([1, 2, 2, 1], 2); } catch (e) { console.log((e as Error).name); }
 * // "NotPositiveDefiniteError"
 * ```
 */
export function choleskyHost(a: ArrayLike<number>, n: number): Float64Array {
  if (a.length !== n * n) {
    throw new ShapeError(`cholesky: matrix has ${a.length} entries, expected n * n = ${n * n}`);
  }
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let j = 0; j <= i; j++) {
      const oj = j * n;
      let s = a[oi + j];
      for (let k = 0; k < j; k++) s -= L[oi + k] * L[oj + k];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) {
          throw new NotPositiveDefiniteError(
            `cholesky (host f64): matrix of size ${n} is not positive definite: pivot ${i} is ` +
              `${s} (diagonal entry ${a[oi + i]}); ${DIAG_REG_HINT}`,
          );
        }
        L[oi + i] = Math.sqrt(s);
      } else {
        L[oi + j] = s / L[oj + j];
      }
    }
  }
  return L;
}

/**
 * A GPU factorization in flight: the factor and a u32 status (0xffffffff when every pivot was
 * positive, else the first failing pivot). Check with {@link checkCholeskyStatus}.
 *
 * @example
 * ```ts
 * import type { GpuCholesky } from "./cholesky.ts";
 * const f: Partial<GpuCholesky> = {};
 * console.log(Object.keys(f).length); // 0
 * ```
 */
export interface GpuCholesky {
  /** Lower factor, n x n f32, zeros above the diagonal. */
  L: Tensor;
  /** u32 [1]: 0xffffffff when positive definite, else the first failing pivot index. */
  status: Tensor;
}

function dispatchP(
  spec: ReturnType<typeof cholDiagKernel>,
  ins: Tensor[],
  outs: Tensor[],
  fill: (u: Uint32Array, f: Float32Array) => void,
  groups: [number, number, number],
): void {
  const w = paramWords();
  fill(w.u, w.f);
  runtime().dispatch(
    spec,
    ins.map((t) => t.buffer("cholesky")),
    outs.map((t) => t.buffer()),
    w.u,
    groups,
  );
}

/**
 * In-place `W[r0.., c0..] -= M` (lower triangle only when `lower`).
 *
 * @internal
 */
export function subtractBlock(W: Tensor, M: Tensor, r0: number, c0: number, lower: boolean): void {
  const [h, w] = M.shape;
  const ld = W.shape[1];
  dispatchP(subtractBlockKernel(lower), [M], [W], (u) => {
    u[4] = r0;
    u[5] = c0;
    u[6] = w;
    u[7] = ld;
    u[8] = h * w;
  }, grid(h * w));
}

/**
 * Starts a blocked f32 Cholesky of `a + diagReg I` on the GPU without waiting for it.
 * `diagReg` may be a number or a one-element f32 tensor (computed on the GPU, e.g. a scaled
 * regularizer), so nothing is read back.
 *
 * @example
 * ```ts
 * import { choleskyGpuAsync, checkCholeskyStatus } from "./cholesky.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const f = choleskyGpuAsync(tensor([[1, 0], [0, 1]]), 1);
 * await checkCholeskyStatus(f.status, "demo");
 * console.log(await f.L.read()); // Float32Array [1.414.., 0, 0, 1.414..]
 * ```
 */
export function choleskyGpuAsync(a: Tensor, diagReg: number | Tensor = 0): GpuCholesky {
  if (a.rank !== 2 || a.shape[0] !== a.shape[1]) {
    throw new ShapeError(`cholesky: expected a square matrix, got shape [${a.shape.join(", ")}]`);
  }
  if (a.dtype !== "f32") throw new InvalidArgumentError(`cholesky: expected f32, got ${a.dtype}`);
  if (typeof diagReg === "number" && !Number.isFinite(diagReg)) {
    throw new InvalidArgumentError(`cholesky: diagReg must be finite, got ${diagReg}`);
  }
  const n = a.shape[0];
  const W = Tensor.empty([n, n], "f32", "cholesky");
  const status = full([1], 0xffffffff, "u32");
  const reg = typeof diagReg === "number" ? full([1], diagReg) : diagReg;
  dispatchP(copyDiagKernel(), [a, reg], [W], (u, f) => {
    u[0] = n;
    u[8] = n * n;
    u[9] = 0;
    f[12] = 1;
  }, grid(n * n));
  if (reg !== diagReg) reg.dispose();
  const nbMax = MAX_BLOCK;
  for (let k0 = 0; k0 < n; k0 += nbMax) {
    const nb = Math.min(nbMax, n - k0);
    dispatchP(cholDiagKernel(), [], [W, status], (u) => {
      u[0] = n;
      u[1] = k0;
      u[2] = nb;
    }, [1, 1, 1]);
    const rest = n - k0 - nb;
    if (rest <= 0) break;
    dispatchP(cholPanelKernel(), [], [W], (u) => {
      u[0] = n;
      u[1] = k0;
      u[2] = nb;
    }, grid(rest, 64));
    scope(() => {
      const L21 = slice(W, [[k0 + nb, n], [k0, k0 + nb]]);
      const M = matmul(L21, L21, { transB: true });
      subtractBlock(W, M, k0 + nb, k0 + nb, true);
    });
  }
  // Clear the (stale) upper triangle.
  const L = Tensor.empty([n, n], "f32", "cholesky");
  dispatchP(copyDiagKernel(), [W, W], [L], (u) => {
    u[0] = n;
    u[8] = n * n;
    u[9] = 1;
  }, grid(n * n));
  W.dispose();
  return { L, status };
}

/**
 * Reads a factorization status (one GPU sync) and throws NotPositiveDefiniteError if a pivot
 * failed. Disposes `status`.
 *
 * @example
 * ```ts
 * import { checkCholeskyStatus, choleskyGpuAsync } from "./cholesky.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const f = choleskyGpuAsync(tensor([[1, 2], [2, 1]]));
 * await checkCholeskyStatus(f.status, "demo").catch((e) => console.log(e.name));
 * // "NotPositiveDefiniteError"
 * ```
 */
export async function checkCholeskyStatus(status: Tensor, where: string): Promise<void> {
  const s = (await status.read())[0];
  status.dispose();
  if (s !== 0xffffffff) {
    throw new NotPositiveDefiniteError(
      `${where} (GPU f32 Cholesky): matrix is not positive definite in float32: pivot ${s} ` +
        `was not > 0; ${DIAG_REG_HINT}`,
    );
  }
}

/**
 * Blocked f32 Cholesky on the GPU of `a + diagReg I`; waits for the status (one sync) and throws
 * NotPositiveDefiniteError when a pivot fails.
 *
 * @example
 * ```ts
 * import { choleskyGpu } from "./cholesky.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const L = await choleskyGpu(tensor([[9, 3], [3, 5]]));
 * console.log(await L.read()); // Float32Array [3, 0, 1, 2]
 * ```
 */
export async function choleskyGpu(a: Tensor, diagReg: number | Tensor = 0): Promise<Tensor> {
  const { L, status } = choleskyGpuAsync(a, diagReg);
  try {
    await checkCholeskyStatus(status, "cholesky");
  } catch (e) {
    L.dispose();
    throw e;
  }
  return L;
}
