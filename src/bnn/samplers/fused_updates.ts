/**
 * Fused GPU kernels for the per-leaf updates of HMC-type samplers, so one transition costs a few
 * dispatches per parameter tensor instead of dozens of small elementwise ops (a dispatch costs
 * ~10 us on an H100 and more on llvmpipe; DESIGN.md principle 2). `hmc.ts` now runs the
 * all-leaves versions in `leaf_fused.ts` (one dispatch per update for every tensor); it still
 * uses `kick` between leapfrog steps and `selectPair`/`selectFlip` on devices that cannot bind
 * the 10 buffers per leaf of the fused select.
 *
 * - `kickDrift`: optional momentum refresh `p0 = a p + b xi`, half kick
 *   `p' = p0 - eps/2 (g + [q])` and drift `q' = q + eps p'` (`[q]` when the target has a
 *   standard-normal prior), per chain step size `eps[c]`;
 * - `kick`: the closing half kick;
 * - `energyPartials`: per-chain partial sums of `(p1-p0)(p1+p0)/2 [+ (q1-q0)(q1+q0)/2]` into
 *   columns of a shared `[C, G]` buffer (two-stage reduction, many workgroups per chain);
 * - `metropolisFromPartials`: sums the partials, adds `u1 - u0`, and makes the Metropolis-Hastings
 *   decision from uniforms, in one thread per chain;
 * - `selectPair` / `selectFlip`: per-chain `where` of the accepted state (with the momentum flip
 *   on rejection).
 *
 * Leaves are `[C, D]` row-major (any trailing shape, flattened); `eps`, `u`, decisions are `[C]`.
 *
 * @example
 * ```ts
 * import { full, random } from "../../gpu/mod.ts";
 * import { kick, kickDrift } from "./fused_updates.ts";
 * const q = random.normal(random.key(0), [2, 3]), p = random.normal(random.key(1), [2, 3]);
 * const g = random.normal(random.key(2), [2, 3]), eps = full([2], 0.1);
 * const { pHalf, q1 } = kickDrift(q, p, g, eps, true);
 * console.log(kick(pHalf, g, q1, eps, true).shape); // [2, 3]
 * ```
 * @module
 */
import { ShapeError } from "../../errors.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, type KernelSpec, runtime } from "../../gpu/runtime.ts";
import { Tensor } from "../../gpu/tensor.ts";

const WG = 256;
const ENTRY = `@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i >= p.n) { return; }
  let c = i / p.d;`;

function kickDriftKernel(refresh: boolean): KernelSpec {
  const ins = refresh ? ["q", "pm", "g", "eps", "xi"] : ["q", "pm", "g", "eps"];
  const outs = refresh ? ["p0", "ph", "q1"] : ["ph", "q1"];
  const code = `struct P { n: u32, d: u32, a: f32, b: f32, snp: f32 };
@group(0) @binding(0) var<uniform> p: P;
${ins.map((n, k) => `@group(0) @binding(${k + 1}) var<storage, read> ${n}: array<f32>;`).join("\n")}
${
    outs.map((n, k) =>
      `@group(0) @binding(${k + 1 + ins.length}) var<storage, read_write> ${n}: array<f32>;`
    ).join("\n")
  }
${ENTRY}
  let e = eps[c];
  let x = q[i];
  ${refresh ? "let m0 = p.a * pm[i] + p.b * xi[i];\n  p0[i] = m0;" : "let m0 = pm[i];"}
  let mh = m0 - 0.5 * e * (g[i] + p.snp * x);
  ph[i] = mh;
  q1[i] = x + e * mh;
}`;
  return { code, inputs: ins.length, outputs: outs.length };
}

const kickK: KernelSpec = {
  code: `struct P { n: u32, d: u32, a: f32, b: f32, snp: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> ph: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> q: array<f32>;
@group(0) @binding(4) var<storage, read> eps: array<f32>;
@group(0) @binding(5) var<storage, read_write> p1: array<f32>;
${ENTRY}
  p1[i] = ph[i] - 0.5 * eps[c] * (g[i] + p.snp * q[i]);
}`,
  inputs: 4,
  outputs: 1,
};

const kdK = memoKernel(kickDriftKernel);

