/**
 * Fused WGSL kernels of the ES-family estimators, so a truncation of truncated ES or PES costs a
 * handful of dispatches whatever the system:
 *
 * - `antitheticKernel`: particle parameters `[theta + eps; theta - eps]` from `theta [D]` and
 *   `eps [n, D]` (one thread per output element).
 * - `pairWeightsKernel`: per antithetic pair, from the losses `[2n, K]` and the step at which
 *   the pair's episode ended, the mean loss differences before/after the episode end
 *   (optionally replaced by `c * sign(total)`), and the pair's summed loss. One thread per pair.
 * - `esCombineKernel`: one 256-thread workgroup per theta coordinate d reduces
 *   `sum_i pre_i (xi_id + eps_id) + post_i eps_id` (PES; truncated ES has no `xi`), writes the
 *   new accumulators `xi'_id = ended_i ? eps_id : xi_id + eps_id`, and workgroup 0 also reduces
 *   the mean loss.
 *
 * @example
 * ```ts
 * import { esCombineKernel } from "./es_combine.ts";
 * console.log(esCombineKernel().inputs, esCombineKernel().outputs); // 4 3
 * ```
 * @module
 */
import { ENTRY, LINEAR_INDEX } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";

/** WGSL: the step at which an episode at index t ends within the truncation (K if not). */
const FIRST_END = `fn firstEnd(t: u32) -> u32 {
  if (p.T == 0u) { return p.K; }
  let e = p.T - 1u - t;
  return select(p.K, e, e < p.K);
}`;

/**
 * `out[p, d] = theta[d] + (p < n ? eps[p, d] : -eps[p - n, d])`. Params: [n, D].
 *
 * @example
 * ```ts
 * import { antitheticKernel } from "./es_combine.ts";
 * console.log(antitheticKernel().inputs); // 2
 * ```
 */
export function antitheticKernel(): KernelSpec {
  const code = `struct Params { n: u32, D: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> eps: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= 2u * p.n * p.D) { return; }
  let row = i / p.D;
  let d = i % p.D;
  if (row < p.n) {
    out[i] = theta[d] + eps[i];
  } else {
    out[i] = theta[d] - eps[i - p.n * p.D];
  }
}`;
  return { code, inputs: 2, outputs: 1 };
}

/**
 * Per pair i: `w[i] = (pre, post, lossSum)` with pre/post the mean over K of `L+ - L-` on the
 * steps up to and including the step where the pair's episode ends / after it. Inputs: losses
 * `[2n, K]`, t0 `[n]` (u32). Params: [n, K, T (0 = infinite), 0, signScalar (f32, 0 = off)].
 *
 * @example
 * ```ts
 * import { pairWeightsKernel } from "./es_combine.ts";
 * console.log(pairWeightsKernel().outputs); // 1
 * ```
 */
export function pairWeightsKernel(): KernelSpec {
  const code = `struct Params { n: u32, K: u32, T: u32, pad1: u32, signScalar: f32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> losses: array<f32>;
@group(0) @binding(2) var<storage, read> t0: array<u32>;
@group(0) @binding(3) var<storage, read_write> w: array<f32>;
${FIRST_END}
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let last = firstEnd(t0[i]);
  var pre = 0.0;
  var post = 0.0;
  var total = 0.0;
  let pr = i * p.K;
  let nr = (i + p.n) * p.K;
  for (var k = 0u; k < p.K; k++) {
    let lp = losses[pr + k];
    let ln = losses[nr + k];
    total = total + lp + ln;
    if (k <= last) { pre = pre + (lp - ln); } else { post = post + (lp - ln); }
  }
  let kf = f32(p.K);
  pre = pre / kf;
  post = post / kf;
  if (p.signScalar > 0.0) {
    let s = sign(pre + post) * p.signScalar;
    let frac = f32(min(last + 1u, p.K)) / kf;
    pre = s * frac;
    post = s * (1.0 - frac);
  }
  w[3u * i] = pre;
  w[3u * i + 1u] = post;
  w[3u * i + 2u] = total;
}`;
  return { code, inputs: 2, outputs: 1 };
}

