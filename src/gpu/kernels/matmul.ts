/**
 * WGSL generators for batched matrix multiplication C = op(A) op(B).
 *
 * `tiledMatmulKernel` is register-blocked (DESIGN.md principle 3): a 16x16 thread workgroup
 * computes a BM x BM output tile (BM = 128: 8x8 outputs per thread; BM = 64: 4x4), staging
 * K-slices of A (transposed) and B in workgroup memory and reading them as vec4. Each thread's
 * rows are split into groups 64 apart so the 16 threads of a row read distinct vec4s. Global
 * loads are vec4 when the leading dimension allows it. `naiveMatmulKernel` (one thread per
 * output) serves thin shapes such as matrix-vector products.
 *
 * Uniform params: [M, N, K, 0, batchShape x8, batchStrideA x8, batchStrideB x8], then, with an
 * epilogue, one vec4 [batch, row, col, 0] of element strides per epilogue input and its f32 params
 * packed in vec4s (from word {@link EPILOGUE_WORD}).
 *
 * Every generator takes an optional {@link EpilogueWgsl}: a WGSL expression applied to each output
 * element before the store (bias, activation, scaling, ...), reading extra inputs bound after A and
 * B. Without one the kernels store the plain product.
 *
 * @example
 * ```ts
 * import { tiledMatmulKernel } from "./matmul.ts";
 * const k = tiledMatmulKernel({ bm: 128, bk: 16, transA: false, transB: false, vecA: true, vecB: true, batchRank: 0 });
 * console.log(k.inputs, k.outputs); // 2 1
 * ```
 * @module
 */
import type { KernelSpec } from "../runtime.ts";
import { loopChunk, unrolledLoop, WGSL_NAN, wgslOffsets } from "./indexing.ts";

/**
 * K steps per loop iteration of the kernels the CPU adapter runs (naive, direct): llvmpipe ends
 * an invocation's loops after 65535 iterations (`CPU_LOOP_CAP` in indexing.ts), so `matmul`
 * splits a longer K into chunks of {@link CPU_K_CHUNK}, dispatched in turn, each adding to the
 * partial sums the previous one stored.
 */
export const CPU_UNROLL = { naive: 16, direct: 4 } as const;

/** K per dispatch of the naive and direct kernels (`loopChunk` in indexing.ts). */
export const CPU_K_CHUNK: { readonly naive: number; readonly direct: number } = {
  naive: loopChunk(CPU_UNROLL.naive),
  direct: loopChunk(CPU_UNROLL.direct),
};

/** Options selecting a tiled matmul variant. */
export interface TiledOptions {
  /** Output tile edge: 128 (8x8 per thread) or 64 (4x4 per thread). */
  bm: 64 | 128;
  /** K-slice staged per iteration. */
  bk: 8 | 16;
  /** A is stored K x M (read transposed). */
  transA: boolean;
  /** B is stored N x K. */
  transB: boolean;
  /** Load A as vec4 (its contiguous dimension is a multiple of 4). */
  vecA: boolean;
  /** Load B as vec4. */
  vecB: boolean;
  /** Rank of the (collapsed) batch dims, 0 for a single matrix. */
  batchRank: number;
  /** Issue the next tile's global loads before the current tile's FMAs (software pipelining). */
  prefetch?: boolean;
  /** Applied to each output element before the store. */
  epilogue?: EpilogueWgsl;
}

/** First uniform word after the matmul's own params: epilogue input strides, then its params. */
export const EPILOGUE_WORD = 28;

/**
 * The WGSL side of a fused matmul epilogue: the stored value is `expr`, a WGSL f32 expression of
 * `v` (the product element), `row`, `col`, `batch` (u32: its position in the [batch, M, N]
 * output), each input's name (that input's element at this position, broadcast by the strides
 * in the uniform block) and each param's name (f32). `helpers` holds module-scope WGSL (e.g.
 * functions the expression calls). Built and validated by `matmulEpilogue` (ops/matmul.ts).
 *
 * @example
 * ```ts
 * import { type EpilogueWgsl, naiveMatmulKernel } from "./matmul.ts";
 * const e: EpilogueWgsl = { expr: "max(v + bias, 0.0) * scale", inputs: ["bias"], params: ["scale"] };
 * console.log(naiveMatmulKernel(false, false, 0, e).inputs); // 3
 * ```
 */
