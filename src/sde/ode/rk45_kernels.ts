/**
 * WGSL for the GPU-resident Dormand-Prince RK45 solver (`rk45.ts`). The solver's scalar state
 * lives in a small GPU buffer S, so step acceptance and step-size control never leave the GPU:
 *
 * | S[i] | meaning |
 * |---|---|
 * | 0 | t |
 * | 1 | |h| proposed by the controller (unclipped) |
 * | 2 | signed h of the current attempt (clipped to end at t1) |
 * | 3 | status: 0 running, 1 reached t1, 2 failed (step too small or non-finite error) |
 * | 4 | evaluations of f |
 * | 5 | accepted steps |
 * | 6 | rejected attempts |
 * | 7 | 1 if the current step already had a rejection (caps the next growth factor at 1) |
 * | 8 | 1 if the last attempt was accepted |
 * | 9 | 1 if the current attempt ends exactly at t1 |
 *
 * Coefficients: Dormand & Prince (1980), as in scipy's `RK45`.
 *
 * @example
 * ```ts
 * import { stageKernel } from "./rk45_kernels.ts";
 * console.log(stageKernel(1).outputs); // 3
 * ```
 * @module
 */
import type { KernelSpec } from "../../gpu/runtime.ts";

/** Stage times c_i. */
export const DP_C: readonly number[] = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
/** Stage matrix rows a_{i,j} (row i gives the input of stage i + 1); row 6 is the 5th-order b. */
export const DP_A: readonly (readonly number[])[] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
/** Error weights e_j (5th minus embedded 4th order), for k_1..k_7. */
export const DP_E: readonly number[] = [
  -71 / 57600,
  0,
  71 / 16695,
  -71 / 1920,
  17253 / 339200,
  -22 / 525,
  1 / 40,
];

const lit = (v: number) => {
  const s = v.toPrecision(17);
  return s.includes(".") || s.includes("e") ? s : s + ".0";
};

const HEAD =
  `struct P { n4: u32, n: u32, pad0: u32, pad1: u32, t1: f32, dir: f32, rtol: f32, atol: f32,
  safety: f32, minFactor: f32, maxFactor: f32, nfePerAttempt: f32 };
@group(0) @binding(0) var<uniform> p: P;`;

const ENTRY = `@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;`;

/**
 * Stage kernel `i` (1..6): stores k_i (input `knew`) as row i-1 of K and writes the input of
 * stage i+1, y + h sum_j a_{i,j} k_j, and its time t + c_i h. Bindings: p, y, knew, S | K, yst,
 * tst.
 *
 * @example
 * ```ts
 * import { stageKernel } from "./rk45_kernels.ts";
 * console.log(stageKernel(6).code.includes("0.091145833")); // 35/384
 * ```
 */
export function stageKernel(stage: number): KernelSpec {
  const a = DP_A[stage];
  const terms = a.map((c, j) => {
    if (c === 0) return "";
    const src = j === stage - 1 ? "kn" : `K[${j}u * p.n4 + i]`;
    return ` + ${lit(c)} * ${src}`;
  }).join("");
  const code = `${HEAD}
@group(0) @binding(1) var<storage, read> y: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> knew: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> S: array<f32>;
@group(0) @binding(4) var<storage, read_write> K: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> yst: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> tst: array<f32>;
${ENTRY}
  if (i == 0u) { tst[0] = S[0] + ${lit(DP_C[stage])} * S[2]; }
  if (i >= p.n4) { return; }
  let kn = knew[i];
  K[${stage - 1}u * p.n4 + i] = kn;
  yst[i] = y[i] + S[2] * (vec4<f32>(0.0)${terms});
}`;
  return { code, inputs: 3, outputs: 3 };
}

/**
 * Error kernel: r = (h sum_j e_j k_j / (atol + rtol max(|y|, |y5|)))^2 elementwise.
 * Bindings: p, y, y5, k7, K, S | r.
 *
 * @example
 * ```ts
 * import { errorKernel } from "./rk45_kernels.ts";
 * console.log(errorKernel().inputs); // 5
 * ```
 */
