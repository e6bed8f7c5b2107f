/**
 * WGSL for the learning-rate-schedule task (see `tasks/lr_schedule_regression.ts`): a fused
 * K-step forward of SGD on the 2-D toy loss (one thread per particle) and its exact reverse
 * pass, which needs the loss's Hessian.
 *
 * Inner loss (persistent_es `toy_regression.py`):
 * `f(x) = sqrt(x0^2 + 5) - sqrt(5) + sin(x1)^2 exp(-5 x0^2) + 0.25 |x1 - 100|`.
 * Step at index t: `lr_t = exp(theta0) (T - t)/T + exp(theta1) t/T`,
 * `x <- x - lr_t grad f(x)`, loss `f(x)` after the step; reset to `x = init` when t + 1 = T.
 *
 * @example
 * ```ts
 * import { lrScheduleForwardKernel } from "./lr_schedule.ts";
 * console.log(lrScheduleForwardKernel().inputs); // 3
 * ```
 * @module
 */
import { ENTRY, LINEAR_INDEX } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";

const PARAMS = `struct Params { P: u32, K: u32, T: u32, nd: u32, init0: f32, init1: f32 };
@group(0) @binding(0) var<uniform> p: Params;
const SQRT5: f32 = 2.2360679774997896;
fn f_(x: vec2<f32>) -> f32 {
  let s = sin(x.y);
  return sqrt(x.x * x.x + 5.0) - SQRT5 + s * s * exp(-5.0 * x.x * x.x) + 0.25 * abs(x.y - 100.0);
}
fn grad_(x: vec2<f32>) -> vec2<f32> {
  let e = exp(-5.0 * x.x * x.x);
  let s = sin(x.y);
  let g0 = x.x / sqrt(x.x * x.x + 5.0) - 10.0 * x.x * s * s * e;
  let g1 = sin(2.0 * x.y) * e + 0.25 * sign(x.y - 100.0);
  return vec2<f32>(g0, g1);
}
// Hessian (h00, h01, h11); the |x1 - 100| term has zero curvature almost everywhere.
fn hess_(x: vec2<f32>) -> vec3<f32> {
  let e = exp(-5.0 * x.x * x.x);
  let s = sin(x.y);
  let r = x.x * x.x + 5.0;
  let h00 = 5.0 / (r * sqrt(r)) + s * s * e * (100.0 * x.x * x.x - 10.0);
  let h01 = -10.0 * x.x * sin(2.0 * x.y) * e;
  let h11 = 2.0 * cos(2.0 * x.y) * e;
  return vec3<f32>(h00, h01, h11);
}
fn lr_(th: vec2<f32>, t: u32) -> vec2<f32> {
  // The two coefficients d lr / d theta_j = exp(theta_j) * weight_j; their sum is lr.
  let T = f32(p.T);
  let tf = f32(t);
  return vec2<f32>(exp(th.x) * (T - tf) / T, exp(th.y) * tf / T);
}`;

/**
 * The fused forward: inputs theta `[P, 2]`, state `[P, 2]`, t0 `[P]` (u32); outputs packed
 * `[P, 2 + K]` (final x, then the K losses) and the x at the start of every step `[P, K, 2]`.
 *
 * @example
 * ```ts
 * import { lrScheduleForwardKernel } from "./lr_schedule.ts";
 * console.log(lrScheduleForwardKernel().outputs); // 2
 * ```
 */
export function lrScheduleForwardKernel(): KernelSpec {
  const code = `${PARAMS}
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> state: array<f32>;
@group(0) @binding(3) var<storage, read> t0: array<u32>;
@group(0) @binding(4) var<storage, read_write> packed: array<f32>;
@group(0) @binding(5) var<storage, read_write> xs: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.P) { return; }
  let th = vec2<f32>(theta[2u * i], theta[2u * i + 1u]);
  var x = vec2<f32>(state[2u * i], state[2u * i + 1u]);
  var t = t0[i % p.nd];
  let row = i * (2u + p.K);
  for (var k = 0u; k < p.K; k++) {
    xs[2u * (i * p.K + k)] = x.x;
    xs[2u * (i * p.K + k) + 1u] = x.y;
    let c = lr_(th, t);
    x = x - (c.x + c.y) * grad_(x);
    packed[row + 2u + k] = f_(x);
    t = t + 1u;
    if (t == p.T) {
      t = 0u;
      x = vec2<f32>(p.init0, p.init1);
    }
  }
  packed[row] = x.x;
  packed[row + 1u] = x.y;
}`;
  return { code, inputs: 3, outputs: 2 };
}

/**
 * The reverse pass: inputs ct_packed `[P, 2 + K]`, xs `[P, K, 2]`, theta `[P, 2]`, t0 `[P]`;
 * output `[P, 4]` = (x cotangent, theta cotangent).
 *
 * @example
 * ```ts
 * import { lrScheduleBackwardKernel } from "./lr_schedule.ts";
 * console.log(lrScheduleBackwardKernel().inputs); // 4
 * ```
 */
export function lrScheduleBackwardKernel(): KernelSpec {
  const code = `${PARAMS}
@group(0) @binding(1) var<storage, read> ct: array<f32>;
@group(0) @binding(2) var<storage, read> xs: array<f32>;
@group(0) @binding(3) var<storage, read> theta: array<f32>;
@group(0) @binding(4) var<storage, read> t0: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.P) { return; }
  let th = vec2<f32>(theta[2u * i], theta[2u * i + 1u]);
  let row = i * (2u + p.K);
  var c = vec2<f32>(ct[row], ct[row + 1u]);
  var gth = vec2<f32>(0.0, 0.0);
  for (var kk = 0u; kk < p.K; kk++) {
    let k = p.K - 1u - kk;
    if ((t0[i % p.nd] + k + 1u) % p.T == 0u) { c = vec2<f32>(0.0, 0.0); }
    let x = vec2<f32>(xs[2u * (i * p.K + k)], xs[2u * (i * p.K + k) + 1u]);
    let t = (t0[i % p.nd] + k) % p.T;
    let co = lr_(th, t);
    let lr = co.x + co.y;
    let g = grad_(x);
    let xn = x - lr * g;
    c = c + ct[row + 2u + k] * grad_(xn);
    let gc = dot(g, c);
    gth = gth - co * gc;
    let h = hess_(x);
    c = c - lr * vec2<f32>(h.x * c.x + h.y * c.y, h.y * c.x + h.z * c.y);
  }
  out[4u * i] = c.x;
  out[4u * i + 1u] = c.y;
  out[4u * i + 2u] = gth.x;
  out[4u * i + 3u] = gth.y;
}`;
  return { code, inputs: 4, outputs: 1 };
}