export interface EpilogueWgsl {
  /** WGSL f32 expression of the stored value. */
  readonly expr: string;
  /** Names of the extra read-only f32 inputs, bound after A and B in this order. */
  readonly inputs: readonly string[];
  /** Names of the f32 params. */
  readonly params: readonly string[];
  /** Module-scope WGSL declarations the expression uses (optional). */
  readonly helpers?: string;
}

function head(batchRank: number, vecA: boolean, vecB: boolean, e?: EpilogueWgsl): string {
  const nIn = e?.inputs.length ?? 0, nPar = e?.params.length ?? 0;
  const fields = [
    "M: u32, N: u32, K: u32, kStart: u32",
    "shape: array<vec4<u32>, 2>, sa: array<vec4<u32>, 2>, sb: array<vec4<u32>, 2>",
  ];
  if (nIn > 0) fields.push(`es: array<vec4<u32>, ${nIn}>`); // per input: batch, row, col strides
  if (nPar > 0) fields.push(`ep: array<vec4<f32>, ${Math.ceil(nPar / 4)}>`);
  const decl =
    e?.inputs.map((name, i) =>
      `@group(0) @binding(${3 + i}) var<storage, read> ep_${name}: array<f32>;`
    ) ?? [];
  return `
struct P { ${fields.join(", ")} };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> A: array<${vecA ? "vec4<f32>" : "f32"}>;
@group(0) @binding(2) var<storage, read> B: array<${vecB ? "vec4<f32>" : "f32"}>;
${decl.map((d) => `${d}\n`).join("")}@group(0) @binding(${
    3 + nIn
  }) var<storage, read_write> C: array<f32>;
fn batchOffsets(z: u32) -> vec2<u32> {
  ${
    batchRank > 0
      ? wgslOffsets(batchRank, "shape", ["sa", "sb"], "z")
      : "let off_0 = 0u; let off_1 = 0u;"
  }
  return vec2<u32>(off_0, off_1);
}${e ? epilogueFn(e) : ""}`;
}

function epilogueFn(e: EpilogueWgsl): string {
  const lets = [
    ...e.inputs.map((name, i) =>
      `let ${name} = ep_${name}[batch * p.es[${i}].x + row * p.es[${i}].y + col * p.es[${i}].z];`
    ),
    ...e.params.map((name, i) => `let ${name} = p.ep[${i >> 2}][${i & 3}];`),
  ];
  return `
${e.helpers ?? ""}
fn epilogue(v: f32, row: u32, col: u32, batch: u32) -> f32 {
  ${lets.join("\n  ")}
  return ${e.expr};
}`;
}

/** The stored value: the product, or the epilogue applied to it. */
const stored = (e: EpilogueWgsl | undefined, v: string, row: string, col: string, z: string) =>
  e ? `epilogue(${v}, ${row}, ${col}, ${z})` : v;

/** KernelSpec counts: A, B and the epilogue inputs read; C written. */
const counts = (e?: EpilogueWgsl) => ({ inputs: 2 + (e?.inputs.length ?? 0), outputs: 1 });

/**
 * The register-blocked tiled kernel.
 *
 * @example
 * ```ts
 * import { tiledMatmulKernel } from "./matmul.ts";
 * tiledMatmulKernel({ bm: 64, bk: 16, transA: true, transB: false, vecA: false, vecB: false, batchRank: 1 });
 * ```
 */
