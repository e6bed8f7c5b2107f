/**
 * Fused WGSL for the forward update of the per-parameter MLP learned optimizer
 * (`../lopt/mlp_lopt.ts`): two dispatches instead of ~40, and no `[P, hidden, n]` activations
 * in memory.
 *
 * - `loptStatsKernel`: partial sums of squares of the 8 per-tensor features (gradient,
 *   parameter, the 6 updated momenta) over chunks of parameters, one workgroup per
 *   (chunk, particle), reduced in workgroup memory: `partial [P, chunks, 8]`.
 * - `loptApplyKernel`: one thread per (particle, parameter): sums its tensor's chunk partials
 *   into the root-mean-square normalizers, forms the 19 features, runs the MLP with the
 *   particle's weights (read from `theta [P, D]`, the same addresses for a whole workgroup) and
 *   writes the new parameter, the 6 new momenta and the step.
 *
 * Constants (decays, timescales, layer sizes and weight offsets) are baked into the source, so
 * each optimizer shape compiles once.
 *
 * @example
 * ```ts
 * import { loptApplyKernel, loptStatsKernel } from "./mlp_lopt.ts";
 * console.log(loptStatsKernel().outputs, loptApplyKernel(32, 2).inputs); // 1 7
 * ```
 * @module
 */
import { ENTRY, LINEAR_INDEX } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";

/** Parameters per chunk of the statistics pass (256 threads x 16). */
export const LOPT_CHUNK = 4096;

// Decays and timescales as in learned_optimization's MLPLOpt (kept in sync with mlp_lopt.ts by
// the tests, which compare this kernel with the tensor-op path).
const DECAYS = [0.1, 0.5, 0.9, 0.99, 0.999, 0.9999];
const TIMESCALES = [1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000];
const lit = (v: number) => {
  const s = Math.fround(v).toPrecision(9);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
};
const arr = (vs: number[]) => `array<f32, ${vs.length}>(${vs.map(lit).join(", ")})`;

/**
 * The statistics pass. Params `[P, n, chunks]`; inputs params `[P, n]`, grads `[P, n]`,
 * momenta `[P, 6, n]`, chunk table u32 `[chunks, 2]` (start, end); output `[P, chunks, 8]`.
 *
 * @example
 * ```ts
 * import { loptStatsKernel } from "./mlp_lopt.ts";
 * console.log(loptStatsKernel().code.includes("workgroupBarrier")); // true
 * ```
 */
export function loptStatsKernel(): KernelSpec {
  const code = `struct Params { P: u32, n: u32, chunks: u32, pad: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> prm: array<f32>;
@group(0) @binding(2) var<storage, read> grd: array<f32>;
@group(0) @binding(3) var<storage, read> mom: array<f32>;
@group(0) @binding(4) var<storage, read> chunkTable: array<u32>;
@group(0) @binding(5) var<storage, read_write> partial: array<f32>;
var<workgroup> acc: array<array<f32, 256>, 8>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wg.x;
  let q = wg.y;
  var decay = ${arr(DECAYS)};
  var keep = ${arr(DECAYS.map((b) => 1 - b))};
  var s: array<f32, 8>;
  for (var j = 0u; j < 8u; j++) { s[j] = 0.0; }
  let start = chunkTable[2u * c];
  let end = chunkTable[2u * c + 1u];
  for (var i = start + lid; i < end; i += 256u) {
    let g = grd[q * p.n + i];
    let x = prm[q * p.n + i];
    s[0] += g * g;
    s[1] += x * x;
    for (var k = 0u; k < 6u; k++) {
      let m = decay[k] * mom[(q * 6u + k) * p.n + i] + keep[k] * g;
      s[2u + k] += m * m;
    }
  }
  for (var j = 0u; j < 8u; j++) { acc[j][lid] = s[j]; }
  workgroupBarrier();
  for (var st = 128u; st > 0u; st = st >> 1u) {
    if (lid < st) {
      for (var j = 0u; j < 8u; j++) { acc[j][lid] += acc[j][lid + st]; }
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    for (var j = 0u; j < 8u; j++) { partial[(q * p.chunks + c) * 8u + j] = acc[j][0]; }
  }
}`;
  return { code, inputs: 4, outputs: 1 };
}

