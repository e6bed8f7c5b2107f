/**
 * A fused linear combination `out = c_0 a_0 + ... + c_{k-1} a_{k-1}` of up to 6 same-shaped
 * tensors in one dispatch (ODE stages, RK4/Heun updates). Differentiable: the vector-Jacobian
 * product of operand j is c_j g.
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { linComb } from "./lincomb.ts";
 * console.log(await linComb([2, -1], [tensor([1, 2]), tensor([1, 1])]).read()); // [1, 3]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { memoKernel, paramWords } from "../kernels/indexing.ts";
import { grid, type KernelSpec } from "../runtime.ts";
import { record } from "../tape.ts";
import { checkOperands, Tensor } from "../tensor.ts";
import { mul } from "./binary.ts";

/** Most operands of one {@link linComb}. */
export const MAX_LINCOMB = 6;

/**
 * WGSL for a `k`-term combination over vec4s. Params: [n4, c_0..c_{k-1}].
 *
 * @example
 * ```ts
 * import { linCombKernel } from "./lincomb.ts";
 * console.log(linCombKernel(3).inputs); // 3
 * ```
 */
export function linCombKernel(k: number): KernelSpec {
  const decl = Array.from(
    { length: k },
    (_, j) => `@group(0) @binding(${j + 1}) var<storage, read> a${j}: array<vec4<f32>>;`,
  );
  const terms = Array.from({ length: k }, (_, j) => `p.c[${j}] * a${j}[i]`).join(" + ");
  const code = `struct P { n4: u32, pad0: u32, pad1: u32, pad2: u32, c: array<vec4<f32>, 2> };
@group(0) @binding(0) var<uniform> p: P;
${decl.join("\n")}
@group(0) @binding(${k + 1}) var<storage, read_write> out: array<vec4<f32>>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n4) { return; }
  out[i] = ${terms.replaceAll(/p\.c\[(\d)\]/g, (_, j) => `p.c[${Math.floor(+j / 4)}][${+j % 4}]`)};
}`;
  return { code, inputs: k, outputs: 1 };
}

const kernel = memoKernel(linCombKernel);

/**
 * `sum_j coefs[j] * xs[j]` for 1 to 6 f32 tensors of one shape (one dispatch).
 *
 * @example
 * ```ts
 * import { ones } from "../mod.ts";
 * import { linComb } from "./lincomb.ts";
 * const y = linComb([1, 0.5, 0.25], [ones([5]), ones([5]), ones([5])]);
 * console.log((await y.read())[4]); // 1.75
 * ```
 */
export function linComb(coefs: readonly number[], xs: readonly Tensor[]): Tensor {
  const where = "linComb";
  if (coefs.length !== xs.length || xs.length < 1 || xs.length > MAX_LINCOMB) {
    throw new InvalidArgumentError(
      `${where}: expected 1..${MAX_LINCOMB} tensors and as many coefficients, got ` +
        `${xs.length} tensors and ${coefs.length} coefficients`,
    );
  }
  const rt = checkOperands(where, ...xs);
  for (const x of xs) {
    if (x.dtype !== "f32") throw new InvalidArgumentError(`${where}: expected f32, got ${x.dtype}`);
    if (
      x.size !== xs[0].size || x.rank !== xs[0].rank || x.shape.some((d, i) => d !== xs[0].shape[i])
    ) {
      throw new ShapeError(`${where}: shapes [${xs[0].shape}] and [${x.shape}] differ`);
    }
  }
  const out = Tensor.empty(xs[0].shape, "f32", where);
  const n4 = Math.ceil(out.size / 4);
  const w = paramWords();
  w.u[0] = n4;
  for (let j = 0; j < coefs.length; j++) w.f[4 + j] = coefs[j];
  rt.dispatch(kernel(xs.length), xs.map((x) => x.buffer(where)), [out.buffer()], w.u, grid(n4));
  return record(out, xs, (g) => coefs.map((c) => mul(g, c)));
}
