/**
 * Shared WGSL/host helpers for kernels that map an output index to strided input offsets.
 *
 * Shapes and strides travel in the uniform block as `array<vec4<u32>, 2>` (rank <= 8); the
 * rank is baked into the shader so the index arithmetic unrolls. Adjacent dimensions that are
 * contiguous in every operand are merged first, so most broadcasts run at rank 1-3.
 *
 * @example
 * ```ts
 * import { collapseDims } from "./indexing.ts";
 * collapseDims([2, 3, 4], [[12, 4, 1], [0, 0, 1]]); // { shape: [6, 4], strides: [[4, 1], [0, 1]] }
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";

/** The largest rank a strided kernel handles after collapsing. */
export const MAX_RANK = 8;

/** Threads per workgroup for elementwise kernels. */
export const WG = 256;

/**
 * Merges adjacent dimensions that are contiguous for every operand and drops size-1 dims.
 *
 * @example
 * ```ts
 * import { collapseDims } from "./indexing.ts";
 * collapseDims([4, 1, 5], [[5, 5, 1]]); // { shape: [20], strides: [[1]] }
 * ```
 */
export function collapseDims(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    const mergeable = last >= 0 &&
      strides.every((s, k) => st[k][last] === s[d] * shape[d]);
    if (mergeable) {
      dims[last] *= shape[d];
      strides.forEach((s, k) => (st[k][last] = s[d]));
    } else {
      dims.push(shape[d]);
      strides.forEach((s, k) => st[k].push(s[d]));
    }
  }
  return { shape: dims, strides: st };
}

/**
 * Writes a shape (or stride list) into 8 words of a uniform block at `offset`.
 *
 * @example
 * ```ts
 * import { packDims } from "./indexing.ts";
 * const w = new Uint32Array(12);
 * packDims(w, 4, [3, 5]);
 * ```
 */
export function packDims(words: Uint32Array, offset: number, dims: readonly number[]): void {
  if (dims.length > MAX_RANK) {
    throw new InvalidArgumentError(`rank ${dims.length} exceeds the maximum of ${MAX_RANK}`);
  }
  for (let i = 0; i < dims.length; i++) words[offset + i] = dims[i];
}

/**
 * WGSL that decomposes linear index `idx` over `rank` dims of `p.<shapeField>` and accumulates
 * offsets `off_<k>` with strides `p.<strideField_k>`.
 *
 * @example
 * ```ts
 * import { wgslOffsets } from "./indexing.ts";
 * console.log(wgslOffsets(2, "shape", ["sa", "sb"], "i"));
 * ```
 */
export function wgslOffsets(
  rank: number,
  shapeField: string,
  strideFields: readonly string[],
  idx: string,
): string {
  const lines = [`var rem = ${idx};`];
  strideFields.forEach((_, k) => lines.push(`var off_${k} = 0u;`));
  for (let d = rank - 1; d >= 0; d--) {
    const c = `${shapeField}[${d >> 2}][${d & 3}]`;
    lines.push(`{ let dim = p.${c}; let c = rem % dim; rem = rem / dim;`);
    strideFields.forEach((f, k) => lines.push(`  off_${k} += c * p.${f}[${d >> 2}][${d & 3}];`));
    lines.push(`}`);
  }
  return lines.join("\n  ");
}

/** WGSL prelude: the linear invocation index across a 2-D dispatch grid. */
export const LINEAR_INDEX = `let i = gid.x + gid.y * nwg.x * ${WG}u;`;

/** WGSL entry-point signature for 1-D elementwise kernels. */
export const ENTRY = `@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)`;

const scratch = new ArrayBuffer(256);
const scratchU = new Uint32Array(scratch);
const scratchF = new Float32Array(scratch);
const scratchI = new Int32Array(scratch);

/**
 * A zeroed 64-word scratch block for a dispatch's uniform parameters, with u32/f32/i32 views of
 * the same memory. Valid until the next call (the runtime copies it on dispatch).
 *
 * @example
 * ```ts
 * import { paramWords } from "./indexing.ts";
 * const w = paramWords();
 * w.u[0] = 10; w.f[2] = 0.5;
 * ```
 */
export function paramWords(): { u: Uint32Array; f: Float32Array; i: Int32Array } {
  scratchU.fill(0);
  return { u: scratchU, f: scratchF, i: scratchI };
}

/**
 * Memoises a kernel generator by its arguments, so each distinct kernel source is built once
 * (and its pipeline cache key is the same string object every time).
 *
 * @example
 * ```ts
 * import { memoKernel } from "./indexing.ts";
 * const k = memoKernel((n: number) => ({ code: `// ${n}`, inputs: 0, outputs: 1 }));
 * console.log(k(1) === k(1)); // true
 * ```
 */
export function memoKernel<A extends (string | number | boolean)[], R>(
  gen: (...args: A) => R,
): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args: A) => {
    const key = args.join("|");
    let r = cache.get(key);
    if (r === undefined) cache.set(key, r = gen(...args));
    return r;
  };
}

/**
 * Mesa's llvmpipe/lavapipe (the CPU adapter of CI machines) stops a shader invocation's loops
 * after 65535 iterations in total (`LP_MAX_TGSI_LOOP_ITERATIONS`: one counter per invocation,
 * shared by every loop, so nesting does not help), silently: a plain loop over a matmul's
 * K = 70,000 sums the first 65,535 terms. GPUs have no such cap.
 */
export const CPU_LOOP_CAP = 65535;

/**
 * WGSL for `for (v = start; v < end; v++) { body(v) }` (start defaults to 0) with the body
 * unrolled `unroll` times, so the loop runs about (end - start) / unroll iterations (see
 * {@link CPU_LOOP_CAP}), then a remainder loop of fewer than `unroll`. `body(index, copy)` gets
 * the index expression and which unrolled copy it is (0 in the remainder loop), for copies that
 * need their own `let` names. Declares `var v: u32`, which equals `end` afterwards unless
 * llvmpipe's cap cut the loop short: compare it with `end` to turn a truncated result into NaN
 * rather than a wrong number. A range longer than {@link loopChunk}(unroll) must be split over
 * dispatches.
 *
 * @example
 * ```ts
 * import { unrolledLoop } from "./indexing.ts";
 * const code = unrolledLoop("k", "p.K", 4, (k) => `acc += x[${k}];`);
 * console.log(code.includes("x[k + 3u]")); // true
 * ```
 */
export function unrolledLoop(
  v: string,
  end: string,
  unroll: number,
  body: (index: string, copy: number) => string,
  start = "0u",
): string {
  const copies = Array.from({ length: unroll }, (_, u) => body(u === 0 ? v : `${v} + ${u}u`, u));
  return `var ${v} = ${start};
  for (; ${v} + ${unroll - 1}u < ${end}; ${v} += ${unroll}u) {
    ${copies.join("\n    ")}
  }
  for (; ${v} < ${end}; ${v}++) {
    ${body(v, 0)}
  }`;
}

/**
 * How far one dispatch's {@link unrolledLoop} may run: `unroll` x 65000 iterations' worth, which
 * with the remainder loop stays under {@link CPU_LOOP_CAP}.
 *
 * @example
 * ```ts
 * import { loopChunk } from "./indexing.ts";
 * console.log(loopChunk(4)); // 260000
 * ```
 */
export function loopChunk(unroll: number): number {
  return unroll * 65000;
}

/** WGSL f32 NaN (WGSL has no NaN literal). */
export const WGSL_NAN = "bitcast<f32>(0x7fc00000u)";
