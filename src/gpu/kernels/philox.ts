/**
 * Philox4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3") in WGSL and
 * in TypeScript, bit-identical, plus the kernels that turn its output into distributions.
 *
 * Each invocation j hashes the counter (j, 0, stream, 0) under a 64-bit key into four u32s and
 * writes elements 4j..4j+3, so a draw is a pure function of (key, stream, index): the same on
 * every adapter and independent of the dispatch shape.
 *
 * @example
 * ```ts
 * import { philoxHost } from "./philox.ts";
 * console.log(philoxHost([0, 0, 0, 0], [0, 0])); // the Random123 known-answer vector
 * ```
 * @module
 */
import type { KernelSpec } from "../runtime.ts";
import { ENTRY, LINEAR_INDEX } from "./indexing.ts";

const M0 = 0xd2511f53, M1 = 0xcd9e8d57, W0 = 0x9e3779b9, W1 = 0xbb67ae85;

function mulhi(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const t0 = al * bl, t1 = ah * bl, t2 = al * bh, t3 = ah * bh;
  const mid = (t0 >>> 16) + (t1 & 0xffff) + (t2 & 0xffff);
  return (t3 + (t1 >>> 16) + (t2 >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * Philox4x32-10 on the host: hashes a 4-word counter under a 2-word key.
 *
 * @example
 * ```ts
 * import { philoxHost } from "./philox.ts";
 * philoxHost([1, 2, 3, 4], [5, 6]).length; // 4
 * ```
 */
export function philoxHost(
  counter: readonly number[],
  key: readonly number[],
): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((x) => x >>> 0);
  let [k0, k1] = key.map((x) => x >>> 0);
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** WGSL source of `philox(counter, key) -> vec4<u32>`. */
export const PHILOX_WGSL = `
fn mulhi_(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let t0 = al * bl; let t1 = ah * bl; let t2 = al * bh; let t3 = ah * bh;
  let mid = (t0 >> 16u) + (t1 & 0xffffu) + (t2 & 0xffffu);
  return t3 + (t1 >> 16u) + (t2 >> 16u) + (mid >> 16u);
}
fn philox(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = ctr;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    let hi0 = mulhi_(${M0}u, c.x); let lo0 = ${M0}u * c.x;
    let hi1 = mulhi_(${M1}u, c.z); let lo1 = ${M1}u * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k = k + vec2<u32>(${W0}u, ${W1}u);
  }
  return c;
}
// Uniform in (0, 1): 24 random bits, centred in their bucket so 0 and 1 never occur.
fn unitOpen(u: vec4<u32>) -> vec4<f32> {
  return (vec4<f32>(u >> vec4<u32>(8u)) + vec4<f32>(0.5)) * ${2 ** -24};
}`;

/** Distributions the random kernel can produce. */
export type RandomKind = "bits" | "uniform" | "normal" | "bernoulli" | "rademacher" | "gumbel";

/**
 * A random kernel writing n values. Params: [n, key0, key1, stream, a (f32), b (f32)]: uniform
 * in [a, b), normal with mean a and std b, bernoulli with probability a.
 *
 * @example
 * ```ts
 * import { randomKernel } from "./philox.ts";
 * randomKernel("normal").outputs; // 1
 * ```
 */
export function randomKernel(kind: RandomKind): KernelSpec {
  const outType = kind === "bits" ? "u32" : "f32";
  let body: string;
  switch (kind) {
    case "bits":
      body = "let v = r;";
      break;
    case "uniform":
      body = "let v = vec4<f32>(p.a) + (vec4<f32>(r >> vec4<u32>(8u)) * " + 2 ** -24 +
        ") * (p.b - p.a);";
      break;
    case "normal":
      body = `let u = unitOpen(r);
  let r1 = sqrt(-2.0 * log(u.x)); let r2 = sqrt(-2.0 * log(u.z));
  let t1 = 6.283185307179586 * u.y; let t2 = 6.283185307179586 * u.w;
  let v = vec4<f32>(p.a) + p.b * vec4<f32>(r1 * cos(t1), r1 * sin(t1), r2 * cos(t2), r2 * sin(t2));`;
      break;
    case "bernoulli":
      body = "let v = select(vec4<f32>(0.0), vec4<f32>(1.0), unitOpen(r) < vec4<f32>(p.a));";
      break;
    case "rademacher":
      body =
        "let v = select(vec4<f32>(-1.0), vec4<f32>(1.0), (r & vec4<u32>(1u)) == vec4<u32>(1u));";
      break;
    case "gumbel":
      body = "let v = -log(-log(unitOpen(r)));";
      break;
  }
  return {
    code: `${PHILOX_WGSL}
struct P { n: u32, k0: u32, k1: u32, stream: u32, a: f32, b: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<${outType}>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i * 4u >= p.n) { return; }
  let r = philox(vec4<u32>(i, 0u, p.stream, 0u), vec2<u32>(p.k0, p.k1));
  ${body}
  for (var j = 0u; j < 4u; j++) {
    if (i * 4u + j < p.n) { out[i * 4u + j] = v[j]; }
  }
}`,
    inputs: 0,
    outputs: 1,
  };
}
