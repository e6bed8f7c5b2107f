/**
 * Fused elementwise kernel transforms: a chain of Dense / activation / LayerNorm layers applied
 * to a {@link Kernel} in one GPU pass.
 *
 * Every elementwise layer of the layer algebra is a {@link Stage}: WGSL statements that update
 * four f32 registers, `k` (NNGP entry), `t` (NTK entry), `c1` and `c2` (the two variances of
 * that entry's row and column). One generated kernel reads `nngp[i, j]`, `ntk[i, j]`,
 * `cov1[i]`, `cov2[j]`, runs every stage of the chain, and writes the new NNGP and NTK: a depth-3
 * ReLU network after the input matmul is a single read-modify-write of the N1 x N2 matrices.
 * The variances are re-derived per entry from `cov1`/`cov2` (cheap arithmetic instead of
 * memory traffic); the new `cov1`/`cov2` vectors come from the same kernel in diagonal mode.
 * Stage parameters travel in the dispatch's uniform block (56 floats), so changing `W_std`
 * does not recompile; longer chains are split into several passes.
 *
 * Spatial kernels (`Kernel.spatial`, P = H*W locations innermost) run the same stages at every
 * location: entry `[i, j, p]` reads `cov1[i, p]` and `cov2[j, p]` (P is a uniform). Cross-location
 * kernels (`Kernel.crossLocations`) run them on every pair of locations: entry `[i, j, p, q]`
 * reads the variances `cov1[i, p, p]` and `cov2[j, q, q]`, and the self-kernels `cov1`
 * `[N1, P, P]` map the same way. Flat kernels generate exactly the code they always did.
 *
 * @example
 * ```ts
 * import { applyStages, type Stage } from "./fused_stages.ts";
 * import { inputKernel } from "./kernel.ts";
 * import { tensor } from "../gpu/mod.ts";
 * const double: Stage = {
 *   key: "double", helpers: [], params: [2], outWidth: (w) => w,
 *   body: (p) => `k = ${p(0)} * k; c1 = ${p(0)} * c1; c2 = ${p(0)} * c2; t = k + t;`,
 * };
 * const k = applyStages(inputKernel(tensor([[1, 0]])), [double]);
 * console.log(await k.nngp.read(), await k.ntk!.read()); // [1] [1]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { runtime, Tensor } from "../gpu/mod.ts";
import { grid } from "../gpu/runtime.ts";
import { ENTRY, LINEAR_INDEX, paramWords } from "../gpu/kernels/indexing.ts";
import { type Kernel, kernelLocations } from "./kernel.ts";

/**
 * One fusable elementwise transform of a kernel.
 *
 * @example
 * ```ts
 * import type { Stage } from "./fused_stages.ts";
 * const id: Stage = { key: "id", helpers: [], params: [], outWidth: (w) => w, body: () => "" };
 * console.log(id.key); // "id"
 * ```
 */
export interface Stage {
  /** Identifies the generated code (not the parameter values). */
  readonly key: string;
  /** WGSL helper functions the body calls, deduplicated by name across a chain. */
  readonly helpers: readonly { readonly name: string; readonly code: string }[];
  /** Parameter values, read in WGSL through `p(i)`. */
  readonly params: readonly number[];
  /** WGSL statements updating the f32 variables `k`, `t`, `c1`, `c2`. */
  body(p: (i: number) => string): string;
  /** Channel count after the stage, given the count before. */
  outWidth(width: number): number;
}

/** Floats available for stage parameters in one dispatch (64 words minus an 8-word header). */
export const STAGE_PARAM_CAPACITY = 56;

