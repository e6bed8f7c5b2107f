/**
 * In-kernel Gaussian noise for fused sampler kernels: element e of step `step` gets the normal
 * built from Philox4x32-10 at counter (e / 4, step, stream, 0) under the sampler's key, by the
 * same Box-Muller map as `random.normal`. Kernels that need the same noise (the Langevin
 * corrector's norm and its update) regenerate it instead of storing it.
 *
 * @example
 * ```ts
 * import { NOISE_WGSL } from "./noise.ts";
 * console.log(NOISE_WGSL.includes("fn normal4")); // true
 * ```
 * @module
 */
import { PHILOX_WGSL } from "../../gpu/kernels/philox.ts";

/**
 * WGSL: `normal4(chunk, step, stream, key) -> vec4<f32>`, four standard normals for elements
 * 4 chunk .. 4 chunk + 3, and `normal1(e, step, stream, key) -> f32` for one element (the same
 * value as the matching lane of `normal4`).
 */
export const NOISE_WGSL: string = `${PHILOX_WGSL}
fn normal4(chunk: u32, step: u32, stream: u32, key: vec2<u32>) -> vec4<f32> {
  let u = unitOpen(philox(vec4<u32>(chunk, step, stream, 0u), key));
  let r1 = sqrt(-2.0 * log(u.x)); let r2 = sqrt(-2.0 * log(u.z));
  let t1 = 6.283185307179586 * u.y; let t2 = 6.283185307179586 * u.w;
  return vec4<f32>(r1 * cos(t1), r1 * sin(t1), r2 * cos(t2), r2 * sin(t2));
}
fn normal1(e: u32, step: u32, stream: u32, key: vec2<u32>) -> f32 {
  return normal4(e >> 2u, step, stream, key)[e & 3u];
}`;

/** Noise stream ids (the third Philox counter word) used by the sde module's kernels. */
export const STREAM = {
  /** The sampler step's own noise. */
  step: 0x5de0,
  /** The noise that perturbs known data in inpainting. */
  known: 0x5de1,
} as const;