function leafDims(t: Tensor, C: number, where: string): number {
  if (t.rank === 0 || t.shape[0] !== C || t.dtype !== "f32") {
    throw new ShapeError(
      `${where}: expected an f32 tensor [${C}, ...], got [${t.shape.join(", ")}]`,
    );
  }
  return t.size / C;
}

/**
 * Fused refresh + half kick + drift for one parameter tensor (see the module doc). Pass
 * `refresh = { xi, a, b }` to refresh the momentum first (then `p0` is returned).
 *
 * @example
 * ```ts
 * import { full, ones, zeros } from "../../gpu/mod.ts";
 * import { kickDrift } from "./fused_updates.ts";
 * const r = kickDrift(zeros([1, 2]), ones([1, 2]), zeros([1, 2]), full([1], 0.5), false);
 * console.log(await r.q1.read()); // Float32Array [0.5, 0.5]
 * ```
 */
export function kickDrift(
  q: Tensor,
  p: Tensor,
  g: Tensor,
  eps: Tensor,
  standardNormalPrior: boolean,
  refresh?: { xi: Tensor; a: number; b: number },
): { p0: Tensor | null; pHalf: Tensor; q1: Tensor } {
  const C = eps.size;
  const D = leafDims(q, C, "kickDrift");
  const w = paramWords();
  w.u[0] = q.size;
  w.u[1] = D;
  w.f[2] = refresh?.a ?? 1;
  w.f[3] = refresh?.b ?? 0;
  w.f[4] = standardNormalPrior ? 1 : 0;
  const ph = Tensor.empty(q.shape, "f32", "kickDrift");
  const q1 = Tensor.empty(q.shape, "f32", "kickDrift");
  const p0 = refresh ? Tensor.empty(q.shape, "f32", "kickDrift") : null;
  const ins = [q, p, g, eps, ...(refresh ? [refresh.xi] : [])].map((t) => t.buffer("kickDrift"));
  const outs = [...(p0 ? [p0] : []), ph, q1].map((t) => t.buffer());
  runtime().dispatch(kdK(!!refresh), ins, outs, w.u, grid(q.size));
  return { p0, pHalf: ph, q1 };
}

/**
 * The closing half kick `p1 = pHalf - eps/2 (g + [q])` for one parameter tensor.
 *
 * @example
 * ```ts
 * import { full, ones } from "../../gpu/mod.ts";
 * import { kick } from "./fused_updates.ts";
 * console.log(await kick(ones([1, 2]), ones([1, 2]), ones([1, 2]), full([1], 1), true).read()); // [0, 0]
 * ```
 */
export function kick(
  pHalf: Tensor,
  g: Tensor,
  q: Tensor,
  eps: Tensor,
  standardNormalPrior: boolean,
): Tensor {
  const C = eps.size;
  const D = leafDims(q, C, "kick");
  const w = paramWords();
  w.u[0] = q.size;
  w.u[1] = D;
  w.f[4] = standardNormalPrior ? 1 : 0;
  const out = Tensor.empty(q.shape, "f32", "kick");
  runtime().dispatch(
    kickK,
    [pHalf, g, q, eps].map((t) => t.buffer("kick")),
    [out.buffer()],
    w.u,
    grid(q.size),
  );
  return out;
}

// Energy partials: workgroup (g, c) reduces chunk g of chain c's slice.
const CHUNK = WG * 8;
function energyKernel(withQ: boolean): KernelSpec {
  const code = `struct P { d: u32, groups: u32, cols: u32, off: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> p1: array<f32>;
@group(0) @binding(2) var<storage, read> p0: array<f32>;
${
    withQ
      ? `@group(0) @binding(3) var<storage, read> q1: array<f32>;
@group(0) @binding(4) var<storage, read> q0: array<f32>;
@group(0) @binding(5) var<storage, read_write> part: array<f32>;`
      : `@group(0) @binding(3) var<storage, read_write> part: array<f32>;`
  }
var<workgroup> red: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let gi = wid.x;
  let c = wid.y;
  let base = c * p.d;
  let start = gi * ${CHUNK}u;
  let end = min(start + ${CHUNK}u, p.d);
  var acc = 0.0;
  for (var j = start + tid; j < end; j += ${WG}u) {
    let a = p1[base + j];
    let b = p0[base + j];
    acc += (a - b) * (a + b);
    ${
    withQ ? "let x = q1[base + j];\n    let y = q0[base + j];\n    acc += (x - y) * (x + y);" : ""
  }
  }
  red[tid] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s >>= 1u) {
    if (tid < s) { red[tid] += red[tid + s]; }
    workgroupBarrier();
  }
  if (tid == 0u) { part[c * p.cols + p.off + gi] = 0.5 * red[0]; }
}`;
  return { code, inputs: withQ ? 4 : 2, outputs: 1 };
}
const energyK = memoKernel(energyKernel);