export function tiledMatmulKernel(o: TiledOptions): KernelSpec {
  const { bm, bk } = o;
  const groups = bm / 64; // row/col groups per thread, 64 apart
  const q = bm / 4; // vec4s per k-row of a tile
  const loadsA = (bm * bk) / 4 / 256; // vec4 loads per thread per tile (A and B alike)
  const L: string[] = [];
  // --- tile loads: fetch (global -> registers pa/pb, tile starting at kt), put (-> workgroup) --
  const fetch: string[] = [];
  const put: string[] = [];
  for (let r = 0; r < loadsA; r++) {
    const v = `(lid + ${r * 256}u)`;
    if (!o.transA) {
      // A is M x K row-major: a vec4 runs along k.
      const idx = `let m = ${v} / ${bk / 4}u; let k = (${v} % ${bk / 4}u) * 4u;`;
      fetch.push(`{ ${idx} let gm = m0 + m; let gk = kt + k; pa${r} = vec4<f32>(0.0);`);
      if (o.vecA) {
        fetch.push(`  if (gm < p.M && gk < p.K) { pa${r} = A[(offA + gm * p.K + gk) / 4u]; } }`);
      } else {
        for (let j = 0; j < 4; j++) {
          fetch.push(
            `  if (gm < p.M && gk + ${j}u < p.K) { pa${r}[${j}] = A[offA + gm * p.K + gk + ${j}u]; }`,
          );
        }
        fetch.push(`}`);
      }
      put.push(`{ ${idx}`);
      for (let j = 0; j < 4; j++) {
        put.push(`  As[(k + ${j}u) * ${q}u + m / 4u][m % 4u] = pa${r}[${j}];`);
      }
      put.push(`}`);
    } else {
      // A is K x M: a vec4 runs along m.
      const idx = `let k = ${v} / ${q}u; let m = (${v} % ${q}u) * 4u;`;
      fetch.push(`{ ${idx} let gm = m0 + m; let gk = kt + k; pa${r} = vec4<f32>(0.0);`);
      if (o.vecA) {
        fetch.push(`  if (gk < p.K && gm < p.M) { pa${r} = A[(offA + gk * p.M + gm) / 4u]; } }`);
      } else {
        for (let j = 0; j < 4; j++) {
          fetch.push(
            `  if (gk < p.K && gm + ${j}u < p.M) { pa${r}[${j}] = A[offA + gk * p.M + gm + ${j}u]; }`,
          );
        }
        fetch.push(`}`);
      }
      put.push(`{ ${idx} As[k * ${q}u + m / 4u] = pa${r}; }`);
    }
    if (!o.transB) {
      // B is K x N: a vec4 runs along n.
      const idx = `let k = ${v} / ${q}u; let n = (${v} % ${q}u) * 4u;`;
      fetch.push(`{ ${idx} let gn = n0 + n; let gk = kt + k; pb${r} = vec4<f32>(0.0);`);
      if (o.vecB) {
        fetch.push(`  if (gk < p.K && gn < p.N) { pb${r} = B[(offB + gk * p.N + gn) / 4u]; } }`);
      } else {
        for (let j = 0; j < 4; j++) {
          fetch.push(
            `  if (gk < p.K && gn + ${j}u < p.N) { pb${r}[${j}] = B[offB + gk * p.N + gn + ${j}u]; }`,
          );
        }
        fetch.push(`}`);
      }
      put.push(`{ ${idx} Bs[k * ${q}u + n / 4u] = pb${r}; }`);
    } else {
      // B is N x K: a vec4 runs along k.
      const idx = `let n = ${v} / ${bk / 4}u; let k = (${v} % ${bk / 4}u) * 4u;`;
      fetch.push(`{ ${idx} let gn = n0 + n; let gk = kt + k; pb${r} = vec4<f32>(0.0);`);
      if (o.vecB) {
        fetch.push(`  if (gn < p.N && gk < p.K) { pb${r} = B[(offB + gn * p.K + gk) / 4u]; } }`);
      } else {
        for (let j = 0; j < 4; j++) {
          fetch.push(
            `  if (gn < p.N && gk + ${j}u < p.K) { pb${r}[${j}] = B[offB + gn * p.K + gk + ${j}u]; }`,
          );
        }
        fetch.push(`}`);
      }
      put.push(`{ ${idx}`);
      for (let j = 0; j < 4; j++) {
        put.push(`  Bs[(k + ${j}u) * ${q}u + n / 4u][n % 4u] = pb${r}[${j}];`);
      }
      put.push(`}`);
    }
  }
  const regs: string[] = [];
  for (let r = 0; r < loadsA; r++) {
    regs.push(`var pa${r} = vec4<f32>(0.0);`, `var pb${r} = vec4<f32>(0.0);`);
  }
  // --- accumulators: acc_<rowGroup>_<row>_<colGroup> (vec4 over 4 columns) ---------------
  const accDecl: string[] = [];
  const fma: string[] = [];
  for (let g = 0; g < groups; g++) {
    fma.push(`let a${g} = As[kk * ${q}u + ty + ${g * 16}u];`);
    fma.push(`let b${g} = Bs[kk * ${q}u + tx + ${g * 16}u];`);
  }
  for (let g = 0; g < groups; g++) {
    for (let r = 0; r < 4; r++) {
      for (let h = 0; h < groups; h++) {
        accDecl.push(`var acc_${g}_${r}_${h} = vec4<f32>(0.0);`);
        fma.push(`acc_${g}_${r}_${h} = fma(vec4<f32>(a${g}[${r}]), b${h}, acc_${g}_${r}_${h});`);
      }
    }
  }
  const store: string[] = [];
  for (let g = 0; g < groups; g++) {
    for (let r = 0; r < 4; r++) {
      store.push(`{ let gm = m0 + ty * 4u + ${g * 64 + r}u;`);
      store.push(`  if (gm < p.M) {`);
      for (let h = 0; h < groups; h++) {
        for (let j = 0; j < 4; j++) {
          store.push(
            `    { let gn = n0 + tx * 4u + ${
              h * 64 + j
            }u; if (gn < p.N) { C[offC + gm * p.N + gn] = ${
              stored(o.epilogue, `acc_${g}_${r}_${h}[${j}]`, "gm", "gn", "wid.z")
            }; } }`,
          );
        }
      }
      store.push(`  } }`);
    }
  }
  L.push(head(o.batchRank, o.vecA, o.vecB, o.epilogue));
  L.push(`var<workgroup> As: array<vec4<f32>, ${(bk * bm) / 4}>;`);
  L.push(`var<workgroup> Bs: array<vec4<f32>, ${(bk * bm) / 4}>;`);
  L.push(`@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let tx = lid % 16u;
  let ty = lid / 16u;
  let m0 = wid.y * ${bm}u;
  let n0 = wid.x * ${bm}u;
  let offs = batchOffsets(wid.z);
  let offA = offs.x;
  let offB = offs.y;
  let offC = wid.z * p.M * p.N;
  ${accDecl.join("\n  ")}
  ${regs.join("\n  ")}
  ${
    o.prefetch
      // Software pipelining: the next tile's global loads are issued before this tile's FMAs.
      ? `{ let kt = 0u; ${fetch.join("\n    ")} }
  for (var k0 = 0u; k0 < p.K; k0 += ${bk}u) {
    ${put.join("\n    ")}
    workgroupBarrier();
    if (k0 + ${bk}u < p.K) { let kt = k0 + ${bk}u; ${fetch.join("\n    ")} }
    for (var kk = 0u; kk < ${bk}u; kk++) {
      ${fma.join("\n      ")}
    }
    workgroupBarrier();
  }`
      : `for (var k0 = 0u; k0 < p.K; k0 += ${bk}u) {
    let kt = k0;
    ${fetch.join("\n    ")}
    ${put.join("\n    ")}
    workgroupBarrier();
    for (var kk = 0u; kk < ${bk}u; kk++) {
      ${fma.join("\n      ")}
    }
    workgroupBarrier();
  }`
  }
  ${store.join("\n  ")}
}`);
  return { code: L.join("\n"), ...counts(o.epilogue) };
}

