/**
 * One-thread-per-sample WGSL for the exact score of a Gaussian mixture perturbed by an SDE,
 * sum_k pi_k N(m mu_k, m^2 S_k + s^2 I), with S_k = U_k diag(lambda_k) U_k^T stored once in a
 * storage buffer and (m, s) passed per call (uniforms for a shared time, buffers for per-sample
 * times). Modes: the score, its exact divergence (trace of the Hessian of log p), a
 * Hessian-vector product (the score's vector-Jacobian product; the Jacobian is symmetric), and
 * log p itself. The component responsibilities use an online log-sum-exp, so no component
 * underflows.
 *
 * @example
 * ```ts
 * import { gmmKernel } from "./gmm_score.ts";
 * const spec = gmmKernel(2, "score", false);
 * console.log(spec.inputs, spec.outputs); // 2 1
 * ```
 * @module
 */
import type { KernelSpec } from "../../gpu/runtime.ts";

/** What the kernel computes per sample. */
export type GmmMode = "score" | "div" | "hvp" | "logp";

/** Largest dimension the kernel supports (per-thread arrays). */
export const GMM_MAX_DIM = 16;

/**
 * WGSL for dimension `d`. Bindings: p, x [n, d], comp (per component: log pi, mu (d),
 * lambda (d), U (d x d row-major)), [mt, st when `timeBuffers`], [ct for hvp], out.
 * Params: n, K, tlen (1 or n), pad, m, s.
 *
 * @example
 * ```ts
 * import { gmmKernel } from "./gmm_score.ts";
 * console.log(gmmKernel(2, "hvp", true).inputs); // 5
 * ```
 */
export function gmmKernel(d: number, mode: GmmMode, timeBuffers: boolean): KernelSpec {
  const stride = 1 + 2 * d + d * d;
  const decl: string[] = [
    "@group(0) @binding(1) var<storage, read> xs: array<f32>;",
    "@group(0) @binding(2) var<storage, read> comp: array<f32>;",
  ];
  let b = 3;
  if (timeBuffers) {
    decl.push(`@group(0) @binding(${b++}) var<storage, read> mt: array<f32>;`);
    decl.push(`@group(0) @binding(${b++}) var<storage, read> st: array<f32>;`);
  }
  if (mode === "hvp") decl.push(`@group(0) @binding(${b++}) var<storage, read> cts: array<f32>;`);
  const inputs = b - 1;
  decl.push(`@group(0) @binding(${b}) var<storage, read_write> out: array<f32>;`);
  const hvp = mode === "hvp", div = mode === "div";
  // Everything over the dimension is unrolled into scalars (no private arrays: llvmpipe and
  // some drivers spill dynamically indexed arrays to memory).
  const R = [...Array(d).keys()];
  const u = (r: number, j: number) => `comp[base + ${1 + 2 * d + r * d + j}u]`;
  const lines: string[] = [];
  const L = (s: string) => lines.push("    " + s);
  for (const j of R) {
    L(`let y${j} = (${
      R.map((r) => `${u(r, j)} * (x${r} - m * comp[base + ${1 + r}u])`).join(" + ")
    });`);
    L(`let d${j} = m * m * comp[base + ${1 + d + j}u] + s2;`);
    if (hvp) L(`let q${j} = (${R.map((r) => `${u(r, j)} * c${r}`).join(" + ")}) / d${j};`);
  }
  L(`let quad = ${R.map((j) => `y${j} * y${j} / d${j}`).join(" + ")};`);
  L(`let logdet = ${R.map((j) => `log(d${j})`).join(" + ")};`);
  L(`let l = comp[base] - 0.5 * quad - 0.5 * logdet - ${
    (0.5 * d * Math.log(2 * Math.PI)).toFixed(12)
  };`);
  for (const r of R) L(`let v${r} = -(${R.map((j) => `${u(r, j)} * y${j} / d${j}`).join(" + ")});`);
  L(`if (l > M) {`);
  L(`  let sc = exp(M - l);`);
  L(`  S *= sc; accD *= sc;`);
  for (const r of R) L(`  a${r} *= sc; h${r} *= sc;`);
  L(`  M = l;`);
  L(`}`);
  L(`let w = exp(l - M);`);
  L(`S += w;`);
  for (const r of R) L(`a${r} += w * v${r};`);
  if (div) {
    L(`let trP = ${R.map((j) => `1.0 / d${j}`).join(" + ")};`);
    L(`accD += w * ((${R.map((r) => `v${r} * v${r}`).join(" + ")}) - trP);`);
  }
  if (hvp) {
    L(`let vc = ${R.map((r) => `v${r} * c${r}`).join(" + ")};`);
    for (const r of R) {
      L(`h${r} += w * (v${r} * vc - (${R.map((j) => `${u(r, j)} * q${j}`).join(" + ")}));`);
    }
  }
  let tail: string;
  if (mode === "logp") tail = "out[i] = M + log(S);";
  else if (mode === "score") {
    tail = R.map((r) => `out[i * ${d}u + ${r}u] = a${r} / S;`).join("\n  ");
  } else if (mode === "div") {
    tail = `out[i] = accD / S - (${R.map((r) => `(a${r} / S) * (a${r} / S)`).join(" + ")});`;
  } else {
    tail = `let sc2 = ${R.map((r) => `(a${r} / S) * c${r}`).join(" + ")};\n  ` +
      R.map((r) => `out[i * ${d}u + ${r}u] = h${r} / S - a${r} / S * sc2;`).join("\n  ");
  }
  const code = `struct P { n: u32, K: u32, tlen: u32, pad: u32, m: f32, s: f32 };
@group(0) @binding(0) var<uniform> p: P;
${decl.join("\n")}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= p.n) { return; }
  ${
    timeBuffers
      ? "let ti = select(0u, i, p.tlen > 1u); let m = mt[ti]; let s = st[ti];"
      : "let m = p.m; let s = p.s;"
  }
  let s2 = s * s;
  ${R.map((r) => `let x${r} = xs[i * ${d}u + ${r}u];`).join("\n  ")}
  ${R.map((r) => `let c${r} = ${hvp ? `cts[i * ${d}u + ${r}u]` : "0.0"};`).join("\n  ")}
  var M = -3.0e38;
  var S = 0.0;
  var accD = 0.0;
  ${R.map((r) => `var a${r} = 0.0; var h${r} = 0.0;`).join("\n  ")}
  for (var k = 0u; k < p.K; k++) {
    let base = k * ${stride}u;
${lines.join("\n")}
  }
  ${tail}
}`;
  return { code, inputs, outputs: 1 };
}
