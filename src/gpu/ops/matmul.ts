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
import { DtypeError, GradError, InvalidArgumentError, ShapeError } from "../../errors.ts";
import { collapseDims, packDims, paramWords } from "../kernels/indexing.ts";
import {
  CPU_K_CHUNK,
  directMatmulKernel,
  EPILOGUE_WORD,
  type EpilogueWgsl,
  naiveMatmulKernel,
  tiledMatmulKernel,
  type TiledOptions,
} from "../kernels/matmul.ts";
import type { KernelSpec } from "../runtime.ts";
import { broadcastShapes, broadcastStrides, fmtShape, sizeOf } from "../shape.ts";
import { isRecording, liveTrace, record } from "../tape.ts";
import { checkOperands, composite, Tensor } from "../tensor.ts";
import { reshape } from "./shape.ts";
import { sumToShape } from "./reduce.ts";

// Kernels by variant and epilogue (the epilogue's WGSL is part of the key).
const kernelCache = new Map<string, KernelSpec>();
function cachedKernel(key: string, e: EpilogueWgsl | undefined, gen: () => KernelSpec) {
  const full = e ? `${key}|${JSON.stringify(e)}` : key;
  let k = kernelCache.get(full);
  if (!k) kernelCache.set(full, k = gen());
  return k;
}
const naiveK = (tA: boolean, tB: boolean, rank: number, e?: EpilogueWgsl) =>
  cachedKernel(`naive|${tA}|${tB}|${rank}`, e, () => naiveMatmulKernel(tA, tB, rank, e));
const directK = (tA: boolean, tB: boolean, rank: number, e?: EpilogueWgsl) =>
  cachedKernel(`direct|${tA}|${tB}|${rank}`, e, () => directMatmulKernel(tA, tB, rank, e));
const tiledK = (o: TiledOptions) =>
  cachedKernel(
    `tiled|${JSON.stringify({ ...o, epilogue: undefined })}`,
    o.epilogue,
    () => tiledMatmulKernel(o),
  );

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