/**
 * One thread per output element; for thin shapes (few rows or columns).
 *
 * @example
 * ```ts
 * import { naiveMatmulKernel } from "./matmul.ts";
 * naiveMatmulKernel(false, true, 0).inputs; // 2
 * ```
 */
export function naiveMatmulKernel(
  transA: boolean,
  transB: boolean,
  batchRank: number,
  epilogue?: EpilogueWgsl,
): KernelSpec {
  const a = (k: string) => transA ? `A[offA + (${k}) * p.M + m]` : `A[offA + m * p.K + ${k}]`;
  const b = (k: string) => transB ? `B[offB + n * p.K + ${k}]` : `B[offB + (${k}) * p.N + n]`;
  return {
    code: `${head(batchRank, false, false, epilogue)}
@compute @workgroup_size(64, 4)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  let m = gid.y;
  if (n >= p.N || m >= p.M) { return; }
  let offs = batchOffsets(gid.z);
  let offA = offs.x;
  let offB = offs.y;
  var acc = 0.0;
  let kEnd = min(p.K, p.kStart + ${CPU_K_CHUNK.naive}u);
  ${
      unrolledLoop("k", "kEnd", CPU_UNROLL.naive, (k) =>
        `acc = fma(${a(k)}, ${b(k)}, acc);`, "p.kStart")
    }
  if (k != kEnd) { acc = ${WGSL_NAN}; } // llvmpipe's loop cap cut the sum short
  let o = gid.z * p.M * p.N + m * p.N + n;
  if (p.kStart > 0u) { acc += C[o]; }
  C[o] = ${
      epilogue ? `select(acc, ${stored(epilogue, "acc", "m", "n", "gid.z")}, kEnd == p.K)` : "acc"
    };
}`,
    ...counts(epilogue),
  };
}

