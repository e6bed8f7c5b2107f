/**
 * The per-step updates of HMC-type samplers fused across all parameter tensors ("leaves"): one
 * dispatch updates every leaf instead of one dispatch per leaf and op (a dispatch costs ~10-30 us
 * on an H100, so a 3-leaf net paid ~20 of them per step in `fused_updates.ts`'s per-leaf
 * kernels). Each kernel binds the buffers of up to 15 leaves (as many as the device's
 * `maxStorageBuffersPerShaderStage` allows; more leaves take more dispatches) and finds its leaf
 * from the global index with offsets in the uniform block. The math is that of
 * `fused_updates.ts`:
 *
 * - {@link kickDriftLeaves}: optional momentum refresh `p0 = a p + b xi` with `xi` drawn inside
 *   the kernel (bit for bit the draws of `normalLike(key, q)`: same Philox counters and
 *   Box-Muller pairing as `random.normal`), half kick and drift;
 * - {@link kickEnergyLeaves}: the closing half kick and the per-chain partial sums of the energy
 *   change `(p1-p0)(p1+p0)/2 [+ (q1-q0)(q1+q0)/2]` (workgroup per chunk of one chain);
 * - {@link metropolisKey}: Metropolis-Hastings from the partials with the uniforms of
 *   `random.uniform(key, [C])` drawn inside the kernel;
 * - {@link selectLeaves}: the accepted state (`q`, gradient, momentum negated on rejection).
 *
 * @example
 * ```ts
 * import { full, random } from "../../gpu/mod.ts";
 * import { kickDriftLeaves } from "./leaf_fused.ts";
 * const q = [random.normal(random.key(0), [2, 3]), random.normal(random.key(1), [2, 5])];
 * const r = kickDriftLeaves(q, q, q, full([2], 0.1), true);
 * console.log(r.q1.map((t) => t.shape)); // [[2, 3], [2, 5]]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { type random, runtime, Tensor } from "../../gpu/mod.ts";
import { paramWords } from "../../gpu/kernels/indexing.ts";
import { PHILOX_WGSL } from "../../gpu/kernels/philox.ts";
import { grid, type KernelSpec } from "../../gpu/runtime.ts";

const WG = 256;
const CHUNK = WG * 8;
const MAX_LEAVES = 15; // uniform block: 4 header words + 4 words per leaf <= 64

let bufferLimitOverride: number | null = null;

/**
 * Caps the storage buffers a fused kernel may bind (for tests of the multi-dispatch and
 * fallback paths); `null` restores the device's limit. Returns the previous override.
 *
 * @example
 * ```ts
 * import { setLeafBufferLimit } from "./leaf_fused.ts";
 * const old = setLeafBufferLimit(8);
 * setLeafBufferLimit(old);
 * ```
 */
export function setLeafBufferLimit(limit: number | null): number | null {
  if (limit !== null && !(Number.isInteger(limit) && limit >= 1)) {
    throw new InvalidArgumentError(
      `setLeafBufferLimit: limit must be a positive integer or null, got ${limit}`,
    );
  }
  const old = bufferLimitOverride;
  bufferLimitOverride = limit;
  return old;
}

/**
 * Splits `count` leaves into groups that fit one dispatch each (`perLeaf` buffers per leaf plus
 * `shared` ones); null when not even one leaf fits.
 *
 * @example
 * ```ts
 * import { leafGroups } from "./leaf_fused.ts";
 * console.log(leafGroups(3, 6, 1)?.length); // 1 on lavapipe or a discrete GPU
 * ```
 */
export function leafGroups(count: number, perLeaf: number, shared: number): number[][] | null {
  const limit = bufferLimitOverride ?? runtime().device.limits.maxStorageBuffersPerShaderStage;
  const per = Math.min(MAX_LEAVES, Math.floor((limit - shared) / perLeaf));
  if (per < 1) return null;
  const out: number[][] = [];
  for (let i = 0; i < count; i += per) {
    out.push(Array.from({ length: Math.min(per, count - i) }, (_, k) => i + k));
  }
  return out;
}

