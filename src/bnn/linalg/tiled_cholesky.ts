/**
 * Blocked (tiled) batched Cholesky factorization and triangular solves in f32 for large matrices
 * (thousands of rows), built from the single-workgroup kernels on the diagonal tiles and the
 * tensor core's batched matmul for everything else (right-looking: factor `A_kk`, invert its
 * factor, panel `L_ik = A_ik L_kk^-T`, trailing update `A_ij -= L_ik L_jk^T`).
 *
 * The single-workgroup kernels of {@link batchedCholesky} run one matrix per GPU workgroup, which
 * is right for the per-step Gram matrices (size min(n, d) <= a few hundred) but leaves a
 * 1025 x 1025 factorization on one streaming multiprocessor; here the O(d^3) work runs as
 * `O((d/B)^3)` tile matmuls over the whole GPU. Arithmetic is f32 (matmul tiles), so this path is
 * for quantities whose precision does not decide acceptance: the repriorisation map applied to
 * record samples (`reprior.ts`), not the energy.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { tiledCholesky, tiledSolve } from "./tiled_cholesky.ts";
 * const a = tensor([[[4, 2, 0], [2, 5, 1], [0, 1, 3]]]);
 * const f = tiledCholesky(a, { block: 2 });
 * const x = tiledSolve(f, tensor([[[4], [8], [4]]]));            // A x = b
 * console.log(Array.from(await x.read(), (v) => Number(v.toFixed(4)))); // [0.5, 1, 1]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { add, concat, matmul, mul, slice, sub, type Tensor } from "../../gpu/mod.ts";
import { batchedCholesky } from "./batched_cholesky.ts";
import { batchedTriInverse } from "./batched_tri_inverse.ts";

/** A tiled lower Cholesky factor: tiles `l[i][j]` (`[C, B_i, B_j]`, i >= j) and `L_kk^-1`. */
export interface TiledFactor {
  /** Lower tiles; `l[i][j]` is defined for j <= i. */
  readonly l: Tensor[][];
  /** Inverses of the diagonal tiles, `[C, B_k, B_k]`. */
  readonly invDiag: Tensor[];
  /** log det(A + diag I) per matrix `[C]` (f32). */
  readonly logdet: Tensor;
  /** Tile boundaries: tile k covers rows `[starts[k], starts[k + 1])`. */
  readonly starts: readonly number[];
  /** Number of matrices C. */
  readonly batch: number;
}

/**
 * Factors `a + diag I` (`[C, m, m]` f32, symmetric positive definite) in tiles of `block` rows.
 *
 * @example
 * ```ts
 * import { eye, reshape } from "../../gpu/mod.ts";
 * import { tiledCholesky } from "./tiled_cholesky.ts";
 * const f = tiledCholesky(reshape(eye(5), [1, 5, 5]), { block: 2, diag: 1 });
 * console.log(f.starts, (await f.logdet.read())[0].toFixed(4)); // [0, 2, 4, 5] "3.4657" = 5 log 2
 * ```
 */
export function tiledCholesky(
  a: Tensor,
  options: { block?: number; diag?: number } = {},
): TiledFactor {
  const B = options.block ?? 128;
  if (!Number.isInteger(B) || B < 1) {
    throw new InvalidArgumentError(`tiledCholesky: block must be a positive integer, got ${B}`);
  }
  if (a.rank !== 3 || a.shape[1] !== a.shape[2]) {
    throw new ShapeError(`tiledCholesky: expected [C, m, m], got [${a.shape.join(", ")}]`);
  }
  const [C, m] = a.shape;
  const starts: number[] = [];
  for (let s = 0; s < m; s += B) starts.push(s);
  starts.push(m);
  const nb = starts.length - 1;
  const tile = (i: number, j: number) =>
    slice(a, [null, [starts[i], starts[i + 1]], [starts[j], starts[j + 1]]]);
  const work: Tensor[][] = [];
  for (let i = 0; i < nb; i++) {
    work.push([]);
    for (let j = 0; j <= i; j++) work[i].push(tile(i, j));
  }
  const l: Tensor[][] = Array.from({ length: nb }, () => []);
  const invDiag: Tensor[] = [];
  let logdet: Tensor | null = null;
  for (let k = 0; k < nb; k++) {
    const f = batchedCholesky(work[k][k], { diag: options.diag ?? 0, precision: "f32" });
    l[k][k] = f.l;
    logdet = logdet ? add(logdet, f.logdet) : f.logdet;
    const inv = batchedTriInverse(f);
    invDiag.push(inv);
    for (let i = k + 1; i < nb; i++) l[i][k] = matmul(work[i][k], inv, { transB: true });
    for (let i = k + 1; i < nb; i++) {
      for (let j = k + 1; j <= i; j++) {
        work[i][j] = sub(work[i][j], matmul(l[i][k], l[j][k], { transB: true }));
      }
    }
  }
  return { l, invDiag, logdet: logdet!, starts, batch: C };
}

/**
 * Solves `(L L^T) X = B` (default), `L X = B` (`mode: "forward"`) or `L^T X = B`
 * (`mode: "backward"`) with a tiled factor; `b` is `[C or 1, m, k]`. With `addend`, the backward
 * sweep solves `L^T X = (L^-1 B) + addendScale * addend` (the repriorisation map's structure).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { tiledCholesky, tiledSolve } from "./tiled_cholesky.ts";
 * const f = tiledCholesky(tensor([[[4, 0], [0, 9]]]), { block: 1 });
 * console.log(await tiledSolve(f, tensor([[[2], [3]]]), { mode: "forward" }).read()); // [1, 1]
 * ```
 */
export function tiledSolve(
  f: TiledFactor,
  b: Tensor,
  options: { mode?: "full" | "forward" | "backward"; addend?: Tensor; addendScale?: number } = {},
): Tensor {
  const mode = options.mode ?? "full";
  const { starts, l, invDiag } = f;
  const nb = starts.length - 1;
  const part = (t: Tensor, i: number) => slice(t, [null, [starts[i], starts[i + 1]], null]);
  let y: Tensor[] = [];
  if (mode === "backward") {
    for (let i = 0; i < nb; i++) y.push(part(b, i));
  } else {
    for (let i = 0; i < nb; i++) {
      let r = part(b, i);
      for (let j = 0; j < i; j++) r = sub(r, matmul(l[i][j], y[j]));
      y.push(matmul(invDiag[i], r));
    }
    if (mode === "forward") return concat(y, 1);
  }
  if (options.addend) {
    const s = options.addendScale ?? 1;
    y = y.map((v, i) => add(v, mul(part(options.addend!, i), s)));
  }
  const x: Tensor[] = new Array(nb);
  for (let i = nb - 1; i >= 0; i--) {
    let r = y[i];
    for (let j = i + 1; j < nb; j++) r = sub(r, matmul(l[j][i], x[j], { transA: true }));
    x[i] = matmul(invDiag[i], r, { transA: true });
  }
  return concat(x, 1);
}
