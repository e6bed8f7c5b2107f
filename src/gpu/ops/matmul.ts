/**
 * Batched matrix multiplication with broadcasting batch dims and transpose flags.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { matmul } from "./matmul.ts";
 * const a = tensor([[1, 2], [3, 4]]);
 * console.log(await matmul(a, a, { transB: true }).toArray()); // [[5, 11], [11, 25]]
 * ```
 * @module
 */
import { DtypeError, InvalidArgumentError, ShapeError } from "../../errors.ts";
import { collapseDims, memoKernel, packDims, paramWords } from "../kernels/indexing.ts";
import {
  directMatmulKernel,
  naiveMatmulKernel,
  tiledMatmulKernel,
  type TiledOptions,
} from "../kernels/matmul.ts";
import { broadcastShapes, broadcastStrides, fmtShape, sizeOf } from "../shape.ts";
import { liveTrace, record } from "../tape.ts";
import { checkOperands, composite, Tensor } from "../tensor.ts";
import { reshape } from "./shape.ts";
import { sumToShape } from "./reduce.ts";

const naiveK = memoKernel(naiveMatmulKernel);
const directK = memoKernel(directMatmulKernel);
const tiledCache = new Map<string, ReturnType<typeof tiledMatmulKernel>>();
function tiledK(o: TiledOptions) {
  const key = JSON.stringify(o);
  let k = tiledCache.get(key);
  if (!k) tiledCache.set(key, k = tiledMatmulKernel(o));
  return k;
}

/** Kernel tuning knobs, for benchmarks that compare variants (see bench/gpu_bench.ts). */
export interface MatmulTuning {
  /** Software-pipelined tiles: prefetch the next K-tile into registers during the FMAs. */
  prefetch: boolean;
  /** K-slice per tile of the 128x128 kernel (the 64x64 kernel always uses 16). */
  bk: 8 | 16;
  /**
   * "tiled" (workgroup-memory tiles, for GPUs), "direct" (barrier-free 8x8 blocks, for CPU
   * rasterizers), or "auto": direct on fallback adapters such as llvmpipe, tiled otherwise.
   */
  kernel: "auto" | "tiled" | "direct";
}

const tuning: MatmulTuning = { prefetch: false, bk: 16, kernel: "auto" };

/**
 * Changes the tiled matmul variant used from now on and returns the previous setting.
 *
 * @example
 * ```ts
 * import { setMatmulTuning } from "./matmul.ts";
 * const old = setMatmulTuning({ prefetch: true });
 * setMatmulTuning(old);
 * ```
 */
export function setMatmulTuning(t: Partial<MatmulTuning>): MatmulTuning {
  const old = { ...tuning };
  Object.assign(tuning, t);
  return old;
}

/** Transpose flags of {@link matmul}: read a (or b) as its last two axes swapped. */
export interface MatmulOptions {
  /** Use a^T (a has shape [..., K, M]). */
  transA?: boolean;
  /** Use b^T (b has shape [..., N, K]). */
  transB?: boolean;
}