function checkLeaves(C: number, where: string, ...sets: Tensor[][]): number[] {
  const ref = sets[0];
  for (const set of sets) {
    if (set.length !== ref.length) {
      throw new ShapeError(
        `${where}: expected ${ref.length} tensors per argument, got ${set.length}`,
      );
    }
    set.forEach((t, l) => {
      if (t.rank === 0 || t.shape[0] !== C || t.dtype !== "f32" || t.size !== ref[l].size) {
        throw new ShapeError(
          `${where}: leaf ${l} must be an f32 tensor [${C}, ...] of ${ref[l].size} elements, ` +
            `got ${t.dtype} [${t.shape.join(", ")}]`,
        );
      }
    });
  }
  return ref.map((t) => t.size / C);
}

const NORMAL_AT = `
fn normalAt(j: u32, key: vec2<u32>) -> f32 {
  let u = unitOpen(philox(vec4<u32>(j / 4u, 0u, 0u, 0u), key));
  let s = j % 4u;
  let uu = select(u.zw, u.xy, s < 2u);
  let rad = sqrt(-2.0 * log(uu.x));
  let t = 6.283185307179586 * uu.y;
  return select(rad * sin(t), rad * cos(t), (s & 1u) == 0u);
}`;

interface Layout {
  ins: string[];
  outs: string[];
  sharedIn: string[];
  sharedOut: string[];
}

function bindings(L: number, lay: Layout): string {
  const lines: string[] = [];
  let b = 1;
  const leaf = (names: string[], mode: string) => {
    for (let l = 0; l < L; l++) {
      for (const n of names) {
        lines.push(`@group(0) @binding(${b++}) var<storage, ${mode}> ${n}_${l}: array<f32>;`);
      }
    }
  };
  for (const n of lay.sharedIn) {
    lines.push(`@group(0) @binding(${b++}) var<storage, read> ${n}: array<f32>;`);
  }
  leaf(lay.ins, "read");
  for (const n of lay.sharedOut) {
    lines.push(`@group(0) @binding(${b++}) var<storage, read_write> ${n}: array<f32>;`);
  }
  leaf(lay.outs, "read_write");
  return `struct P { a: f32, b: f32, snp: f32, x: u32, l: array<vec4<u32>, ${L}> };
@group(0) @binding(0) var<uniform> p: P;
${lines.join("\n")}`;
}

// Elementwise over all leaves: `body` uses `j` (index in the leaf), `c` (chain), `key` and the
// leaf's arrays as `name$`.
function elementwise(L: number, lay: Layout, body: string, rng: boolean): KernelSpec {
  const branches = Array.from({ length: L }, (_, l) => {
    const start = l === 0 ? "0u" : `p.l[${l - 1}].x`;
    return `if (i < p.l[${l}].x) {
    let j = i - ${start};
    let c = j / p.l[${l}].y;
    let key = p.l[${l}].zw;
    ${body.replaceAll("$", `_${l}`)}
  }`;
  }).join(" else ");
  const code = `${rng ? PHILOX_WGSL + NORMAL_AT : ""}
${bindings(L, lay)}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  ${branches}
}`;
  return {
    code,
    inputs: lay.sharedIn.length + L * lay.ins.length,
    outputs: lay.sharedOut.length + L * lay.outs.length,
  };
}

const cache = new Map<string, KernelSpec>();
function memo(key: string, make: () => KernelSpec): KernelSpec {
  let k = cache.get(key);
  if (!k) cache.set(key, k = make());
  return k;
}

/**
 * Refresh + half kick + drift for all leaves (see the module doc). `p` may be null when
 * `refresh` has `a = 0` (a fresh momentum). With `refresh`, `keys[l]` is leaf l's subkey (as
 * `normalLike` assigns them) and `p0` is returned.
 *
 * @example
 * ```ts
 * import { full, ones, random, zeros } from "../../gpu/mod.ts";
 * import { kickDriftLeaves } from "./leaf_fused.ts";
 * const r = kickDriftLeaves([zeros([1, 2])], [ones([1, 2])], [zeros([1, 2])], full([1], 0.5), false);
 * console.log(await r.q1[0].read()); // Float32Array [0.5, 0.5]
 * const f = kickDriftLeaves([zeros([1, 2])], null, [zeros([1, 2])], full([1], 0.5), false,
 *   { keys: [random.key(0)], a: 0, b: 1 });
 * console.log(f.p0![0].shape); // [1, 2]: a fresh N(0, 1) momentum
 * ```
 */
