/**
 * WGSL for the influence-balancing task (see `tasks/influence_balancing.ts`): a fused K-step
 * forward (one thread per particle, the state in registers) and its exact reverse pass.
 *
 * Forward, per particle and step: `s_j <- a s_j + b s_{j+1} + theta sign_j` (the last
 * component has no `s_{j+1}` term), `loss = 0.5 (s_0 - target)^2`, and when the episode ends
 * the state resets to `init`. The kernel writes `[state | losses]` packed in one row per
 * particle plus `s_0` after every step (what the reverse pass needs).
 *
 * Reverse, per particle and step from last to first: zero the state cotangent where a reset
 * replaced the state, add `ct_loss (s_0 - target)` to component 0, accumulate
 * `sum_j sign_j ct_j` into the theta cotangent, then `ct <- A^T ct`.
 *
 * @example
 * ```ts
 * import { influenceForwardKernel } from "./influence.ts";
 * const spec = influenceForwardKernel(23, 10);
 * console.log(spec.inputs, spec.outputs); // 3 2
 * ```
 * @module
 */
import { ENTRY, LINEAR_INDEX } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";

/** Uniform layout shared by both kernels (words): P, K, T (0 = never), a, b, target, init. */
const PARAMS =
  `struct Params { P: u32, K: u32, T: u32, nd: u32, a: f32, b: f32, tgt: f32, init: f32 };
@group(0) @binding(0) var<uniform> p: Params;`;

function signOf(j: number, npos: number): string {
  return j < npos ? "th" : "(-th)";
}

/**
 * The fused forward: inputs theta `[P]`, state `[P, n]`, t0 `[P]` (u32); outputs packed
 * `[P, n + K]` and s0 trajectory `[P, K]`. The state size `n` and the number of positive
 * influences `npos` are baked in so the loops unroll into registers.
 *
 * @example
 * ```ts
 * import { influenceForwardKernel } from "./influence.ts";
 * console.log(influenceForwardKernel(4, 2).code.includes("s3")); // true
 * ```
 */
export function influenceForwardKernel(n: number, npos: number): KernelSpec {
  const decl = Array.from({ length: n }, (_, j) => `var s${j} = state[i * ${n}u + ${j}u];`).join(
    "\n  ",
  );
  const upd = Array.from(
    { length: n },
    (_, j) =>
      j + 1 < n
        ? `s${j} = p.a * s${j} + p.b * s${j + 1} + ${signOf(j, npos)};`
        : `s${j} = p.a * s${j} + ${signOf(j, npos)};`,
  ).join("\n    ");
  const reset = Array.from({ length: n }, (_, j) => `s${j} = p.init;`).join(" ");
  const store = Array.from({ length: n }, (_, j) => `packed[row + ${j}u] = s${j};`).join("\n  ");
  const code = `${PARAMS}
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> state: array<f32>;
@group(0) @binding(3) var<storage, read> t0: array<u32>;
@group(0) @binding(4) var<storage, read_write> packed: array<f32>;
@group(0) @binding(5) var<storage, read_write> s0s: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.P) { return; }
  let th = theta[i];
  ${decl}
  let row = i * (${n}u + p.K);
  var t = t0[i % p.nd];
  for (var k = 0u; k < p.K; k++) {
    ${upd}
    let d = s0 - p.tgt;
    packed[row + ${n}u + k] = 0.5 * d * d;
    s0s[i * p.K + k] = s0;
    t = t + 1u;
    if (p.T != 0u && t == p.T) {
      t = 0u;
      ${reset}
    }
  }
  ${store}
}`;
  return { code, inputs: 3, outputs: 2 };
}

/**
 * The reverse pass: inputs ct_packed `[P, n + K]`, s0 trajectory `[P, K]`, t0 `[P]` (u32);
 * output `[P, n + 1]` = (state cotangent, theta cotangent).
 *
 * @example
 * ```ts
 * import { influenceBackwardKernel } from "./influence.ts";
 * console.log(influenceBackwardKernel(23, 10).outputs); // 1
 * ```
 */
export function influenceBackwardKernel(n: number, npos: number): KernelSpec {
  const decl = Array.from({ length: n }, (_, j) => `var c${j} = ct[row + ${j}u];`).join("\n  ");
  const zero = Array.from({ length: n }, (_, j) => `c${j} = 0.0;`).join(" ");
  const signed = Array.from({ length: n }, (_, j) => (j < npos ? `+ c${j}` : `- c${j}`)).join(" ");
  // (A^T c)_j = a c_j + b c_{j-1}; update from the top so c_{j-1} is still the old value.
  const back = Array.from({ length: n }, (_, jj) => {
    const j = n - 1 - jj;
    return j > 0 ? `c${j} = p.a * c${j} + p.b * c${j - 1};` : `c0 = p.a * c0;`;
  }).join("\n    ");
  const store = Array.from({ length: n }, (_, j) => `out[orow + ${j}u] = c${j};`).join("\n  ");
  const code = `${PARAMS}
@group(0) @binding(1) var<storage, read> ct: array<f32>;
@group(0) @binding(2) var<storage, read> s0s: array<f32>;
@group(0) @binding(3) var<storage, read> t0: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.P) { return; }
  let row = i * (${n}u + p.K);
  ${decl}
  var gth = 0.0;
  for (var kk = 0u; kk < p.K; kk++) {
    let k = p.K - 1u - kk;
    if (p.T != 0u && (t0[i % p.nd] + k + 1u) % p.T == 0u) { ${zero} }
    c0 = c0 + ct[row + ${n}u + k] * (s0s[i * p.K + k] - p.tgt);
    gth = gth ${signed};
    ${back}
  }
  let orow = i * ${n + 1}u;
  ${store}
  out[orow + ${n}u] = gth;
}`;
  return { code, inputs: 3, outputs: 1 };
}