/** @internal The matmul kernel launch (no gradient); a, b at least 2-D. */
function matmulRaw(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const rt = checkOperands("matmul", a, b);
  const [M, Ka] = transA
    ? [a.shape[a.rank - 1], a.shape[a.rank - 2]]
    : [a.shape[a.rank - 2], a.shape[a.rank - 1]];
  const [Kb, N] = transB
    ? [b.shape[b.rank - 1], b.shape[b.rank - 2]]
    : [b.shape[b.rank - 2], b.shape[b.rank - 1]];
  if (Ka !== Kb) {
    throw new ShapeError(
      `matmul: inner dimensions differ: a ${fmtShape(a.shape)}${transA ? "^T" : ""} has K=${Ka}, ` +
        `b ${fmtShape(b.shape)}${transB ? "^T" : ""} has K=${Kb}`,
    );
  }
  const K = Ka;
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const batch = broadcastShapes(ba, bb, "matmul (batch dims)");
  const nb = sizeOf(batch);
  if (nb > 65535) throw new InvalidArgumentError(`matmul: at most 65535 batch matrices, got ${nb}`);
  const out = Tensor.empty([...batch, M, N], "f32", "matmul");
  if (out.size === 0) return out;
  const sa = broadcastStrides(ba, batch).map((s) => s * M * K);
  const sb = broadcastStrides(bb, batch).map((s) => s * K * N);
  const c = collapseDims(batch, [sa, sb]);
  const w = paramWords();
  w.u.set([M, N, K, 0]);
  packDims(w.u, 4, c.shape);
  packDims(w.u, 12, c.strides[0]);
  packDims(w.u, 20, c.strides[1]);
  const rank = c.shape.length;
  const bufs = [a.buffer("matmul"), b.buffer("matmul")];
  if (M < 16 || N < 16 || K === 0) {
    rt.dispatch(naiveK(transA, transB, rank), bufs, [out.buffer()], w.u, [
      Math.ceil(N / 64),
      Math.ceil(M / 4),
      nb,
    ]);
    return out;
  }
  // 128-tiles only when they still fill the GPU (H100: 132 SMs); otherwise more, smaller tiles.
  const tiles128 = Math.ceil(M / 128) * Math.ceil(N / 128) * nb;
  const direct = tuning.kernel === "direct" || (tuning.kernel === "auto" && rt.summary.isFallback);
  if (direct) {
    rt.dispatch(directK(transA, transB, rank), bufs, [out.buffer()], w.u, [
      Math.ceil(N / 64),
      Math.ceil(M / 64),
      nb,
    ]);
    return out;
  }
  const bm: 64 | 128 = tiles128 >= 192 ? 128 : 64;
  const vecA = (transA ? M : K) % 4 === 0;
  const vecB = (transB ? K : N) % 4 === 0;
  const spec = tiledK({
    bm,
    bk: bm === 64 ? 16 : tuning.bk,
    transA,
    transB,
    vecA,
    vecB,
    batchRank: rank,
    prefetch: tuning.prefetch,
  });
  rt.dispatch(spec, bufs, [out.buffer()], w.u, [Math.ceil(N / bm), Math.ceil(M / bm), nb]);
  return out;
}

function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const out = matmulRaw(a, b, transA, transB);
  return record(out, [a, b], (g) => {
    // Skip the cotangent of an operand no open trace depends on (e.g. the input batch): it
    // would be discarded, and it costs as much as the forward product.
    const da = !liveTrace(a) ? null : transA ? mm(b, g, transB, true) : mm(g, b, false, !transB);
    const db = !liveTrace(b) ? null : transB ? mm(g, a, true, transA) : mm(a, g, !transA, false);
    return [da && sumToShape(da, a.shape), db && sumToShape(db, b.shape)];
  });
}

/**
 * Matrix product with NumPy `matmul` semantics: batch dims broadcast, 1-D operands are
 * promoted to a row (a) or column (b) vector and the added axis removed. `transA`/`transB`
 * swap the last two axes of a 2-D-or-more operand without a copy.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { matmul } from "./matmul.ts";
 * const x = tensor([[1, 2, 3]]);     // [1, 3]
 * const w = tensor([[1], [0], [1]]); // [3, 1]
 * await matmul(x, w).toArray(); // [[4]]
 * await matmul(tensor([1, 1]), tensor([[1, 2], [3, 4]])).read(); // Float32Array [4, 6]
 * ```
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  checkOperands("matmul", a, b);
  if (a.dtype !== "f32" || b.dtype !== "f32") {
    throw new DtypeError(`matmul: expected f32 operands, got ${a.dtype} and ${b.dtype}`);
  }
  if (a.rank === 0 || b.rank === 0) {
    throw new ShapeError(
      `matmul: operands must be at least 1-D, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  const transA = options.transA ?? false, transB = options.transB ?? false;
  if ((a.rank === 1 && transA) || (b.rank === 1 && transB)) {
    throw new ShapeError("matmul: transpose flags need operands of rank >= 2");
  }
  if (a.rank > 1 && b.rank > 1) return mm(a, b, transA, transB);
  return composite(() => {
    const a2 = a.rank === 1 ? reshape(a, [1, a.size]) : a;
    const b2 = b.rank === 1 ? reshape(b, [b.size, 1]) : b;
    const out = mm(a2, b2, transA, transB);
    const s = out.shape.slice(0, -2);
    if (a.rank !== 1) s.push(out.shape[out.rank - 2]);
    if (b.rank !== 1) s.push(out.shape[out.rank - 1]);
    return reshape(out, s);
  });
}