/**
 * Number of partial-sum columns {@link energyPartials} writes for a leaf of `d` values per chain.
 *
 * @example
 * ```ts
 * import { partialColumns } from "./fused_updates.ts";
 * console.log(partialColumns(10), partialColumns(100000)); // 1 49
 * ```
 */
export function partialColumns(d: number): number {
  return Math.max(1, Math.ceil(d / CHUNK));
}

/**
 * Writes per-chain partial sums of `(p1-p0)(p1+p0)/2` (plus the same for q when given) of one
 * parameter tensor into columns `[offset, offset + partialColumns(D))` of `partials` `[C, cols]`.
 *
 * @example
 * ```ts
 * import { full, zeros } from "../../gpu/mod.ts";
 * import { energyPartials } from "./fused_updates.ts";
 * const part = zeros([1, 1]);
 * energyPartials(part, 0, full([1, 4], 2), full([1, 4], 1));
 * console.log(await part.read()); // Float32Array [6]: 4 * (4 - 1) / 2
 * ```
 */
export function energyPartials(
  partials: Tensor,
  offset: number,
  p1: Tensor,
  p0: Tensor,
  q1?: Tensor,
  q0?: Tensor,
): void {
  const C = partials.shape[0];
  const D = leafDims(p1, C, "energyPartials");
  const G = partialColumns(D);
  const w = paramWords();
  w.u[0] = D;
  w.u[1] = G;
  w.u[2] = partials.shape[1];
  w.u[3] = offset;
  const ins = (q1 && q0 ? [p1, p0, q1, q0] : [p1, p0]).map((t) => t.buffer("energyPartials"));
  runtime().dispatch(energyK(!!(q1 && q0)), ins, [partials.buffer()], w.u, [G, C, 1]);
}

const mhK: KernelSpec = {
  code: `struct P { c: u32, cols: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read> u1: array<f32>;
@group(0) @binding(3) var<storage, read> u0: array<f32>;
@group(0) @binding(4) var<storage, read> unif: array<f32>;
@group(0) @binding(5) var<storage, read_write> prob: array<f32>;
@group(0) @binding(6) var<storage, read_write> acc: array<f32>;
@group(0) @binding(7) var<storage, read_write> unew: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.c) { return; }
  var dh = u1[c] - u0[c];
  for (var j = 0u; j < p.cols; j++) { dh += part[c * p.cols + j]; }
  var a = 0.0;
  if (abs(dh) <= 3.4028234e38) { a = exp(min(-dh, 0.0)); }
  let take = unif[c] < a;
  prob[c] = a;
  acc[c] = select(0.0, 1.0, take);
  unew[c] = select(u0[c], u1[c], take);
}`,
  inputs: 4,
  outputs: 3,
};

/**
 * Metropolis-Hastings from energy partials: `dH = u1 - u0 + sum_j partials[c, j]`, acceptance
 * probability `min(1, exp(-dH))` (0 if not finite), decision `uniform < prob`, and the selected
 * potential. One thread per chain.
 *
 * @example
 * ```ts
 * import { tensor, zeros } from "../../gpu/mod.ts";
 * import { metropolisFromPartials } from "./fused_updates.ts";
 * const r = metropolisFromPartials(zeros([2, 1]), tensor([1, 5]), tensor([1, 1]), tensor([0.5, 0.5]));
 * console.log(await r.accepted.read(), await r.u.read()); // [1, 0] [1, 1]
 * ```
 */
