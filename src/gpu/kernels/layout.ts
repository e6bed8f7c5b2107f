/**
 * WGSL generators for data-movement and creation kernels: fill, iota, eye, strided scatter,
 * gather, one-hot and cumulative sum.
 *
 * @example
 * ```ts
 * import { fillKernel } from "./layout.ts";
 * fillKernel("f32").outputs; // 1
 * ```
 * @module
 */
import type { DType } from "../dtype.ts";
import type { KernelSpec } from "../runtime.ts";
import { ENTRY, LINEAR_INDEX, loopChunk, unrolledLoop, wgslOffsets } from "./indexing.ts";

const CUMSUM_UNROLL = 8;
/**
 * Positions one cumsum dispatch covers (llvmpipe's loop cap, see `loopChunk` in indexing.ts);
 * `cumsum` dispatches longer axes in chunks.
 */
export const CUMSUM_CHUNK: number = loopChunk(CUMSUM_UNROLL);

function bitsToValue(dtype: DType, field: string): string {
  return dtype === "f32"
    ? `bitcast<f32>(${field})`
    : dtype === "i32"
    ? `bitcast<i32>(${field})`
    : field;
}

/**
 * Fills n4 vec4s with one value (its bits in p.s). Params: [n4, bits].
 *
 * @example
 * ```ts
 * import { fillKernel } from "./layout.ts";
 * fillKernel("i32").inputs; // 0
 * ```
 */
export function fillKernel(dtype: DType): KernelSpec {
  return {
    code: `struct P { n: u32, s: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<${dtype}>>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  out[i] = vec4<${dtype}>(${bitsToValue(dtype, "p.s")});
}`,
    inputs: 0,
    outputs: 1,
  };
}

/**
 * out[i] = start + i * step (computed in f32 for f32, exactly for integers).
 * Params: [n, startBits, stepBits].
 *
 * @example
 * ```ts
 * import { iotaKernel } from "./layout.ts";
 * iotaKernel("f32").outputs; // 1
 * ```
 */
export function iotaKernel(dtype: DType): KernelSpec {
  const v = (f: string) => bitsToValue(dtype, f);
  return {
    code: `struct P { n: u32, start: u32, step: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<${dtype}>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  out[i] = ${v("p.start")} + ${dtype}(i) * ${v("p.step")};
}`,
    inputs: 0,
    outputs: 1,
  };
}

/**
 * Identity-like matrix: out[r, c] = 1 if c - r == k. Params: [n, cols, k (i32)].
 *
 * @example
 * ```ts
 * import { eyeKernel } from "./layout.ts";
 * eyeKernel("f32").outputs; // 1
 * ```
 */
export function eyeKernel(dtype: DType): KernelSpec {
  return {
    code: `struct P { n: u32, cols: u32, k: i32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<${dtype}>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let r = i32(i / p.cols);
  let c = i32(i % p.cols);
  out[i] = select(${dtype}(0), ${dtype}(1), c - r == p.k);
}`,
    inputs: 0,
    outputs: 1,
  };
}

/**
 * Strided scatter: out[p.s + sum c_d * stride_d] = x[i] for i over x's (collapsed) shape; the
 * rest of `out` is left as it was. Params: [n, offset, 0, 0, shape x8, strides x8].
 *
 * @example
 * ```ts
 * import { scatterKernel } from "./layout.ts";
 * scatterKernel("f32", 2).inputs; // 1
 * ```
 */
export function scatterKernel(dtype: DType, rank: number): KernelSpec {
  return {
    code:
      `struct P { n: u32, s: u32, a: u32, b: u32, shape: array<vec4<u32>, 2>, so: array<vec4<u32>, 2> };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> xs: array<${dtype}>;
@group(0) @binding(2) var<storage, read_write> out: array<${dtype}>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  ${wgslOffsets(rank, "shape", ["so"], "i")}
  out[p.s + off_0] = xs[i];
}`,
    inputs: 1,
    outputs: 1,
  };
}

/**
 * Gather along an axis of x viewed as [pre, axisLen, post] with integer indices (negative
 * indices wrap; out-of-range gives NaN for f32 and 0 for integers).
 * Params: [n, axisLen, post, nIdx].
 *
 * @example
 * ```ts
 * import { gatherKernel } from "./layout.ts";
 * gatherKernel("f32", "i32").inputs; // 2
 * ```
 */
export function gatherKernel(dtype: DType, idxType: DType): KernelSpec {
  const bad = dtype === "f32" ? "bitcast<f32>(0x7fc00000u)" : `${dtype}(0)`;
  return {
    code: `struct P { n: u32, axisLen: u32, post: u32, nIdx: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> xs: array<${dtype}>;
@group(0) @binding(2) var<storage, read> idx: array<${idxType}>;
@group(0) @binding(3) var<storage, read_write> out: array<${dtype}>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let q = i % p.post;
  let j = (i / p.post) % p.nIdx;
  let pre = i / (p.post * p.nIdx);
  var k = i32(idx[j]);
  let len = i32(p.axisLen);
  if (k < 0) { k += len; }
  if (k < 0 || k >= len) { out[i] = ${bad}; return; }
  out[i] = xs[(pre * p.axisLen + u32(k)) * p.post + q];
}`,
    inputs: 2,
    outputs: 1,
  };
}

/**
 * One-hot encoding: out[i, c] = 1 where idx[i] == c (rows for out-of-range indices are zero).
 * Params: [n, classes].
 *
 * @example
 * ```ts
 * import { oneHotKernel } from "./layout.ts";
 * oneHotKernel("i32").inputs; // 1
 * ```
 */
export function oneHotKernel(idxType: DType): KernelSpec {
  return {
    code: `struct P { n: u32, classes: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> idx: array<${idxType}>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let r = i / p.classes;
  let c = i % p.classes;
  out[i] = select(0.0, 1.0, i32(idx[r]) == i32(c));
}`,
    inputs: 1,
    outputs: 1,
  };
}

/**
 * Inclusive cumulative sum along the middle axis of [pre, len, post]; one thread per line.
 * Params: [lines, len, post, reverse].
 *
 * @example
 * ```ts
 * import { cumsumKernel } from "./layout.ts";
 * cumsumKernel("f32").outputs; // 1
 * ```
 */
export function cumsumKernel(dtype: DType): KernelSpec {
  return {
    code: `struct P { lines: u32, len: u32, post: u32, reverse: u32, jStart: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> xs: array<${dtype}>;
@group(0) @binding(2) var<storage, read_write> out: array<${dtype}>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.lines) { return; }
  let q = i % p.post;
  let pre = i / p.post;
  let base = pre * p.len * p.post + q;
  // Step j visits position select(j, len - 1 - j, reverse); a later chunk (jStart > 0) starts
  // from the running sum the previous one stored.
  let jEnd = min(p.len, p.jStart + ${CUMSUM_CHUNK}u);
  var acc = ${dtype}(0);
  if (p.jStart > 0u) {
    let prev = select(p.jStart - 1u, p.len - p.jStart, p.reverse == 1u);
    acc = out[base + prev * p.post];
  }
  ${
      unrolledLoop("j", "jEnd", CUMSUM_UNROLL, (j, u) =>
        `let k${u} = select(${j}, p.len - 1u - (${j}), p.reverse == 1u);
    acc += xs[base + k${u} * p.post];
    out[base + k${u} * p.post] = acc;`, "p.jStart")
    }}`,
    inputs: 1,
    outputs: 1,
  };
}
