/**
 * The fused sampler update: one dispatch computes
 * `x' = cx * x + cs * s + cz * z` (z drawn in-kernel from Philox), optionally with the Langevin
 * step size computed on the GPU from batch-mean norms, and optionally projecting known entries
 * onto a perturbed copy of the data (inpainting). Every predictor and corrector of the sde module
 * is an instance of this update with host-computed coefficients (DESIGN.md principle 1: the time
 * grid lives on the host as uniforms; nothing is read back).
 *
 * @example
 * ```ts
 * import { updateKernel } from "./update.ts";
 * const spec = updateKernel(true, true, false, false);
 * console.log(spec.inputs, spec.outputs); // 2 1
 * ```
 * @module
 */
import { ShapeError } from "../../errors.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, type KernelSpec } from "../../gpu/runtime.ts";
import { checkOperands, Tensor } from "../../gpu/tensor.ts";
import type { random } from "../../gpu/mod.ts";
import { NOISE_WGSL, STREAM } from "./noise.ts";

const WG = 256;

/**
 * WGSL for the update. Bindings: p, x, [s], [norms (2 floats: mean |s|, mean |z|)],
 * [mask, known], out.
 *
 * @example
 * ```ts
 * import { updateKernel } from "./update.ts";
 * console.log(updateKernel(true, true, true, true).inputs); // 5
 * ```
 */
export function updateKernel(
  withScore: boolean,
  noise: boolean,
  langevin: boolean,
  masked: boolean,
): KernelSpec {
  const decl: string[] = [];
  let b = 1;
  decl.push(`@group(0) @binding(${b++}) var<storage, read> xs: array<vec4<f32>>;`);
  if (withScore) decl.push(`@group(0) @binding(${b++}) var<storage, read> ss: array<vec4<f32>>;`);
  if (langevin) decl.push(`@group(0) @binding(${b++}) var<storage, read> nrm: array<f32>;`);
  if (masked) {
    decl.push(`@group(0) @binding(${b++}) var<storage, read> ms: array<vec4<f32>>;`);
    decl.push(`@group(0) @binding(${b++}) var<storage, read> ys: array<vec4<f32>>;`);
  }
  const inputs = b - 1;
  decl.push(`@group(0) @binding(${b++}) var<storage, read_write> out: array<vec4<f32>>;`);
  const code = `${noise || masked ? NOISE_WGSL : ""}
struct P { n4: u32, k0: u32, k1: u32, step: u32, cx: f32, cs: f32, cz: f32, snr: f32,
  alpha: f32, mMean: f32, mStd: f32, pad: u32 };
@group(0) @binding(0) var<uniform> p: P;
${decl.join("\n")}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i >= p.n4) { return; }
  var cs = p.cs;
  var cz = p.cz;
  ${
    langevin
      ? `let gn = nrm[0]; let nn = nrm[1];
  let r = p.snr * nn / gn;
  let eps = select(2.0 * r * r * p.alpha, 0.0, gn <= 0.0);
  cs = eps; cz = sqrt(2.0 * eps);`
      : ""
  }
  var v = p.cx * xs[i];
  ${withScore ? "v = v + cs * ss[i];" : ""}
  ${noise ? `v = v + cz * normal4(i, p.step, ${STREAM.step}u, vec2<u32>(p.k0, p.k1));` : ""}
  ${
    masked
      ? `let m = ms[i];
  let z2 = normal4(i, p.step, ${STREAM.known}u, vec2<u32>(p.k0, p.k1));
  v = (vec4<f32>(1.0) - m) * v + m * (p.mMean * ys[i] + p.mStd * z2);`
      : ""
  }
  out[i] = v;
}`;
  return { code, inputs, outputs: 1 };
}

const kernel = memoKernel(updateKernel);

/** Coefficients and options of one {@link sdeUpdate}. */
export interface UpdateArgs {
  /** Multiplier of x. */
  cx: number;
  /** Multiplier of the score (ignored when `langevin` is given). */
  cs?: number;
  /** Multiplier of the noise (ignored when `langevin` is given). */
  cz?: number;
  /** Noise key and step counter; without it no noise is added. */
  noise?: { key: random.Key; step: number };
  /**
   * Langevin step size from the GPU: `norms` holds [mean ||s||, mean ||z||] and the step is
   * eps = 2 alpha (snr ||z|| / ||s||)^2, cs = eps, cz = sqrt(2 eps).
   */
  langevin?: { norms: Tensor; snr: number; alpha: number };
  /**
   * Inpainting projection: where `mask` is 1, the result is replaced by
   * meanCoef * known + std * z' (fresh noise from the `noise` key and step; give std 0, or a
   * `noise` key, since without one the key is fixed).
   */
  masked?: { mask: Tensor; known: Tensor; meanCoef: number; std: number };
}

/**
 * One fused update `cx x + cs s + cz z` (see the module doc). `s` may be null (no score term).
 * Not differentiable (samplers do not need gradients).
 *
 * @example
 * ```ts
 * import { random, zeros, ones } from "../../gpu/mod.ts";
 * import { sdeUpdate } from "./update.ts";
 * const x = sdeUpdate(ones([4, 2]), zeros([4, 2]), { cx: 2, cs: 1 });
 * console.log(await x.read()); // all 2
 * ```
 */
export function sdeUpdate(x: Tensor, s: Tensor | null, args: UpdateArgs): Tensor {
  const where = "sdeUpdate";
  const ins = [x];
  if (s) ins.push(s);
  if (args.langevin) ins.push(args.langevin.norms);
  if (args.masked) ins.push(args.masked.mask, args.masked.known);
  const rt = checkOperands(where, ...ins);
  for (const t of ins.slice(1)) {
    if (t === args.langevin?.norms) continue;
    if (t.size !== x.size) {
      throw new ShapeError(`${where}: operand [${t.shape}] must have the shape of x [${x.shape}]`);
    }
  }
  if (args.langevin && args.langevin.norms.size < 2) {
    throw new ShapeError(
      `${where}: langevin.norms must hold 2 values, got [${args.langevin.norms.shape}]`,
    );
  }
  if (args.langevin && !s) throw new ShapeError(`${where}: langevin needs a score tensor`);
  const out = Tensor.empty(x.shape, "f32", where);
  const n4 = Math.ceil(x.size / 4);
  const w = paramWords();
  w.u[0] = n4;
  const key = args.noise?.key.words ?? [0, 0];
  w.u[1] = key[0];
  w.u[2] = key[1];
  w.u[3] = (args.noise?.step ?? 0) >>> 0;
  w.f[4] = args.cx;
  w.f[5] = args.cs ?? 0;
  w.f[6] = args.cz ?? 0;
  w.f[7] = args.langevin?.snr ?? 0;
  w.f[8] = args.langevin?.alpha ?? 0;
  w.f[9] = args.masked?.meanCoef ?? 0;
  w.f[10] = args.masked?.std ?? 0;
  const spec = kernel(s !== null, args.noise !== undefined, !!args.langevin, !!args.masked);
  rt.dispatch(spec, ins.map((t) => t.buffer(where)), [out.buffer()], w.u, grid(n4, WG));
  return out;
}
