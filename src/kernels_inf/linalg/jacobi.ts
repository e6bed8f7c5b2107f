/**
 * Symmetric eigendecomposition on the GPU in f32 by the parallel cyclic Jacobi method
 * (two-sided; Golub & Van Loan, "Matrix Computations", 4th ed., sections 8.5.1-8.5.4, and
 * Brent & Luk 1985 for the parallel ordering). A sweep is N - 1 rounds of the round-robin
 * tournament ordering (N = n rounded up to even); each round rotates N/2 disjoint index pairs
 * at once in one dispatch (`A <- J^T A J`, `V <- V J`), so a sweep touches every off-diagonal
 * entry once and costs about 6 N^3 flops.
 *
 * Principle 1 (GPU-resident loops): the sweeps are recorded without readback; the relative
 * off-diagonal norm `||offdiag(A)||_F / ||A_0||_F` is read only every `checkEvery` sweeps
 * (one sync each) to stop early once it is below `tol`. Jacobi converges quadratically once the
 * off-diagonal part is small: 6-10 sweeps for the kernel matrices of the experiments.
 *
 * Accuracy: f32 throughout (WGSL has no f64), so eigenvalues are accurate to about
 * `1e-6 * ||A||` in absolute terms, and eigenvectors, which accumulate the rounding of every
 * rotation (about sweeps * n of them), are orthonormal to about 1e-5 at n = 64; eigenvalues far
 * below `1e-6 * ||A||` (the small end of a kernel spectrum) carry little relative accuracy. The
 * host f64 `eighHost` is the precise path.
 *
 * @example
 * ```ts
 * import { eighGpu } from "./jacobi.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const r = await eighGpu(tensor([[2, 1], [1, 2]]));
 * console.log(await r.values.read(), r.sweeps); // Float32Array [1, 3] 3 (one check after 3 sweeps)
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, NonFiniteError, ShapeError } from "../../errors.ts";
import {
  dispose,
  div,
  eye,
  mul,
  reshape,
  runtime,
  scope,
  sqrt,
  square,
  sub,
  sum,
  take,
  Tensor,
  tensor,
} from "../../gpu/mod.ts";
import { grid } from "../../gpu/runtime.ts";
import { paramWords } from "../../gpu/kernels/indexing.ts";
import type { Eigh } from "./eigh.ts";
import { jacobiInitKernel, jacobiRoundKernel } from "./wgsl.ts";

/**
 * Options of {@link eighGpu}.
 *
 * @example
 * ```ts
 * import type { JacobiOptions } from "./jacobi.ts";
 * const o: JacobiOptions = { maxSweeps: 12, tol: 1e-6, checkEvery: 3 };
 * console.log(o.maxSweeps); // 12
 * ```
 */
export interface JacobiOptions {
  /** Most sweeps to run (default 15). */
  maxSweeps?: number;
  /** Stop once `||offdiag(A)||_F / ||A_0||_F` is at most this (default 1e-6). */
  tol?: number;
  /** Sweeps recorded between two convergence reads (default 3; principle 1). */
  checkEvery?: number;
}

const jacobiSchema = z.strictObject({
  maxSweeps: z.number().int().min(1).max(100).default(15),
  tol: z.number().nonnegative().finite().default(1e-6),
  checkEvery: z.number().int().min(1).max(100).default(3),
});

/**
 * Result of {@link eighGpu}: eigenvalues (ascending) and eigenvectors, on the GPU.
 *
 * @example
 * ```ts
 * import type { GpuEigh } from "./jacobi.ts";
 * const r: Partial<GpuEigh> = { sweeps: 6, offRel: 1e-7, method: "gpu-f32-jacobi" };
 * console.log(r.method); // "gpu-f32-jacobi"
 * ```
 */
export interface GpuEigh {
  /** Eigenvalues [n] in ascending order (f32). */
  values: Tensor;
  /** Eigenvectors [n, n]: column j belongs to `values[j]` (f32, orthonormal). */
  vectors: Tensor;
  /** Sweeps run. */
  sweeps: number;
  /** Relative off-diagonal norm `||offdiag(A)||_F / ||A_0||_F` at the last check. */
  offRel: number;
  /** Always "gpu-f32-jacobi". */
  method: "gpu-f32-jacobi";
}

function dispatch(
  spec: ReturnType<typeof jacobiRoundKernel>,
  ins: Tensor[],
  outs: Tensor[],
  u: [number, number, number, number],
  groups: [number, number, number],
): void {
  const w = paramWords();
  w.u.set(u);
  runtime().dispatch(
    spec,
    ins.map((t) => t.buffer("eighGpu")),
    outs.map((t) => t.buffer()),
    w.u,
    groups,
  );
}

/**
 * Eigendecomposition of a symmetric n x n f32 matrix on the GPU by parallel cyclic Jacobi
 * sweeps (see the module doc). Reads only the relative off-diagonal norm every `checkEvery`
 * sweeps and, at the end, the n eigenvalues (to sort them). Throws NonFiniteError if the matrix
 * holds NaN or infinite entries.
 *
 * @example
 * ```ts
 * import { eighGpu } from "./jacobi.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const r = await eighGpu(tensor([[4, 1], [1, 3]]), { tol: 1e-7 });
 * const [w, v] = [await r.values.read(), await r.vectors.read()];
 * console.log(w[0].toFixed(4), w[1].toFixed(4)); // "2.3820" "4.6180"
 * console.log(Math.hypot(v[0], v[2]).toFixed(4)); // "1.0000" (unit eigenvector)
 * ```
 */