const MAX_PARAM_WORDS = 64; // uniform words per dispatch (runtime.dispatch)

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
function matmulRaw(
  a: Tensor,
  b: Tensor,
  transA: boolean,
  transB: boolean,
  epilogue?: MatmulEpilogue,
): Tensor {
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
  const epi = epilogue && resolveEpilogue(epilogue, batch, M, N, rt.device.limits);
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
  const e = epi?.wgsl;
  if (epi) {
    w.u.set(epi.strides, EPILOGUE_WORD);
    w.f.set(epi.params, EPILOGUE_WORD + epi.strides.length);
  }
  const rank = c.shape.length;
  const bufs = [
    a.buffer("matmul"),
    b.buffer("matmul"),
    ...(epi?.tensors ?? []).map((t) => t.buffer("matmulEpilogue")),
  ];
  // The naive and direct kernels cover at most CPU_K_CHUNK of K per dispatch (llvmpipe's loop
  // cap); later chunks add to the stored partial sums.
  const chunked = (spec: KernelSpec, chunk: number, groups: [number, number, number]) => {
    for (let k0 = 0; k0 === 0 || k0 < K; k0 += chunk) {
      w.u[3] = k0;
      rt.dispatch(spec, bufs, [out.buffer()], w.u, groups);
    }
    return out;
  };
  if (M < 16 || N < 16 || K === 0) {
    return chunked(naiveK(transA, transB, rank, e), CPU_K_CHUNK.naive, [
      Math.ceil(N / 64),
      Math.ceil(M / 4),
      nb,
    ]);
  }
  // 128-tiles only when they still fill the GPU (H100: 132 SMs); otherwise more, smaller tiles.
  const tiles128 = Math.ceil(M / 128) * Math.ceil(N / 128) * nb;
  const direct = tuning.kernel === "direct" || (tuning.kernel === "auto" && rt.summary.isFallback);
  if (direct) {
    return chunked(directK(transA, transB, rank, e), CPU_K_CHUNK.direct, [
      Math.ceil(N / 64),
      Math.ceil(M / 64),
      nb,
    ]);
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
    epilogue: e,
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

/**
 * The epilogue of {@link matmulEpilogue}: a WGSL expression applied to each element of the
 * product before it is stored.
 */
export interface MatmulEpilogue {
  /**
   * WGSL f32 expression of the stored value. In scope: `v` (the product element), `row`, `col`
   * and `batch` (u32: its row, column and linear batch index in the [...batch, M, N] output),
   * each input's name (f32: that input's element at this position) and each param's name (f32).
   */
  expr: string;
  /**
   * Extra f32 tensors, each broadcastable to the output [...batch, M, N] (NumPy rules), e.g. a
   * bias [N], a per-row scale [M, 1] or a skip term [M, N]; the batch dims of an input must be
   * all 1 or all of the output's. At most `maxStorageBuffersPerShaderStage - 3` of them.
   */
  inputs?: Record<string, Tensor>;
  /** Scalar f32 params (uniforms: changing them compiles nothing). */
  params?: Record<string, number>;
  /** Module-scope WGSL the expression uses, e.g. `fn swish(x: f32) -> f32 { ... }`. */
  helpers?: string;
}

/** Options of {@link matmulEpilogue}: the transpose flags of {@link matmul} and the epilogue. */
export interface MatmulEpilogueOptions extends MatmulOptions {
  /** Applied to each output element before the store. */
  epilogue: MatmulEpilogue;
}

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;
// The epilogue function's own names and WGSL keywords/types (`ep_*` names the bindings).
const RESERVED = new Set(
  ("v row col batch p epilogue alias break case const const_assert continue continuing default " +
    "diagnostic discard else enable false fn for if let loop override requires return struct " +
    "switch true var while bool f16 f32 i32 u32 vec2 vec3 vec4 array atomic ptr").split(" "),
);

/** Validates an epilogue against the output [...batch, M, N]: WGSL names, strides, params. */
function resolveEpilogue(
  e: MatmulEpilogue,
  batch: readonly number[],
  M: number,
  N: number,
  limits: GPUSupportedLimits,
): { wgsl: EpilogueWgsl; tensors: Tensor[]; strides: number[]; params: number[] } {
  const where = "matmulEpilogue";
  if (typeof e !== "object" || e === null || typeof e.expr !== "string" || !e.expr.trim()) {
    throw new InvalidArgumentError(`${where}: epilogue.expr must be a non-empty WGSL expression`);
  }
  const inputs = Object.entries(e.inputs ?? {});
  const params = Object.entries(e.params ?? {});
  for (const [name] of [...inputs, ...params]) {
    if (!IDENT.test(name) || RESERVED.has(name) || name.startsWith("ep_")) {
      throw new InvalidArgumentError(
        `${where}: "${name}" is not a valid epilogue input or param name (expected a WGSL ` +
          `identifier [A-Za-z][A-Za-z0-9_]* not starting with ep_, neither v, row, col, batch, ` +
          `p, epilogue nor a WGSL keyword or type)`,
      );
    }
    if (e.inputs && e.params && name in e.inputs && name in e.params) {
      throw new InvalidArgumentError(`${where}: "${name}" is both an input and a param`);
    }
  }
  const maxInputs = limits.maxStorageBuffersPerShaderStage - 3; // A, B and C take three
  if (inputs.length > maxInputs) {
    throw new InvalidArgumentError(
      `${where}: ${inputs.length} epilogue inputs, but this device binds at most ` +
        `${limits.maxStorageBuffersPerShaderStage} storage buffers per shader stage ` +
        `(maxStorageBuffersPerShaderStage), so at most ${maxInputs} besides a, b and the output`,
    );
  }
  const words = EPILOGUE_WORD + 4 * inputs.length + 4 * Math.ceil(params.length / 4);
  if (words > MAX_PARAM_WORDS) {
    throw new InvalidArgumentError(
      `${where}: ${inputs.length} inputs and ${params.length} params need ${words} uniform ` +
        `words, more than the ${MAX_PARAM_WORDS} a dispatch has (each input takes 4, params 1 each)`,
    );
  }
  const outShape = [...batch, M, N];
  const nb = sizeOf(batch);
  const strides: number[] = [];
  for (const [name, t] of inputs) {
    if (!(t instanceof Tensor)) {
      throw new InvalidArgumentError(`${where}: epilogue input "${name}" must be a Tensor`);
    }
    checkOperands(where, t);
    if (t.dtype !== "f32") {
      throw new DtypeError(`${where}: epilogue input "${name}" must be f32, got ${t.dtype}`);
    }
    const s = t.shape;
    const tb = s.slice(0, -2);
    const fits = s.every((d, i) => {
      const o = outShape[outShape.length - s.length + i] ?? 1; // extra leading dims must be 1
      return d === 1 || d === o;
    }) && (sizeOf(tb) === 1 || sizeOf(tb) === nb);
    if (!fits) {
      throw new ShapeError(
        `${where}: epilogue input "${name}" ${fmtShape(s)} does not broadcast to the output ` +
          `${fmtShape(outShape)} (its batch dims must be all 1 or all of the output's)`,
      );
    }
    const cols = s.length >= 1 ? s[s.length - 1] : 1;
    const rows = s.length >= 2 ? s[s.length - 2] : 1;
    strides.push(
      sizeOf(tb) === 1 ? 0 : rows * cols,
      rows === 1 ? 0 : cols,
      cols === 1 ? 0 : 1,
      0,
    );
  }
  for (const [name, v] of params) {
    if (typeof v !== "number") {
      throw new InvalidArgumentError(
        `${where}: epilogue param "${name}" must be a number, got ${typeof v}`,
      );
    }
  }
  return {
    wgsl: {
      expr: e.expr,
      inputs: inputs.map(([n]) => n),
      params: params.map(([n]) => n),
      ...(e.helpers ? { helpers: e.helpers } : {}),
    },
    tensors: inputs.map(([, t]) => t),
    strides,
    params: params.map(([, v]) => v),
  };
}

/**
 * Matrix product with a fused epilogue: `expr` maps each element `v` of op(a) op(b) to the value
 * stored, in the same dispatch (bias, activation, scaling, residual terms, ...), reading extra
 * tensors broadcast to the output. A building block for inference paths: it records no
 * gradient and throws a GradError when a traced tensor reaches it (use {@link matmul} and tensor
 * ops inside `grad`). Operands are at least 2-D; batch dims broadcast as in {@link matmul}.
 * Each distinct `expr`/`helpers`/input-name set compiles its own kernels (cached); tensors and
 * param values can change freely. Names and shapes are checked on the host; the WGSL itself is
 * compiled by the device, so an error in `expr` or `helpers` surfaces as a GpuValidationError
 * from the runtime (which then stays faulted, as after any invalid kernel).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { matmulEpilogue } from "./matmul.ts";
 * const x = tensor([[1, 2], [3, 4]]);
 * const w = tensor([[1, -1], [1, 1]]);
 * const y = matmulEpilogue(x, w, {
 *   epilogue: {
 *     expr: "relu(v + bias) * scale",
 *     inputs: { bias: tensor([0, -2]) },
 *     params: { scale: 2 },
 *     helpers: "fn relu(x: f32) -> f32 { return max(x, 0.0); }",
 *   },
 * });
 * console.log(await y.toArray()); // [[6, 0], [14, 0]]
 * ```
 */
export function matmulEpilogue(a: Tensor, b: Tensor, options: MatmulEpilogueOptions): Tensor {
  checkOperands("matmulEpilogue", a, b);
  if (a.dtype !== "f32" || b.dtype !== "f32") {
    throw new DtypeError(`matmulEpilogue: expected f32 operands, got ${a.dtype} and ${b.dtype}`);
  }
  if (a.rank < 2 || b.rank < 2) {
    throw new ShapeError(
      `matmulEpilogue: operands must be at least 2-D, got ${fmtShape(a.shape)} and ` +
        fmtShape(b.shape),
    );
  }
  if (options?.epilogue === undefined) {
    throw new InvalidArgumentError("matmulEpilogue: options.epilogue is required");
  }
  // (with recording paused every op yields constants; then so does this one)
  const traced = isRecording() &&
    [a, b, ...Object.values(options.epilogue.inputs ?? {})].find(
      (t) => t instanceof Tensor && liveTrace(t),
    );
  if (traced) {
    throw new GradError(
      `matmulEpilogue: tensor ${fmtShape(traced.shape)} is traced by an open grad, but the fused ` +
        `op has no gradient; use matmul and tensor ops there`,
    );
  }
  return matmulRaw(a, b, options.transA ?? false, options.transB ?? false, options.epilogue);
}