/**
 * The apply pass for an MLP with `layers` hidden layers of width `hidden`. Params
 * `[P, n, chunks, segments, D, stepMult (f32), expMult (f32)]`; inputs theta `[P, D]`, params,
 * grads, momenta, iteration `[P]`, segment table u32 `[segments, 4]` (start, end, first chunk,
 * end chunk), partial sums; outputs new params `[P, n]`, new momenta `[P, 6, n]`, step `[P, n]`.
 *
 * @example
 * ```ts
 * import { loptApplyKernel } from "./mlp_lopt.ts";
 * console.log(loptApplyKernel(8, 1).outputs); // 3
 * ```
 */
export function loptApplyKernel(hidden: number, layers: number): KernelSpec {
  const F = 8 + TIMESCALES.length;
  const sizes = [F, ...Array.from({ length: layers }, () => hidden), 2];
  const lines: string[] = [];
  let off = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [fin, fout] = [sizes[l - 1], sizes[l]];
    const src = `h${l - 1}`, dst = `h${l}`;
    const w = off, b = off + fin * fout;
    off = b + fout;
    const act = l < sizes.length - 1 ? "max(a, 0.0)" : "a";
    lines.push(`var ${dst}: array<f32, ${fout}>;
  for (var o = 0u; o < ${fout}u; o++) {
    var a = theta[tb + ${b}u + o];
    for (var j = 0u; j < ${fin}u; j++) { a += theta[tb + ${w}u + o * ${fin}u + j] * ${src}[j]; }
    ${dst}[o] = ${act};
  }`);
  }
  const last = `h${sizes.length - 1}`;
  const code =
    `struct Params { P: u32, n: u32, chunks: u32, segs: u32, D: u32, stepMult: f32, expMult: f32, pad: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> prm: array<f32>;
@group(0) @binding(3) var<storage, read> grd: array<f32>;
@group(0) @binding(4) var<storage, read> mom: array<f32>;
@group(0) @binding(5) var<storage, read> iter: array<f32>;
@group(0) @binding(6) var<storage, read> segTable: array<u32>;
@group(0) @binding(7) var<storage, read> partial: array<f32>;
@group(0) @binding(8) var<storage, read_write> outPrm: array<f32>;
@group(0) @binding(9) var<storage, read_write> outMom: array<f32>;
@group(0) @binding(10) var<storage, read_write> outStep: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.P * p.n) { return; }
  let q = i / p.n;
  let k0 = i % p.n;
  var decay = ${arr(DECAYS)};
  var keep = ${arr(DECAYS.map((b) => 1 - b))};
  var scales = ${arr(TIMESCALES.map((s) => 1 / s))};
  var seg = 0u;
  while (seg + 1u < p.segs && k0 >= segTable[4u * seg + 1u]) { seg++; }
  let len = f32(segTable[4u * seg + 1u] - segTable[4u * seg]);
  var inv: array<f32, 8>;
  for (var j = 0u; j < 8u; j++) {
    var s = 0.0;
    for (var c = segTable[4u * seg + 2u]; c < segTable[4u * seg + 3u]; c++) {
      s += partial[(q * p.chunks + c) * 8u + j];
    }
    inv[j] = inverseSqrt(s / len + 1e-5);
  }
  let g = grd[i];
  var h0: array<f32, ${F}>;
  h0[0] = g * inv[0];
  h0[1] = prm[i] * inv[1];
  for (var k = 0u; k < 6u; k++) {
    let m = decay[k] * mom[(q * 6u + k) * p.n + k0] + keep[k] * g;
    outMom[(q * 6u + k) * p.n + k0] = m;
    h0[2u + k] = m * inv[2u + k];
  }
  let t = iter[q];
  for (var k = 0u; k < ${TIMESCALES.length}u; k++) {
    h0[8u + k] = tanh(clamp(t * scales[k] - 1.0, -15.0, 15.0));
  }
  let tb = q * p.D;
  ${lines.join("\n  ")}
  let step = ${last}[0] * exp(${last}[1] * p.expMult) * p.stepMult;
  outStep[i] = step;
  outPrm[i] = prm[i] - step;
}`;
  return { code, inputs: 7, outputs: 3 };
}
