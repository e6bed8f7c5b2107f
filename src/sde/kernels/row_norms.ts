/**
 * Batch means of the per-sample Euclidean norms of a score tensor and of the in-kernel noise of
 * one sampler step: the Langevin corrector's signal-to-noise step-size rule needs both. One thread
 * per sample sums its row (vec4 chunks when the row length is a multiple of 4) and each workgroup
 * writes a partial sum; a one-workgroup kernel finishes the mean. The noise is regenerated from
 * Philox exactly as the fused update draws it, so it is never stored.
 *
 * @example
 * ```ts
 * import { rowNormsKernel } from "./row_norms.ts";
 * console.log(rowNormsKernel(true).inputs); // 1
 * ```
 * @module
 */
import { ShapeError } from "../../errors.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";
import { checkOperands, Tensor } from "../../gpu/tensor.ts";
import type { random } from "../../gpu/mod.ts";
import { NOISE_WGSL, STREAM } from "./noise.ts";

const WG = 256;

/**
 * WGSL, pass 1: workgroup g writes out[2g] = sum of ||s_b|| and out[2g+1] = sum of ||z_b|| over
 * its 256 rows. `vec4Rows`: rows are a multiple of 4 long (read as vec4s).
 *
 * @example
 * ```ts
 * import { rowNormsKernel } from "./row_norms.ts";
 * console.log(rowNormsKernel(false).code.includes("normal1")); // true
 * ```
 */
export function rowNormsKernel(vec4Rows: boolean): KernelSpec {
  const body = vec4Rows
    ? `let d4 = p.d / 4u;
    for (var j = 0u; j < d4; j++) {
      let c = row * d4 + j;
      let s = ss[c];
      let z = normal4(c, p.step, ${STREAM.step}u, key);
      a += vec2<f32>(dot(s, s), dot(z, z));
    }`
    : `for (var j = 0u; j < p.d; j++) {
      let e = row * p.d + j;
      let s = ss[e / 4u][e % 4u];
      let z = normal1(e, p.step, ${STREAM.step}u, key);
      a += vec2<f32>(s * s, z * z);
    }`;
  const code = `${NOISE_WGSL}
struct P { rows: u32, d: u32, k0: u32, k1: u32, step: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> ss: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
var<workgroup> acc: array<vec2<f32>, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.x + wid.y * nwg.x;
  let row = g * ${WG}u + lid.x;
  var a = vec2<f32>(0.0);
  if (row < p.rows) {
    let key = vec2<u32>(p.k0, p.k1);
    ${body}
    a = sqrt(a);
  }
  acc[lid.x] = a;
  workgroupBarrier();
  for (var w = ${WG / 2}u; w > 0u; w >>= 1u) {
    if (lid.x < w) { acc[lid.x] += acc[lid.x + w]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    out[2u * g] = acc[0].x;
    out[2u * g + 1u] = acc[0].y;
  }
}`;
  return { code, inputs: 1, outputs: 1 };
}

/**
 * WGSL, pass 2: one workgroup sums `groups` partial pairs and divides by `rows`.
 *
 * @example
 * ```ts
 * import { finishMeanKernel } from "./row_norms.ts";
 * console.log(finishMeanKernel().outputs); // 1
 * ```
 */
export function finishMeanKernel(): KernelSpec {
  const code = `struct P { rows: u32, groups: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> part: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec2<f32>>;
var<workgroup> acc: array<vec2<f32>, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var a = vec2<f32>(0.0);
  for (var g = lid.x; g < p.groups; g += ${WG}u) { a += part[g]; }
  acc[lid.x] = a;
  workgroupBarrier();
  for (var w = ${WG / 2}u; w > 0u; w >>= 1u) {
    if (lid.x < w) { acc[lid.x] += acc[lid.x + w]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { out[0] = acc[0] / f32(p.rows); }
}`;
  return { code, inputs: 1, outputs: 1 };
}

const pass1 = memoKernel(rowNormsKernel);
const pass2 = memoKernel(finishMeanKernel);

/**
 * [mean_b ||s_b||, mean_b ||z_b||] for `s` ([B, ...]) and the step noise of (key, step): a
 * tensor of shape [2], computed in two dispatches.
 *
 * @example
 * ```ts
 * import { ones, random } from "../../gpu/mod.ts";
 * import { batchMeanNorms } from "./row_norms.ts";
 * const n = batchMeanNorms(ones([3, 4]), random.key(0), 0);
 * console.log((await n.read())[0]); // 2
 * ```
 */
export function batchMeanNorms(s: Tensor, key: random.Key, step: number): Tensor {
  const rt = checkOperands("batchMeanNorms", s);
  if (s.rank < 1 || s.size === 0) {
    throw new ShapeError(`batchMeanNorms: expected a non-empty batch [B, ...], got [${s.shape}]`);
  }
  const rows = s.shape[0], d = s.size / rows;
  const groups = Math.ceil(rows / WG);
  const part = Tensor.empty([groups, 2], "f32", "batchMeanNorms");
  let w = paramWords();
  w.u[0] = rows;
  w.u[1] = d;
  w.u[2] = key.words[0];
  w.u[3] = key.words[1];
  w.u[4] = step >>> 0;
  const gy = Math.ceil(groups / 65535);
  rt.dispatch(pass1(d % 4 === 0), [s.buffer("batchMeanNorms")], [part.buffer()], w.u, [
    Math.ceil(groups / gy),
    gy,
    1,
  ]);
  const out = Tensor.empty([2], "f32", "batchMeanNorms");
  w = paramWords();
  w.u[0] = rows;
  w.u[1] = groups;
  rt.dispatch(pass2(), [part.buffer()], [out.buffer()], w.u, [1, 1, 1]);
  part.dispose();
  return out;
}
