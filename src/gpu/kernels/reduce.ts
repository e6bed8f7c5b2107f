/**
 * WGSL generators for reductions over the middle axis of an [A, R, B] view.
 *
 * Two kernels: `rowReduceKernel` (B = 1: one 256-thread workgroup per output, tree reduction in
 * workgroup memory, optionally over chunks of a long row for a two-stage reduction) and
 * `columnReduceKernel` (one thread per output, loops over R, coalesced along B).
 *
 * @example
 * ```ts
 * import { rowReduceKernel } from "./reduce.ts";
 * rowReduceKernel("sum", "f32").inputs; // 1
 * ```
 * @module
 */
import type { DType } from "../dtype.ts";
import type { KernelSpec } from "../runtime.ts";
import { nanHelper } from "./elementwise.ts";

/** Reduction kinds. `argmax`/`argmin` output i32 indices. */
export type ReduceOp = "sum" | "prod" | "max" | "min" | "argmax" | "argmin";

function identity(op: ReduceOp, dtype: DType): string {
  const big = dtype === "f32"
    ? "bitcast<f32>(0x7f800000u)"
    : dtype === "i32"
    ? "2147483647i"
    : "0xffffffffu";
  const small = dtype === "f32"
    ? "bitcast<f32>(0xff800000u)"
    : dtype === "i32"
    ? "(-2147483647i - 1i)"
    : "0u";
  switch (op) {
    case "sum":
      return `${dtype}(0)`;
    case "prod":
      return `${dtype}(1)`;
    case "max":
    case "argmax":
      return small;
    case "min":
    case "argmin":
      return big;
  }
}

function combine(op: ReduceOp, dtype: DType, a: string, b: string): string {
  const nan = dtype === "f32";
  switch (op) {
    case "sum":
      return `${a} + ${b}`;
    case "prod":
      return `${a} * ${b}`;
    case "max":
      return nan
        ? `select(max(${a}, ${b}), ${a} + ${b}, nan_(${a}) | nan_(${b}))`
        : `max(${a}, ${b})`;
    case "min":
      return nan
        ? `select(min(${a}, ${b}), ${a} + ${b}, nan_(${a}) | nan_(${b}))`
        : `min(${a}, ${b})`;
    default:
      throw new Error("combine: arg reductions use pairs");
  }
}

/** For arg reductions: does candidate (v, i) beat (bv, bi)? Earliest index wins ties; NaN wins. */
function beats(op: "argmax" | "argmin", dtype: DType): string {
  const cmp = op === "argmax" ? ">" : "<";
  const nan = dtype === "f32" ? `(nan_(v) && !nan_(bv)) || ` : "";
  return `(${nan}(v ${cmp} bv) || (v == bv && i < bi))`;
}

/**
 * One workgroup per output element. Params: [A, R, C, K]: output o = a*C + c reduces elements
 * [c*K, min((c+1)*K, R)) of row a (C = 1, K = R for a single stage).
 *
 * @example
 * ```ts
 * import { rowReduceKernel } from "./reduce.ts";
 * console.log(rowReduceKernel("max", "f32").code.includes("workgroupBarrier")); // true
 * ```
 */
export function rowReduceKernel(op: ReduceOp, dtype: DType): KernelSpec {
  const arg = op === "argmax" || op === "argmin";
  const head = `${dtype === "f32" ? nanHelper(false) : ""}
struct P { A: u32, R: u32, C: u32, K: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> xs: array<${dtype}>;
@group(0) @binding(2) var<storage, read_write> out: array<${arg ? "i32" : dtype}>;
var<workgroup> shv: array<${dtype}, 256>;
${arg ? "var<workgroup> shi: array<u32, 256>;" : ""}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = wid.x + wid.y * nwg.x;
  if (o >= p.A * p.C) { return; }
  let a = o / p.C;
  let c = o % p.C;
  let start = c * p.K;
  let end = min(start + p.K, p.R);
  let base = a * p.R;`;
  if (!arg) {
    return {
      code: `${head}
  var acc = ${identity(op, dtype)};
  for (var j = start + lid.x; j < end; j += 256u) {
    let x = xs[base + j];
    acc = ${combine(op, dtype, "acc", "x")};
  }
  shv[lid.x] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid.x < s) {
      let l = shv[lid.x];
      let r = shv[lid.x + s];
      shv[lid.x] = ${combine(op, dtype, "l", "r")};
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) { out[o] = shv[0]; }
}`,
      inputs: 1,
      outputs: 1,
    };
  }
  const b = beats(op, dtype);
  return {
    code: `${head}
  var bv = ${identity(op, dtype)};
  var bi = 0xffffffffu;
  for (var j = start + lid.x; j < end; j += 256u) {
    let v = xs[base + j];
    let i = j;
    if (bi == 0xffffffffu || ${b}) { bv = v; bi = i; }
  }
  shv[lid.x] = bv;
  shi[lid.x] = bi;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid.x < s) {
      bv = shv[lid.x];
      bi = shi[lid.x];
      let v = shv[lid.x + s];
      let i = shi[lid.x + s];
      if (i != 0xffffffffu && (bi == 0xffffffffu || ${b})) { shv[lid.x] = v; shi[lid.x] = i; }
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) { out[o] = i32(select(shi[0], 0u, shi[0] == 0xffffffffu)); }
}`,
    inputs: 1,
    outputs: 1,
  };
}

/**
 * One thread per output (a, b), looping over R. Params: [A, R, B, 0].
 *
 * @example
 * ```ts
 * import { columnReduceKernel } from "./reduce.ts";
 * columnReduceKernel("sum", "f32").outputs; // 1
 * ```
 */
export function columnReduceKernel(op: ReduceOp, dtype: DType): KernelSpec {
  const arg = op === "argmax" || op === "argmin";
  const head = `${dtype === "f32" ? nanHelper(false) : ""}
struct P { A: u32, R: u32, B: u32, pad: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> xs: array<${dtype}>;
@group(0) @binding(2) var<storage, read_write> out: array<${arg ? "i32" : dtype}>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + gid.y * nwg.x * 256u;
  if (o >= p.A * p.B) { return; }
  let a = o / p.B;
  let b = o % p.B;
  let base = a * p.R * p.B + b;`;
  if (!arg) {
    return {
      code: `${head}
  var acc = ${identity(op, dtype)};
  for (var r = 0u; r < p.R; r++) {
    let x = xs[base + r * p.B];
    acc = ${combine(op, dtype, "acc", "x")};
  }
  out[o] = acc;
}`,
      inputs: 1,
      outputs: 1,
    };
  }
  return {
    code: `${head}
  var bv = ${identity(op, dtype)};
  var bi = 0xffffffffu;
  for (var r = 0u; r < p.R; r++) {
    let v = xs[base + r * p.B];
    let i = r;
    if (bi == 0xffffffffu || ${beats(op, dtype)}) { bv = v; bi = i; }
  }
  out[o] = i32(select(bi, 0u, bi == 0xffffffffu));
}`,
    inputs: 1,
    outputs: 1,
  };
}
