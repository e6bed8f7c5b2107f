/**
 * The Gaussian negative log-likelihood of a BNN's linear readout as one fused, differentiable GPU
 * op for C chains: from the last hidden representation `g` `[C, n, W]`, the readout `theta`
 * `[C, W + 1, k]` (weights over the bias row) and targets `y` `[n, k]`,
 *
 *   f = [a g, bOut] theta   (a = wStdOut / sqrt(W)),   nll = |y - f|^2 / (2 sigma^2)  per chain.
 *
 * The forward pass is two dispatches (outputs, residuals and per-block partial sums; then the
 * per-chain total) and the backward pass one (the readout gradient and the gradient with respect
 * to `g` in one launch), replacing the readout features' concat, the readout matmul and the
 * residual/square/sum chain with their gradients.
 *
 * @example
 * ```ts
 * import { random } from "../../gpu/mod.ts";
 * import { readoutNll } from "./readout_nll.ts";
 * const g = random.normal(random.key(0), [2, 5, 8]);     // 2 chains, n = 5, width 8
 * const theta = random.normal(random.key(1), [2, 9, 3]); // readout over the bias row, k = 3
 * const y = random.normal(random.key(2), [5, 3]);
 * console.log(readoutNll(g, theta, y, { wStdOut: 1, bStdOut: 0.1, noiseStd: 0.5 }).shape); // [2]
 * ```
 * @module
 */
import { GradError, InvalidArgumentError, ShapeError } from "../../errors.ts";
import { customVjp, runtime, Tensor } from "../../gpu/mod.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, type KernelSpec } from "../../gpu/runtime.ts";
import { liveTrace, traceDepth } from "../../gpu/tape.ts";

/** Scales of {@link readoutNll}. */
export interface ReadoutNllScales {
  /** Readout weight scale (features are `wStdOut / sqrt(W) * g`). */
  wStdOut: number;
  /** Readout bias scale (the constant feature). */
  bStdOut: number;
  /** Noise standard deviation sigma of the Gaussian likelihood. */
  noiseStd: number;
}

const WG = 256;

// r[c, i, kk] = f - y and per-workgroup partial sums of r^2; workgroup (block, chain).
const residK: KernelSpec = {
  code: `struct P { rows: u32, w: u32, k: u32, groups: u32, a: f32, bo: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> th: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> r: array<f32>;
@group(0) @binding(5) var<storage, read_write> part: array<f32>;
var<workgroup> red: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let c = wid.y;
  let idx = wid.x * ${WG}u + tid;
  var e = 0.0;
  if (idx < p.rows * p.k) {
    let i = idx / p.k;
    let kk = idx % p.k;
    let gb = (c * p.rows + i) * p.w;
    let tb = c * (p.w + 1u) * p.k + kk;
    var s = 0.0;
    for (var j = 0u; j < p.w; j++) { s += g[gb + j] * th[tb + j * p.k]; }
    let rv = p.a * s + p.bo * th[tb + p.w * p.k] - y[idx];
    r[c * p.rows * p.k + idx] = rv;
    e = rv * rv;
  }
  red[tid] = e;
  workgroupBarrier();
  for (var h = ${WG / 2}u; h > 0u; h >>= 1u) {
    if (tid < h) { red[tid] += red[tid + h]; }
    workgroupBarrier();
  }
  if (tid == 0u) { part[c * p.groups + wid.x] = red[0]; }
}`,
  inputs: 3,
  outputs: 2,
};

const totalK: KernelSpec = {
  code: `struct P { c: u32, groups: u32, scale: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read_write> u: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.c) { return; }
  var s = 0.0;
  for (var j = 0u; j < p.groups; j++) { s += part[c * p.groups + j]; }
  u[c] = p.scale * s;
}`,
  inputs: 1,
  outputs: 1,
};

// One launch, two roles: threads [0, C (W+1)) compute a readout-gradient row (all k columns),
// threads [C (W+1), C (W+1) + C n W) one entry of the gradient with respect to g.
function backKernel(k: number): KernelSpec {
  const code = `struct P { rows: u32, w: u32, t1: u32, t2: u32, a: f32, bo: f32, inv: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> th: array<f32>;
@group(0) @binding(3) var<storage, read> r: array<f32>;
@group(0) @binding(4) var<storage, read> gc: array<f32>;
@group(0) @binding(5) var<storage, read_write> dth: array<f32>;
@group(0) @binding(6) var<storage, read_write> dg: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i < p.t1) {
    let j = i % (p.w + 1u);
    let c = i / (p.w + 1u);
    var acc: array<f32, ${k}>;
    for (var kk = 0u; kk < ${k}u; kk++) { acc[kk] = 0.0; }
    let rb = c * p.rows * ${k}u;
    if (j < p.w) {
      let gb = c * p.rows * p.w + j;
      for (var row = 0u; row < p.rows; row++) {
        let gv = g[gb + row * p.w];
        for (var kk = 0u; kk < ${k}u; kk++) { acc[kk] += gv * r[rb + row * ${k}u + kk]; }
      }
    } else {
      for (var row = 0u; row < p.rows; row++) {
        for (var kk = 0u; kk < ${k}u; kk++) { acc[kk] += r[rb + row * ${k}u + kk]; }
      }
    }
    let sc = select(p.bo, p.a, j < p.w) * p.inv * gc[c];
    for (var kk = 0u; kk < ${k}u; kk++) { dth[i * ${k}u + kk] = sc * acc[kk]; }
  } else if (i < p.t1 + p.t2) {
    let m = i - p.t1;
    let j = m % p.w;
    let cr = m / p.w;
    let c = cr / p.rows;
    let rb = cr * ${k}u;
    let tb = (c * (p.w + 1u) + j) * ${k}u;
    var s = 0.0;
    for (var kk = 0u; kk < ${k}u; kk++) { s += r[rb + kk] * th[tb + kk]; }
    dg[m] = s * p.a * p.inv * gc[c];
  }
}`;
  return { code, inputs: 4, outputs: 2 };
}
const backK = memoKernel(backKernel);