/**
 * Register-blocked matmul without workgroup memory or barriers: each invocation computes a
 * T x T block (T = 8) straight from global memory. On CPU rasterizers (llvmpipe/lavapipe) the
 * barriers and workgroup memory of the tiled kernel cost more than they save (measured 3.5x
 * faster there); GPUs use the tiled kernel.
 *
 * @example
 * ```ts
 * import { directMatmulKernel } from "./matmul.ts";
 * directMatmulKernel(false, false, 0).inputs; // 2
 * ```
 */
export function directMatmulKernel(
  transA: boolean,
  transB: boolean,
  batchRank: number,
  epilogue?: EpilogueWgsl,
): KernelSpec {
  const T = 8;
  const acc: string[] = [];
  const store: string[] = [];
  // Rows/columns are clamped: clamped ones are computed but never stored.
  const loadA = (k: string, u: number) =>
    Array.from({ length: T }, (_, i) => {
      const row = `min(m + ${i}u, p.M - 1u)`;
      return `let a${u}_${i} = ${
        transA ? `A[offA + (${k}) * p.M + ${row}]` : `A[offA + ${row} * p.K + ${k}]`
      };`;
    });
  const loadB = (k: string, u: number) =>
    Array.from({ length: T }, (_, i) => {
      const col = `min(n + ${i}u, p.N - 1u)`;
      return `let b${u}_${i} = ${
        transB ? `B[offB + ${col} * p.K + ${k}]` : `B[offB + (${k}) * p.N + ${col}]`
      };`;
    });
  const fma = (u: number) => {
    const f: string[] = [];
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) f.push(`c${i}_${j} = fma(a${u}_${i}, b${u}_${j}, c${i}_${j});`);
    }
    return f;
  };
  // Unrolled copies get their own register names; the remainder loop reuses copy 0's.
  const step = (k: string, u: number) => [...loadA(k, u), ...loadB(k, u), ...fma(u)].join("\n    ");
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      acc.push(`var c${i}_${j} = 0.0;`);
      const o = `offC + (m + ${i}u) * p.N + n + ${j}u`;
      const sum = `select(c${i}_${j}, c${i}_${j} + C[${o}], acc0)`;
      const v = epilogue
        ? `select(s, ${stored(epilogue, "s", `m + ${i}u`, `n + ${j}u`, "gid.z")}, last)`
        : "s";
      store.push(
        `if (m + ${i}u < p.M && n + ${j}u < p.N) { let s = ${sum}; ` +
          `C[${o}] = select(${v}, ${WGSL_NAN}, cut); }`,
      );
    }
  }
  return {
    code: `${head(batchRank, false, false, epilogue)}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x * ${T}u;
  let m = gid.y * ${T}u;
  if (m >= p.M || n >= p.N) { return; }
  let offs = batchOffsets(gid.z);
  let offA = offs.x;
  let offB = offs.y;
  let offC = gid.z * p.M * p.N;
  ${acc.join("\n  ")}
  let kEnd = min(p.K, p.kStart + ${CPU_K_CHUNK.direct}u);
  ${unrolledLoop("k", "kEnd", CPU_UNROLL.direct, step, "p.kStart")}
  let cut = k != kEnd; // llvmpipe's loop cap cut the sums short: store NaN, not a wrong sum
  let acc0 = p.kStart > 0u; // a later K chunk adds to the stored partial sums
  let last = kEnd == p.K; // the epilogue applies once, to the full sums
  ${store.join("\n  ")}
}`,
    ...counts(epilogue),
  };
}