export function kickDriftLeaves(
  q: readonly Tensor[],
  p: readonly Tensor[] | null,
  g: readonly Tensor[],
  eps: Tensor,
  standardNormalPrior: boolean,
  refresh?: { keys: readonly random.Key[]; a: number; b: number },
): { p0: Tensor[] | null; pHalf: Tensor[]; q1: Tensor[] } {
  const C = eps.size;
  if (!p && !(refresh && refresh.a === 0)) {
    throw new InvalidArgumentError(
      "kickDriftLeaves: p may only be null with refresh.a = 0 (a fresh momentum)",
    );
  }
  const dims = checkLeaves(C, "kickDriftLeaves", [...q], [...(p ?? q)], [...g]);
  if (refresh && refresh.keys.length !== q.length) {
    throw new InvalidArgumentError(
      `kickDriftLeaves: expected ${q.length} refresh keys, got ${refresh.keys.length}`,
    );
  }
  const lay: Layout = refresh
    ? { sharedIn: ["eps"], ins: ["q", "pm", "g"], outs: ["p0", "ph", "q1"], sharedOut: [] }
    : { sharedIn: ["eps"], ins: ["q", "pm", "g"], outs: ["ph", "q1"], sharedOut: [] };
  const body = `let e = eps[c];
    let x = q$[j];
    ${
    refresh
      ? "let m0 = p.a * pm$[j] + p.b * normalAt(j, key);\n    p0$[j] = m0;"
      : "let m0 = pm$[j];"
  }
    let mh = m0 - 0.5 * e * (g$[j] + p.snp * x);
    ph$[j] = mh;
    q1$[j] = x + e * mh;`;
  const mk = (t: Tensor) => Tensor.empty(t.shape, "f32", "kickDriftLeaves");
  const p0 = refresh ? q.map(mk) : null, ph = q.map(mk), q1 = q.map(mk);
  for (const grp of leafGroups(q.length, 6, 1)!) {
    const L = grp.length;
    const spec = memo(`kd${L}${!!refresh}`, () => elementwise(L, lay, body, !!refresh));
    const w = paramWords();
    w.f[0] = refresh?.a ?? 1;
    w.f[1] = refresh?.b ?? 0;
    w.f[2] = standardNormalPrior ? 1 : 0;
    let end = 0;
    grp.forEach((l, k) => {
      end += q[l].size;
      w.u.set([end, dims[l], ...(refresh ? refresh.keys[l].words : [0, 0])], 4 + 4 * k);
    });
    const ins = [eps, ...grp.flatMap((l) => [q[l], (p ?? q)[l], g[l]])];
    const outs = grp.flatMap((l) => refresh ? [p0![l], ph[l], q1[l]] : [ph[l], q1[l]]);
    runtime().dispatch(
      spec,
      ins.map((t) => t.buffer("kickDriftLeaves")),
      outs.map((t) => t.buffer()),
      w.u,
      grid(end),
    );
  }
  return { p0, pHalf: ph, q1 };
}

function kickEnergyKernel(L: number, withQ: boolean): KernelSpec {
  const lay: Layout = {
    sharedIn: ["eps"],
    ins: withQ ? ["ph", "g", "q1", "p0", "q0"] : ["ph", "g", "q1", "p0"],
    outs: ["p1"],
    sharedOut: ["part"],
  };
  const branches = Array.from({ length: L }, (_, l) => {
    const s = `_${l}`;
    const start = l === 0 ? "0u" : `p.l[${l - 1}].x`;
    return `if (x < p.l[${l}].x) {
    let d = p.l[${l}].y;
    let lo = (x - ${start}) * ${CHUNK}u;
    let hi = min(lo + ${CHUNK}u, d);
    for (var j = c * d + lo + tid; j < c * d + hi; j += ${WG}u) {
      let m1 = ph${s}[j] - 0.5 * e * (g${s}[j] + p.snp * q1${s}[j]);
      p1${s}[j] = m1;
      let m0 = p0${s}[j];
      acc += (m1 - m0) * (m1 + m0);
      ${
      withQ
        ? `let a1 = q1${s}[j];\n      let a0 = q0${s}[j];\n      acc += (a1 - a0) * (a1 + a0);`
        : ""
    }
    }
  }`;
  }).join(" else ");
  const code = `${bindings(L, lay)}
var<workgroup> red: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let x = wid.x;
  let c = wid.y;
  let e = eps[c];
  var acc = 0.0;
  ${branches}
  red[tid] = acc;
  workgroupBarrier();
  for (var h = ${WG / 2}u; h > 0u; h >>= 1u) {
    if (tid < h) { red[tid] += red[tid + h]; }
    workgroupBarrier();
  }
  if (tid == 0u) { part[c * bitcast<u32>(p.b) + p.x + x] = 0.5 * red[0]; }
}`;
  return { code, inputs: 1 + L * lay.ins.length, outputs: 1 + L };
}

