/**
 * Fused WGSL for the forward update of the per-parameter GRU learned optimizer
 * (`../lopt/gru_lopt.ts`): one thread per (particle, parameter) runs the whole recurrence and
 * readout with its hidden state in registers, one dispatch instead of ~20 and no `[P, 3H, n]`
 * intermediates. Gate nonlinearities are written exactly as the elementwise kernels write them
 * (stable sigmoid, tanh of the input clamped to [-15, 15]) so both paths agree to rounding.
 *
 * @example
 * ```ts
 * import { gruLoptKernel } from "./gru_lopt.ts";
 * const k = gruLoptKernel(16);
 * console.log(k.inputs, k.outputs); // 4 3
 * ```
 * @module
 */
import { ENTRY, LINEAR_INDEX } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";

/**
 * The update kernel for `hidden` units. Params `[P, n, D, inputScale (f32), stepMult (f32)]`;
 * inputs theta `[P, D]`, params `[P, n]`, grads `[P, n]`, hidden state `[P, H, n]`; outputs new
 * params, new state, step. Weight offsets follow `GruLayout` (wx, u, b, wOut, bOut).
 *
 * @example
 * ```ts
 * import { gruLoptKernel } from "./gru_lopt.ts";
 * console.log(gruLoptKernel(4).code.includes("array<f32, 4>")); // true
 * ```
 */
export function gruLoptKernel(hidden: number): KernelSpec {
  const H = hidden;
  const [wx, u, b, wOut, bOut] = [
    0,
    3 * H,
    3 * H + 3 * H * H,
    6 * H + 3 * H * H,
    7 * H + 3 * H * H,
  ];
  const code =
    `struct Params { P: u32, n: u32, D: u32, inputScale: f32, stepMult: f32, pad0: u32, pad1: u32, pad2: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> prm: array<f32>;
@group(0) @binding(3) var<storage, read> grd: array<f32>;
@group(0) @binding(4) var<storage, read> hid: array<f32>;
@group(0) @binding(5) var<storage, read_write> outPrm: array<f32>;
@group(0) @binding(6) var<storage, read_write> outHid: array<f32>;
@group(0) @binding(7) var<storage, read_write> outStep: array<f32>;
fn sigm(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.P * p.n) { return; }
  let q = i / p.n;
  let k0 = i % p.n;
  let tb = q * p.D;
  let x = grd[i] * p.inputScale;
  var h: array<f32, ${H}>;
  var z: array<f32, ${H}>;
  var rh: array<f32, ${H}>;
  for (var k = 0u; k < ${H}u; k++) { h[k] = hid[(q * ${H}u + k) * p.n + k0]; }
  for (var o = 0u; o < ${H}u; o++) {
    var az = theta[tb + ${wx}u + o] * x + theta[tb + ${b}u + o];
    var ar = theta[tb + ${wx + H}u + o] * x + theta[tb + ${b + H}u + o];
    for (var j = 0u; j < ${H}u; j++) {
      az += theta[tb + ${u}u + o * ${H}u + j] * h[j];
      ar += theta[tb + ${u + H * H}u + o * ${H}u + j] * h[j];
    }
    z[o] = sigm(az);
    rh[o] = sigm(ar) * h[o];
  }
  var s = theta[tb + ${bOut}u];
  for (var o = 0u; o < ${H}u; o++) {
    var ac = theta[tb + ${wx + 2 * H}u + o] * x + theta[tb + ${b + 2 * H}u + o];
    for (var j = 0u; j < ${H}u; j++) { ac += theta[tb + ${
      u + 2 * H * H
    }u + o * ${H}u + j] * rh[j]; }
    let c = tanh(clamp(ac, -15.0, 15.0));
    let hn = h[o] + z[o] * (c - h[o]);
    outHid[(q * ${H}u + o) * p.n + k0] = hn;
    s += theta[tb + ${wOut}u + o] * hn;
  }
  let step = s * p.stepMult;
  outStep[i] = step;
  outPrm[i] = prm[i] - step;
}`;
  return { code, inputs: 4, outputs: 3 };
}