const PRELUDE = `
// WGSL's asin/acos/atan2 only promise 4096 ULP (about 2e-4 relative), too coarse for kernel
// recursions; these Cephes-style single-precision approximations are within a few ULP.
fn p_asin(x: f32) -> f32 {
  let a = abs(x);
  var r: f32;
  if (a <= 0.5) {
    let z = a * a;
    r = a + a * z * ((((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z
      + 7.4953002686e-2) * z + 1.6666752422e-1);
  } else {
    let z = 0.5 * (1.0 - min(a, 1.0));
    let s = sqrt(z);
    r = 1.5707963267948966 - 2.0 * (s + s * z * ((((4.2163199048e-2 * z + 2.4181311049e-2) * z
      + 4.5470025998e-2) * z + 7.4953002686e-2) * z + 1.6666752422e-1));
  }
  return select(r, -r, x < 0.0);
}
fn p_acos(x: f32) -> f32 {
  // acos(x) = 2 asin(sqrt((1 - x) / 2)) keeps small angles accurate; symmetric for x < 0.
  let xc = clamp(x, -1.0, 1.0);
  if (xc > 0.5) { return 2.0 * p_asin(sqrt(0.5 * (1.0 - xc))); }
  if (xc < -0.5) { return 3.141592653589793 - 2.0 * p_asin(sqrt(0.5 * (1.0 + xc))); }
  return 1.5707963267948966 - p_asin(xc);
}
fn p_atan(x: f32) -> f32 {
  let a = abs(x);
  var y = 0.0;
  var t = a;
  if (a > 2.414213562373095) { y = 1.5707963267948966; t = -1.0 / a; }
  else if (a > 0.4142135623730950) { y = 0.7853981633974483; t = (a - 1.0) / (a + 1.0); }
  let z = t * t;
  let r = y + (((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z
    - 3.33329491539e-1) * z * t + t;
  return select(r, -r, x < 0.0);
}
// f32 erf for user WGSL expressions (Numerical Recipes' erfc Chebyshev fit, |rel err| < 1.2e-7).
fn gs_erf(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.5 * a);
  let r = t * exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
    + t * (-0.82215223 + t * 0.17087277)))))))));
  return sign(x) * (1.0 - r);
}`;

interface Variant {
  ntkIn: boolean;
  ntkOut: boolean;
  diag: boolean;
  /** Spatial kernel: P locations innermost (a uniform); false generates the flat code. */
  spatial: boolean;
  /** Cross-location kernel: P x P location pairs innermost (implies `spatial`). */
  cross?: boolean;
}

/** WGSL computing the row `r`, column `c` (and location `loc`, or locations `la`, `lb`) of `i`. */
function index(v: Variant): string {
  if (v.cross) {
    const pair = "let pp = p.np * p.np; let e = i / pp; let loc = i - e * pp; " +
      "let la = loc / p.np; let lb = loc - la * p.np; ";
    return pair + (v.diag ? "let r = e; let c = e;" : "let r = e / p.n2; let c = e - r * p.n2;");
  }
  if (v.diag) return "let r = i; let c = i;"; // [N] or [N, P]: cov1/cov2 share nngp's layout
  if (!v.spatial) return "let r = i / p.n2; let c = i - r * p.n2;";
  return "let e = i / p.np; let loc = i - e * p.np; let r = e / p.n2; let c = e - r * p.n2;";
}

/** WGSL for the variance indices of entry `i` in C1 and C2. */
function covIndex(v: Variant): [string, string] {
  // the variances of locations la and lb: the diagonals of the [P, P] self-kernels
  if (v.cross) return ["(r * p.np + la) * p.np + la", "(c * p.np + lb) * p.np + lb"];
  return v.spatial && !v.diag ? ["r * p.np + loc", "c * p.np + loc"] : ["r", "c"];
}

/** WGSL for the output offset of entry `i` (a block of a larger target). */
function outIndex(v: Variant): string {
  if (v.cross) {
    return v.diag ? "i + p.rowOff * pp" : "((r + p.rowOff) * p.ld + c + p.colOff) * pp + loc";
  }
  if (v.diag) return v.spatial ? "i + p.rowOff * p.np" : "i + p.rowOff";
  if (!v.spatial) return "(r + p.rowOff) * p.ld + c + p.colOff";
  return "((r + p.rowOff) * p.ld + c + p.colOff) * p.np + loc";
}

const codeCache = new Map<string, { code: string; inputs: number; outputs: number }>();

function kernelSpec(stages: readonly Stage[], v: Variant) {
  const cacheKey = `${stages.map((s) => s.key).join("|")}#${v.ntkIn}${v.ntkOut}${v.diag}` +
    (v.cross ? "#cross" : v.spatial ? "#spatial" : "");
  let spec = codeCache.get(cacheKey);
  if (spec) return spec;
  const helpers = new Map<string, string>();
  for (const s of stages) for (const h of s.helpers) helpers.set(h.name, h.code);
  let base = 0;
  const bodies = stages.map((s, si) => {
    const b0 = base;
    base += s.params.length;
    const p = (i: number) => {
      const j = b0 + i;
      return `p.v[${j >> 2}][${j & 3}]`;
    };
    return `  { // stage ${si}: ${s.key}\n    ${s.body(p)}\n  }`;
  });
  const bind: string[] = [];
  let b = 1;
  bind.push(`@group(0) @binding(${b++}) var<storage, read> K: array<f32>;`);
  if (v.ntkIn) bind.push(`@group(0) @binding(${b++}) var<storage, read> TH: array<f32>;`);
  bind.push(`@group(0) @binding(${b++}) var<storage, read> C1: array<f32>;`);
  bind.push(`@group(0) @binding(${b++}) var<storage, read> C2: array<f32>;`);
  bind.push(`@group(0) @binding(${b++}) var<storage, read_write> KO: array<f32>;`);
  if (v.ntkOut) bind.push(`@group(0) @binding(${b++}) var<storage, read_write> TO: array<f32>;`);
  const code = `${PRELUDE}
${[...helpers.values()].join("\n")}
struct P { n: u32, n2: u32, rowOff: u32, colOff: u32, ld: u32, np: u32, pad1: u32, pad2: u32,
  v: array<vec4<f32>, 14> };
@group(0) @binding(0) var<uniform> p: P;
${bind.join("\n")}
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  ${index(v)}
  var k = K[i];
  var t = ${v.ntkIn ? "TH[i]" : "0.0"};
  var c1 = C1[${covIndex(v)[0]}];
  var c2 = C2[${covIndex(v)[1]}];
${bodies.join("\n")}
  let o = ${outIndex(v)};
  KO[o] = k;
  ${v.ntkOut ? "TO[o] = t;" : ""}
}`;
  spec = { code, inputs: 3 + (v.ntkIn ? 1 : 0), outputs: 1 + (v.ntkOut ? 1 : 0) };
  codeCache.set(cacheKey, spec);
  return spec;
}