export function metropolisFromPartials(
  partials: Tensor,
  u1: Tensor,
  u0: Tensor,
  uniform: Tensor,
): { acceptProb: Tensor; accepted: Tensor; u: Tensor } {
  const C = u1.size;
  const w = paramWords();
  w.u[0] = C;
  w.u[1] = partials.shape[1];
  const prob = Tensor.empty([C], "f32", "metropolis");
  const acc = Tensor.empty([C], "f32", "metropolis");
  const u = Tensor.empty([C], "f32", "metropolis");
  runtime().dispatch(
    mhK,
    [partials, u1, u0, uniform].map((t) => t.buffer("metropolis")),
    [prob, acc, u].map((t) => t.buffer()),
    w.u,
    [Math.ceil(C / 64), 1, 1],
  );
  return { acceptProb: prob, accepted: acc, u };
}

function selectKernel(pairs: 1 | 2, flip: boolean): KernelSpec {
  const ins = pairs === 2 ? ["acc", "a1", "a0", "b1", "b0"] : ["acc", "a1", "a0"];
  const outs = pairs === 2 ? ["a", "b"] : ["a"];
  const code = `struct P { n: u32, d: u32 };
@group(0) @binding(0) var<uniform> p: P;
${ins.map((n, k) => `@group(0) @binding(${k + 1}) var<storage, read> ${n}: array<f32>;`).join("\n")}
${
    outs.map((n, k) =>
      `@group(0) @binding(${k + 1 + ins.length}) var<storage, read_write> ${n}: array<f32>;`
    ).join("\n")
  }
${ENTRY}
  let t = acc[c] != 0.0;
  a[i] = select(${flip ? "-a0[i]" : "a0[i]"}, a1[i], t);
  ${pairs === 2 ? "b[i] = select(b0[i], b1[i], t);" : ""}
}`;
  return { code, inputs: ins.length, outputs: outs.length };
}
const selK = memoKernel(selectKernel);

/**
 * Per chain, `accepted ? a1 : a0` and `accepted ? b1 : b0` for two same-shaped tensors in one pass.
 *
 * @example
 * ```ts
 * import { ones, tensor, zeros } from "../../gpu/mod.ts";
 * import { selectPair } from "./fused_updates.ts";
 * const [a] = selectPair(tensor([1, 0]), ones([2, 2]), zeros([2, 2]), ones([2, 2]), zeros([2, 2]));
 * console.log(await a.read()); // Float32Array [1, 1, 0, 0]
 * ```
 */
export function selectPair(
  accepted: Tensor,
  a1: Tensor,
  a0: Tensor,
  b1: Tensor,
  b0: Tensor,
): [Tensor, Tensor] {
  const C = accepted.size;
  const D = leafDims(a1, C, "selectPair");
  const w = paramWords();
  w.u[0] = a1.size;
  w.u[1] = D;
  const a = Tensor.empty(a1.shape, "f32", "select"), b = Tensor.empty(b1.shape, "f32", "select");
  runtime().dispatch(
    selK(2, false),
    [accepted, a1, a0, b1, b0].map((t) => t.buffer("select")),
    [a.buffer(), b.buffer()],
    w.u,
    grid(a1.size),
  );
  return [a, b];
}

/**
 * Per chain, `accepted ? p1 : -p0` (the momentum after a generalized-HMC step: negated on reject).
 *
 * @example
 * ```ts
 * import { ones, tensor } from "../../gpu/mod.ts";
 * import { selectFlip } from "./fused_updates.ts";
 * console.log(await selectFlip(tensor([0]), ones([1, 2]), ones([1, 2])).read()); // [-1, -1]
 * ```
 */
export function selectFlip(accepted: Tensor, p1: Tensor, p0: Tensor): Tensor {
  const C = accepted.size;
  const D = leafDims(p1, C, "selectFlip");
  const w = paramWords();
  w.u[0] = p1.size;
  w.u[1] = D;
  const out = Tensor.empty(p1.shape, "f32", "select");
  runtime().dispatch(
    selK(1, true),
    [accepted, p1, p0].map((t) => t.buffer("select")),
    [out.buffer()],
    w.u,
    grid(p1.size),
  );
  return out;
}