export async function eighGpu(a: Tensor, options: JacobiOptions = {}): Promise<GpuEigh> {
  const parsed = jacobiSchema.safeParse(options);
  if (!parsed.success) {
    const iss = parsed.error.issues[0];
    throw new InvalidArgumentError(`eighGpu: option ${iss.path.join(".")}: ${iss.message}`);
  }
  const o = parsed.data;
  if (a.rank !== 2 || a.shape[0] !== a.shape[1]) {
    throw new ShapeError(`eighGpu: expected a square matrix, got shape [${a.shape.join(", ")}]`);
  }
  if (a.dtype !== "f32") {
    throw new InvalidArgumentError(`eighGpu: expected an f32 matrix, got ${a.dtype}`);
  }
  const n = a.shape[0];
  if (n === 0) {
    return {
      values: tensor(new Float32Array(0), { shape: [0] }),
      vectors: tensor(new Float32Array(0), { shape: [0, 0] }),
      sweeps: 0,
      offRel: 0,
      method: "gpu-f32-jacobi",
    };
  }
  const N = n + (n % 2);
  const h = N / 2;
  let A = Tensor.empty([N, N], "f32", "eighGpu");
  let V = Tensor.empty([N, N], "f32", "eighGpu");
  let B = Tensor.empty([N, N], "f32", "eighGpu");
  let U = Tensor.empty([N, N], "f32", "eighGpu");
  const offMask = scope(() => sub(1, eye(N)));
  try {
    dispatch(jacobiInitKernel(), [a], [A, V], [N, n, 0, N * N], grid(N * N));
    const norm0 = (await scope(() => sqrt(sum(square(A)))).read())[0];
    if (!Number.isFinite(norm0)) {
      throw new NonFiniteError(
        `eighGpu: the matrix has NaN or infinite entries (Frobenius norm ${norm0}); expected ` +
          "finite values",
      );
    }
    const groups: [number, number, number] = [Math.ceil(h / 16), Math.ceil(h / 16), 1];
    let sweeps = 0, offRel = norm0 === 0 ? 0 : Infinity;
    while (sweeps < o.maxSweeps && offRel > o.tol && N > 1) {
      const chunk = Math.min(o.checkEvery, o.maxSweeps - sweeps);
      for (let s = 0; s < chunk; s++) {
        for (let round = 0; round < N - 1; round++) {
          dispatch(jacobiRoundKernel(), [A, V], [B, U], [N, n, round, 0], groups);
          [A, B] = [B, A];
          [V, U] = [U, V];
        }
      }
      sweeps += chunk;
      const off = scope(() => div(sqrt(sum(square(mul(A, offMask)))), norm0));
      offRel = (await off.read())[0];
      off.dispose();
      if (!Number.isFinite(offRel)) {
        throw new NonFiniteError(`eighGpu: the iteration produced ${offRel} (overflow?)`);
      }
    }
    if (N === 1 || norm0 === 0) offRel = 0;
    // Diagonal (first n entries) -> ascending order, applied to the columns of V on the GPU.
    const diagIdx = tensor(Int32Array.from({ length: n }, (_, i) => i * (N + 1)), {
      shape: [n],
      dtype: "i32",
    });
    const diag = scope(() => take(reshape(A, [N * N]), diagIdx));
    const d = await diag.read();
    dispose([diag, diagIdx]);
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
    const values = tensor(Float32Array.from(order, (i) => d[i]), { shape: [n] });
    const ord = tensor(order, { shape: [n], dtype: "i32" });
    const rows = tensor(Int32Array.from({ length: n }, (_, i) => i), { shape: [n], dtype: "i32" });
    // V[:n, order] (the padding row/column of an odd n is never rotated: V stays e_N there).
    const vectors = scope(() => take(take(V, rows, 0), ord, 1));
    dispose([ord, rows]);
    return { values, vectors, sweeps, offRel, method: "gpu-f32-jacobi" };
  } finally {
    dispose([A, V, B, U, offMask]);
  }
}

/**
 * {@link eighGpu} with the result read back as a host {@link Eigh} (f64 arrays holding the f32
 * values), the form the host predictors take.
 *
 * @example
 * ```ts
 * import { eighGpuToHost } from "./jacobi.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const e = await eighGpuToHost(tensor([[2, 0], [0, 1]]));
 * console.log(e.values, e.n); // Float64Array [1, 2] 2
 * ```
 */
export async function eighGpuToHost(
  a: Tensor,
  options: JacobiOptions = {},
): Promise<Eigh & { sweeps: number; offRel: number }> {
  const r = await eighGpu(a, options);
  const [w, v] = await Promise.all([r.values.read(), r.vectors.read()]);
  dispose([r.values, r.vectors]);
  return {
    values: Float64Array.from(w),
    vectors: Float64Array.from(v),
    n: a.shape[0],
    sweeps: r.sweeps,
    offRel: r.offRel,
  };
}