/** Splits a chain into groups whose parameters fit one dispatch. */
function chunks(stages: readonly Stage[]): Stage[][] {
  const out: Stage[][] = [];
  let cur: Stage[] = [], used = 0;
  for (const s of stages) {
    if (s.params.length > STAGE_PARAM_CAPACITY) {
      throw new InvalidArgumentError(
        `applyStages: stage ${s.key} has ${s.params.length} parameters; at most ` +
          `${STAGE_PARAM_CAPACITY} fit`,
      );
    }
    if (used + s.params.length > STAGE_PARAM_CAPACITY && cur.length) {
      out.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(s);
    used += s.params.length;
  }
  if (cur.length || out.length === 0) out.push(cur);
  return out;
}

/**
 * Where {@link applyStages} writes: blocks of preallocated output matrices (used by batched
 * kernel computation so each block lands in place).
 *
 * @example
 * ```ts
 * import type { StageTarget } from "./fused_stages.ts";
 * import { zeros } from "../gpu/mod.ts";
 * const t: StageTarget = { nngp: zeros([4, 4]), ntk: null, rowOffset: 2, colOffset: 0 };
 * console.log(t.rowOffset); // 2
 * ```
 */
export interface StageTarget {
  /**
   * Output NNGP matrix [M1, M2] (or [M] in diagonal mode); [M1, M2, P] (or [M, P]) for a
   * spatial kernel with P locations, [M1, M2, P, P] (or [M, P, P]) for a cross-location one.
   */
  nngp: Tensor;
  /** Output NTK matrix of the same shape, or null to skip. */
  ntk: Tensor | null;
  /** Row offset of the block. */
  rowOffset: number;
  /** Column offset of the block (0 in diagonal mode). */
  colOffset: number;
}

function dispatchChain(
  stages: readonly Stage[],
  v: Variant,
  inputs: { k: Tensor; t: Tensor | null; c1: Tensor; c2: Tensor },
  outs: { k: Tensor; t: Tensor | null },
  n: number,
  n2: number,
  ld: number,
  rowOff: number,
  colOff: number,
  np = 1,
): void {
  const spec = kernelSpec(stages, v);
  const w = paramWords();
  w.u[0] = n;
  w.u[1] = n2;
  w.u[2] = rowOff;
  w.u[3] = colOff;
  w.u[4] = ld;
  w.u[5] = np;
  let j = 8;
  for (const s of stages) for (const x of s.params) w.f[j++] = x;
  const ins = [inputs.k.buffer("applyStages")];
  if (v.ntkIn) ins.push(inputs.t!.buffer("applyStages"));
  ins.push(inputs.c1.buffer("applyStages"), inputs.c2.buffer("applyStages"));
  const os = [outs.k.buffer("applyStages")];
  if (v.ntkOut) os.push(outs.t!.buffer("applyStages"));
  runtime().dispatch(spec, ins, os, w.u, grid(n));
}

/**
 * The variances after a chain (diagonal mode, no NTK): a vector, or for a cross-location kernel
 * the [N, P, P] self-kernels (`np` = P).
 */
function mapCov(stages: readonly Stage[], cov: Tensor, cross: boolean, np: number): Tensor {
  const out = Tensor.empty(cov.shape, "f32", "applyStages");
  const n = cov.size;
  dispatchChain(
    stages,
    { ntkIn: false, ntkOut: false, diag: true, spatial: cross, cross },
    { k: cov, t: null, c1: cov, c2: cov },
    { k: out, t: null },
    n,
    n,
    n,
    0,
    0,
    np,
  );
  return out;
}

/**
 * Applies a chain of stages to a kernel. Without `target`, returns a new kernel (the input's
 * tensors are untouched; intermediates of multi-pass chains are disposed). With `target`, writes
 * the NNGP/NTK block into `target` at the given offsets and returns a kernel whose `nngp`/`ntk`
 * are the target tensors.
 *
 * @example
 * ```ts
 * import { applyStages } from "./fused_stages.ts";
 * import { inputKernel } from "./kernel.ts";
 * import { tensor } from "../gpu/mod.ts";
 * const k = applyStages(inputKernel(tensor([[2, 0]])), []); // a copy
 * console.log(await k.nngp.read()); // Float32Array [2]
 * ```
 */
export function applyStages(k: Kernel, stages: readonly Stage[], target?: StageTarget): Kernel {
  const groups = chunks(stages);
  const diag = k.diagonal;
  const spatial = k.spatial ?? null;
  const cross = k.crossLocations === true;
  const np = kernelLocations(k);
  const per = cross ? np * np : np; // entries per pair of inputs
  const n1 = k.cov1.size / per, n2 = k.cov2.size / per;
  const n = (diag ? n1 : n1 * n2) * per;
  if (target && spatial) checkSpatialTarget(target, k, np);
  let cur = { k: k.nngp, t: k.ntk, c1: k.cov1, c2: k.cov2 };
  let width = k.width;
  const owned: Tensor[] = [];
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi];
    const last = gi === groups.length - 1;
    const v: Variant = {
      ntkIn: k.computeNtk && cur.t !== null,
      ntkOut: k.computeNtk,
      diag,
      spatial: spatial !== null,
      cross,
    };
    let outK: Tensor, outT: Tensor | null, ld: number, ro = 0, co = 0;
    if (last && target) {
      outK = target.nngp;
      outT = k.computeNtk ? target.ntk : null;
      if (k.computeNtk && !outT) {
        throw new InvalidArgumentError("applyStages: target.ntk is null but the NTK is tracked");
      }
      ld = diag ? 0 : target.nngp.shape[spatial ? 1 : target.nngp.rank - 1];
      ro = target.rowOffset;
      co = target.colOffset;
    } else {
      outK = Tensor.empty(k.nngp.shape, "f32", "applyStages");
      outT = k.computeNtk ? Tensor.empty(k.nngp.shape, "f32", "applyStages") : null;
      ld = n2;
    }
    dispatchChain(g, v, cur, { k: outK, t: outT }, n, n2, ld, ro, co, np);
    const c1 = g.length ? mapCov(g, cur.c1, cross, np) : cur.c1;
    const c2 = k.cov2 === k.cov1 && cur.c2 === cur.c1
      ? c1
      : g.length
      ? mapCov(g, cur.c2, cross, np)
      : cur.c2;
    if (!last) {
      owned.push(outK);
      if (outT) owned.push(outT);
      if (c1 !== k.cov1) owned.push(c1);
      if (c2 !== c1 && c2 !== k.cov2) owned.push(c2);
    }
    for (const s of g) width = s.outWidth(width);
    cur = { k: outK, t: outT, c1, c2 };
  }
  // Intermediates of earlier passes are no longer needed (the last pass's outputs are kept).
  const keepSet = new Set([cur.k, cur.t, cur.c1, cur.c2]);
  for (const t of owned) if (!keepSet.has(t)) t.dispose();
  return {
    nngp: cur.k,
    ntk: k.computeNtk ? cur.t : null,
    cov1: cur.c1,
    cov2: cur.c2,
    width,
    diagonal: diag,
    computeNtk: k.computeNtk,
    ...(spatial ? { spatial } : {}),
    ...(cross ? { crossLocations: true } : {}),
  };
}

/**
 * A block target for a spatial kernel must be [M1, M2, P] ([M, P] in diagonal mode), and for a
 * cross-location one [M1, M2, P, P] ([M, P, P]).
 */
function checkSpatialTarget(target: StageTarget, k: Kernel, np: number): void {
  const locs = k.crossLocations ? [np, np] : [np];
  const want = `[${k.diagonal ? "M" : "M1, M2"}, ${locs.map(() => "P").join(", ")}]`;
  for (const t of [target.nngp, target.ntk]) {
    if (!t) continue;
    const rank = (k.diagonal ? 1 : 2) + locs.length;
    if (t.rank !== rank || t.shape.slice(rank - locs.length).join() !== locs.join()) {
      throw new ShapeError(
        `applyStages: the kernel is spatial with P = ${np} locations, so target tensors must be ` +
          `${want} with P = ${np}; got [${t.shape.join(", ")}]`,
      );
    }
  }
}