/**
 * The reduction over pairs (see the module doc). Inputs: w `[n, 3]`, eps `[n, D]`,
 * xi `[n, D]`, t0 `[n]` (u32); outputs: grad `[D]`, xi' `[n, D]`, loss mean `[1]`.
 * Params: [n, D, K, persistent (0/1), scale (f32), lossScale (f32), T]; launched with one
 * workgroup per coordinate d (folded into 2-D grids beyond 65,535).
 *
 * @example
 * ```ts
 * import { esCombineKernel } from "./es_combine.ts";
 * console.log(esCombineKernel().code.includes("workgroup_size(256)")); // true
 * ```
 */
export function esCombineKernel(): KernelSpec {
  const code = `struct Params {
  n: u32, D: u32, K: u32, persistent: u32, scale: f32, lossScale: f32, T: u32
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> eps: array<f32>;
@group(0) @binding(3) var<storage, read> xi: array<f32>;
@group(0) @binding(4) var<storage, read> t0: array<u32>;
${FIRST_END}
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;
@group(0) @binding(6) var<storage, read_write> xiNew: array<f32>;
@group(0) @binding(7) var<storage, read_write> lossMean: array<f32>;
var<workgroup> red: array<f32, 256>;
var<workgroup> redL: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let d = wid.x + wid.y * nwg.x;
  let inRange = d < p.D;
  var acc = 0.0;
  var accL = 0.0;
  if (inRange) {
    for (var i = lid; i < p.n; i = i + 256u) {
      let e = eps[i * p.D + d];
      let pre = w[3u * i];
      let post = w[3u * i + 1u];
      if (p.persistent != 0u) {
        let x = xi[i * p.D + d];
        acc = acc + pre * (x + e) + post * e;
        xiNew[i * p.D + d] = select(x + e, e, firstEnd(t0[i]) < p.K);
      } else {
        acc = acc + (pre + post) * e;
      }
      if (d == 0u) { accL = accL + w[3u * i + 2u]; }
    }
  }
  red[lid] = acc;
  redL[lid] = accL;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      red[lid] = red[lid] + red[lid + s];
      redL[lid] = redL[lid] + redL[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u && inRange) {
    grad[d] = red[0] * p.scale;
    if (d == 0u) { lossMean[0] = redL[0] * p.lossScale; }
  }
}`;
  return { code, inputs: 4, outputs: 3 };
}

/**
 * The outer loop's guard, one workgroup: from an estimate `g [D]` and its loss, computes the
 * norm, whether both are finite, the (optionally clipped) gradient to apply — zeros when not
 * finite — and updates the health counters. Inputs: g `[D]`, loss `[1]`, health `[4]`
 * (firstBad, skipped, -, -); outputs: safe gradient `[D]`, new health `[4]`
 * (firstBad', skipped', norm, ok). Params: [D, iteration (u32), clip (f32, 0 = off)].
 *
 * @example
 * ```ts
 * import { guardKernel } from "./es_combine.ts";
 * console.log(guardKernel().outputs); // 2
 * ```
 */
export function guardKernel(): KernelSpec {
  const code = `struct Params { D: u32, iteration: u32, clip: f32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> loss: array<f32>;
@group(0) @binding(3) var<storage, read> health: array<f32>;
@group(0) @binding(4) var<storage, read_write> safe: array<f32>;
@group(0) @binding(5) var<storage, read_write> healthNew: array<f32>;
var<workgroup> red: array<f32, 256>;
var<workgroup> okAll: f32;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var d = lid; d < p.D; d = d + 256u) { acc = acc + g[d] * g[d]; }
  red[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let norm = sqrt(red[0]);
  let l = loss[0];
  let ok = abs(norm) <= 3.4028234e38 && abs(l) <= 3.4028234e38;
  var scale = 1.0;
  if (p.clip > 0.0 && norm > p.clip) { scale = p.clip / norm; }
  for (var d = lid; d < p.D; d = d + 256u) { safe[d] = select(0.0, g[d] * scale, ok); }
  if (lid == 0u) {
    var firstBad = health[0];
    var skipped = health[1];
    if (!ok) {
      firstBad = min(firstBad, f32(p.iteration));
      skipped = skipped + 1.0;
    }
    healthNew[0] = firstBad;
    healthNew[1] = skipped;
    healthNew[2] = norm;
    healthNew[3] = select(0.0, 1.0, ok);
  }
}`;
  return { code, inputs: 3, outputs: 2 };
}