/**
 * The closing half kick `p1 = pHalf - eps/2 (g + [q1])` of all leaves and the per-chain partial
 * sums of the energy change into `partials` `[C, cols]` (returned; every column is written).
 * `q0` (the start positions) adds the `(q1-q0)(q1+q0)/2` terms of a standard-normal prior.
 *
 * @example
 * ```ts
 * import { full, zeros } from "../../gpu/mod.ts";
 * import { kickEnergyLeaves } from "./leaf_fused.ts";
 * const r = kickEnergyLeaves([full([1, 4], 2)], [zeros([1, 4])], [zeros([1, 4])], [full([1, 4], 1)],
 *   null, full([1], 0.1), false);
 * console.log(await r.partials.read()); // Float32Array [6]: 4 * (4 - 1) / 2
 * ```
 */
export function kickEnergyLeaves(
  pHalf: readonly Tensor[],
  g: readonly Tensor[],
  q1: readonly Tensor[],
  p0: readonly Tensor[],
  q0: readonly Tensor[] | null,
  eps: Tensor,
  standardNormalPrior: boolean,
): { p1: Tensor[]; partials: Tensor } {
  const C = eps.size;
  const dims = checkLeaves(
    C,
    "kickEnergyLeaves",
    [...pHalf],
    [...g],
    [...q1],
    [...p0],
    ...(q0 ? [[...q0]] : []),
  );
  const chunks = dims.map((d) => Math.max(1, Math.ceil(d / CHUNK)));
  const cols = chunks.reduce((a, b) => a + b, 0);
  const partials = Tensor.empty([C, cols], "f32", "kickEnergyLeaves");
  const p1 = pHalf.map((t) => Tensor.empty(t.shape, "f32", "kickEnergyLeaves"));
  const per = q0 ? 6 : 5;
  let colBase = 0;
  for (const grp of leafGroups(pHalf.length, per, 2)!) {
    const L = grp.length;
    const spec = memo(`ke${L}${!!q0}`, () => kickEnergyKernel(L, !!q0));
    const w = paramWords();
    w.f[2] = standardNormalPrior ? 1 : 0;
    w.u[1] = cols;
    w.u[3] = colBase;
    let end = 0;
    grp.forEach((l, k) => {
      end += chunks[l];
      w.u.set([end, dims[l], 0, 0], 4 + 4 * k);
    });
    const ins = [
      eps,
      ...grp.flatMap((l) =>
        q0 ? [pHalf[l], g[l], q1[l], p0[l], q0[l]] : [pHalf[l], g[l], q1[l], p0[l]]
      ),
    ];
    runtime().dispatch(
      spec,
      ins.map((t) => t.buffer("kickEnergyLeaves")),
      [partials, ...grp.map((l) => p1[l])].map((t) => t.buffer()),
      w.u,
      [end, C, 1],
    );
    colBase += end;
  }
  return { p1, partials };
}

const mhKeyK: KernelSpec = {
  code: `${PHILOX_WGSL}
struct P { c: u32, cols: u32, k0: u32, k1: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read> u1: array<f32>;
@group(0) @binding(3) var<storage, read> u0: array<f32>;
@group(0) @binding(4) var<storage, read_write> prob: array<f32>;
@group(0) @binding(5) var<storage, read_write> acc: array<f32>;
@group(0) @binding(6) var<storage, read_write> unew: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.c) { return; }
  let r = philox(vec4<u32>(c / 4u, 0u, 0u, 0u), vec2<u32>(p.k0, p.k1));
  let unif = f32(r[c % 4u] >> 8u) * ${2 ** -24};
  var dh = u1[c] - u0[c];
  for (var j = 0u; j < p.cols; j++) { dh += part[c * p.cols + j]; }
  var a = 0.0;
  if (abs(dh) <= 3.4028234e38) { a = exp(min(-dh, 0.0)); }
  let take = unif < a;
  prob[c] = a;
  acc[c] = select(0.0, 1.0, take);
  unew[c] = select(u0[c], u1[c], take);
}`,
  inputs: 3,
  outputs: 3,
};