/**
 * `|y - [a g, bOut] theta|^2 / (2 sigma^2)` per chain `[C]` (see the module doc), differentiable
 * (first order) in `g` and `theta`.
 *
 * @example
 * ```ts
 * import { ones, zeros } from "../../gpu/mod.ts";
 * import { readoutNll } from "./readout_nll.ts";
 * // f = (1/2) * 4 * 1 + 1 * 1 = 3 for each of 2 outputs; (3 - 0)^2 * 2 / 2 = 9
 * const u = readoutNll(ones([1, 1, 4]), ones([1, 5, 2]), zeros([1, 2]),
 *   { wStdOut: 1, bStdOut: 1, noiseStd: 1 });
 * console.log(await u.read()); // Float32Array [9]
 * ```
 */
export function readoutNll(g: Tensor, theta: Tensor, y: Tensor, scales: ReadoutNllScales): Tensor {
  const { wStdOut, bStdOut, noiseStd } = scales;
  for (const [name, v] of [["wStdOut", wStdOut], ["bStdOut", bStdOut], ["noiseStd", noiseStd]]) {
    if (!Number.isFinite(v as number) || (v as number) < 0 || (name !== "bStdOut" && v === 0)) {
      throw new InvalidArgumentError(
        `readoutNll: ${name} must be a ${name === "bStdOut" ? "non-negative" : "positive"} ` +
          `number, got ${v}`,
      );
    }
  }
  const [C, n, W] = g.shape;
  const k = y.shape[1];
  if (
    g.rank !== 3 || theta.rank !== 3 || y.rank !== 2 || theta.shape[0] !== C ||
    theta.shape[1] !== W + 1 || theta.shape[2] !== k || y.shape[0] !== n
  ) {
    throw new ShapeError(
      `readoutNll: expected g [C, n, W], theta [C, W + 1, k] and y [n, k], got g ` +
        `[${g.shape.join(", ")}], theta [${theta.shape.join(", ")}], y [${y.shape.join(", ")}]`,
    );
  }
  const a = wStdOut / Math.sqrt(W);
  const inv = 1 / (noiseStd * noiseStd);
  let resid: Tensor | null = null;
  const op = customVjp(
    (gg: Tensor, tt: Tensor) => {
      const groups = Math.ceil((n * k) / WG);
      const r = Tensor.empty([C, n, k], "f32", "readoutNll");
      const part = Tensor.empty([C, groups], "f32", "readoutNll");
      const p = paramWords();
      p.u.set([n, W, k, groups]);
      p.f[4] = a;
      p.f[5] = bStdOut;
      const rt = runtime();
      rt.dispatch(
        residK,
        [gg, tt, y].map((t) => t.buffer("readoutNll")),
        [r.buffer(), part.buffer()],
        p.u,
        [groups, C, 1],
      );
      const u = Tensor.empty([C], "f32", "readoutNll");
      const q = paramWords();
      q.u.set([C, groups]);
      q.f[2] = inv / 2;
      rt.dispatch(totalK, [part.buffer()], [u.buffer()], q.u, [Math.ceil(C / 64), 1, 1]);
      part.dispose();
      resid = r;
      return u;
    },
    (gc: Tensor, [gg, tt]: [Tensor, Tensor]) => {
      if (traceDepth() > 1) {
        throw new GradError("readoutNll: its gradient is first-order only (no grad of grad)");
      }
      const dth = Tensor.empty(tt.shape, "f32", "readoutNll backward");
      const dg = Tensor.empty(gg.shape, "f32", "readoutNll backward");
      const t1 = C * (W + 1), t2 = C * n * W;
      const p = paramWords();
      p.u.set([n, W, t1, t2]);
      p.f[4] = a;
      p.f[5] = bStdOut;
      p.f[6] = inv;
      runtime().dispatch(
        backK(k),
        [gg, tt, resid!, gc].map((t) => t.buffer("readoutNll backward")),
        [dth.buffer(), dg.buffer()],
        p.u,
        grid(t1 + t2),
      );
      return [liveTrace(gg) ? dg : null, liveTrace(tt) ? dth : null];
    },
  );
  return op(g, theta);
}