export function errorKernel(): KernelSpec {
  const terms = DP_E.map((c, j) => {
    if (c === 0) return "";
    return ` + ${lit(c)} * ${j === 6 ? "k7[i]" : `K[${j}u * p.n4 + i]`}`;
  }).join("");
  const code = `${HEAD}
@group(0) @binding(1) var<storage, read> y: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> y5: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> k7: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> K: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> S: array<f32>;
@group(0) @binding(6) var<storage, read_write> r: array<vec4<f32>>;
${ENTRY}
  if (i >= p.n4) { return; }
  let err = S[2] * (vec4<f32>(0.0)${terms});
  let scale = vec4<f32>(p.atol) + p.rtol * max(abs(y[i]), abs(y5[i]));
  let q = err / scale;
  r[i] = q * q;
}`;
  return { code, inputs: 5, outputs: 1 };
}

/**
 * Controller kernel (one thread): from the summed squared scaled error decides acceptance,
 * advances t, adapts |h| (scipy's rule: factor = safety * err^(-1/5) clipped to
 * [minFactor, maxFactor], at most 1 right after a rejection) and clips the next attempt to t1.
 * Bindings: p, errSum | S.
 *
 * @example
 * ```ts
 * import { controlKernel } from "./rk45_kernels.ts";
 * console.log(controlKernel().outputs); // 1
 * ```
 */
export function controlKernel(): KernelSpec {
  const code = `${HEAD}
@group(0) @binding(1) var<storage, read> es: array<f32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
@compute @workgroup_size(1)
fn main() {
  if (S[3] != 0.0) { S[8] = 0.0; S[2] = 0.0; return; }
  let norm = sqrt(es[0] / f32(p.n));
  S[4] = S[4] + p.nfePerAttempt;
  let habs = abs(S[2]);
  if (!(norm <= 3.0e38)) { S[3] = 2.0; S[8] = 0.0; S[2] = 0.0; return; }
  if (norm < 1.0) {
    var factor = p.maxFactor;
    if (norm > 0.0) { factor = min(p.maxFactor, p.safety * pow(norm, -0.2)); }
    if (S[7] > 0.0) { factor = min(1.0, factor); }
    if (S[9] > 0.0) { S[0] = p.t1; S[3] = 1.0; } else { S[0] = S[0] + S[2]; }
    S[1] = habs * factor;
    S[5] = S[5] + 1.0;
    S[7] = 0.0;
    S[8] = 1.0;
  } else {
    S[1] = habs * max(p.minFactor, p.safety * pow(norm, -0.2));
    S[6] = S[6] + 1.0;
    S[7] = 1.0;
    S[8] = 0.0;
  }
  if (S[3] != 0.0) { S[2] = 0.0; return; }
  let rem = abs(p.t1 - S[0]);
  let hn = min(S[1], rem);
  S[9] = select(0.0, 1.0, S[1] >= rem);
  S[2] = p.dir * hn;
  if (hn < 1.2e-6 * abs(S[0]) + 1e-12) { S[3] = 2.0; S[2] = 0.0; }
}`;
  return { code, inputs: 1, outputs: 1 };
}

/**
 * Accept kernel: where the last attempt was accepted, y = y5 and k1 = k7 (first same as last).
 * Bindings: p, y5, k7, S | y, k1.
 *
 * @example
 * ```ts
 * import { acceptKernel } from "./rk45_kernels.ts";
 * console.log(acceptKernel().outputs); // 2
 * ```
 */
export function acceptKernel(): KernelSpec {
  const code = `${HEAD}
@group(0) @binding(1) var<storage, read> y5: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k7: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> S: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> k1: array<vec4<f32>>;
${ENTRY}
  if (i >= p.n4 || S[8] == 0.0) { return; }
  y[i] = y5[i];
  k1[i] = k7[i];
}`;
  return { code, inputs: 3, outputs: 2 };
}