/**
 * Metropolis-Hastings from energy partials (as `metropolisFromPartials`) with the uniform of
 * chain c drawn in the kernel: element c of `random.uniform(key, [C])`.
 *
 * @example
 * ```ts
 * import { random, tensor, zeros } from "../../gpu/mod.ts";
 * import { metropolisKey } from "./leaf_fused.ts";
 * const r = metropolisKey(zeros([2, 1]), tensor([1, 50]), tensor([1, 1]), random.key(0));
 * console.log(await r.accepted.read()); // Float32Array [1, 0]
 * ```
 */
export function metropolisKey(
  partials: Tensor,
  u1: Tensor,
  u0: Tensor,
  key: random.Key,
): { acceptProb: Tensor; accepted: Tensor; u: Tensor } {
  const C = u1.size;
  if (partials.rank !== 2 || partials.shape[0] !== C || u0.size !== C) {
    throw new ShapeError(
      `metropolisKey: expected partials [${C}, cols] and u0 [${C}], got [${
        partials.shape.join(", ")
      }] and [${u0.shape.join(", ")}]`,
    );
  }
  const w = paramWords();
  w.u.set([C, partials.shape[1], ...key.words]);
  const prob = Tensor.empty([C], "f32", "metropolis");
  const acc = Tensor.empty([C], "f32", "metropolis");
  const u = Tensor.empty([C], "f32", "metropolis");
  runtime().dispatch(
    mhKeyK,
    [partials, u1, u0].map((t) => t.buffer("metropolis")),
    [prob, acc, u].map((t) => t.buffer()),
    w.u,
    [Math.ceil(C / 64), 1, 1],
  );
  return { acceptProb: prob, accepted: acc, u };
}

/**
 * Per chain and leaf: `accepted ? q1 : q0`, `accepted ? g1 : g0`, `accepted ? p1 : -p0`, all
 * leaves in one dispatch when the device binds enough buffers (10 per leaf), else null (use
 * `selectPair`/`selectFlip` per leaf).
 *
 * @example
 * ```ts
 * import { ones, tensor, zeros } from "../../gpu/mod.ts";
 * import { selectLeaves } from "./leaf_fused.ts";
 * const one = [ones([2, 2])], zero = [zeros([2, 2])];
 * const r = selectLeaves(tensor([1, 0]), one, zero, one, zero, one, one);
 * console.log(await r!.p[0].read()); // Float32Array [1, 1, -1, -1]
 * ```
 */
export function selectLeaves(
  accepted: Tensor,
  q1: readonly Tensor[],
  q0: readonly Tensor[],
  g1: readonly Tensor[],
  g0: readonly Tensor[],
  p1: readonly Tensor[],
  p0: readonly Tensor[],
): { q: Tensor[]; g: Tensor[]; p: Tensor[] } | null {
  const C = accepted.size;
  const dims = checkLeaves(C, "selectLeaves", [...q1], [...q0], [...g1], [...g0], [...p1], [
    ...p0,
  ]);
  const groups = leafGroups(q1.length, 9, 1);
  if (!groups) return null;
  const lay: Layout = {
    sharedIn: ["acc"],
    ins: ["q1", "q0", "g1", "g0", "p1", "p0"],
    outs: ["q", "g", "p"],
    sharedOut: [],
  };
  const body = `let t = acc[c] != 0.0;
    q$[j] = select(q0$[j], q1$[j], t);
    g$[j] = select(g0$[j], g1$[j], t);
    p$[j] = select(-p0$[j], p1$[j], t);`;
  const mk = (t: Tensor) => Tensor.empty(t.shape, "f32", "selectLeaves");
  const q = q1.map(mk), g = g1.map(mk), p = p1.map(mk);
  for (const grp of groups) {
    const L = grp.length;
    const spec = memo(`sel${L}`, () => elementwise(L, lay, body, false));
    const w = paramWords();
    let end = 0;
    grp.forEach((l, k) => {
      end += q1[l].size;
      w.u.set([end, dims[l], 0, 0], 4 + 4 * k);
    });
    const ins = [accepted, ...grp.flatMap((l) => [q1[l], q0[l], g1[l], g0[l], p1[l], p0[l]])];
    runtime().dispatch(
      spec,
      ins.map((t) => t.buffer("selectLeaves")),
      grp.flatMap((l) => [q[l], g[l], p[l]]).map((t) => t.buffer()),
      w.u,
      grid(end),
    );
  }
  return { q, g, p };
}
