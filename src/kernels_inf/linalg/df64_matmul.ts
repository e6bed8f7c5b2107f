/**
 * `A X` for an f32 matrix A `[t, n]` and a double-float matrix X `[n, m, 2]` (hi/lo pairs, as
 * the df64 triangular solves return them), accumulated in df64 and rounded to f32 once at the
 * end. GP predictions are such products: the test kernel times `(K + reg I)^-1 y`. Without it, a
 * df64 solve's gain would be lost in rounding X to f32 and summing n products in f32: with a
 * small regularizer X is large and the sum cancels (Lee et al. 2020, Sec. 3.9), so the f32
 * product alone differs from f64 by ~1e-5 relative at n = 500.
 *
 * Tiled 16 x 16 over the output with 16-wide chunks of n in workgroup memory; one dispatch.
 *
 * @example
 * ```ts
 * import { matmulDf64 } from "./df64_matmul.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * // X = [[1 + 2^-30], [1]] as hi/lo pairs; A = [[1, -1]]: the difference is 2^-30, lost in f32
 * const x = tensor([[[1, 2 ** -30]], [[1, 0]]]);
 * console.log(await matmulDf64(tensor([[1, -1]]), x).read()); // Float32Array [9.313225746154785e-10]
 * ```
 * @module
 */
import { ShapeError } from "../../errors.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";
import { fmtShape } from "../../gpu/shape.ts";
import { checkOperands, Tensor } from "../../gpu/tensor.ts";
import { FMA_PROBE, numericWgsl } from "../../bnn/linalg/numeric_wgsl.ts";

/** Output tile side and inner chunk (TILE^2 threads per workgroup). */
const TILE = 16;

function df64MatmulKernel(): KernelSpec {
  const T = TILE;
  const code = `${numericWgsl("df64")}
struct P { t: u32, n: u32, m: u32, zero: u32, probe: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<R>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
var<workgroup> at: array<f32, ${T * T}>;
var<workgroup> xt: array<R, ${T * T}>;
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  r_init(p.probe, p.zero);
  let row = wid.y * ${T}u + lid.y;
  let col = wid.x * ${T}u + lid.x;
  var acc = r_from(0.0);
  for (var k0 = 0u; k0 < p.n; k0 += ${T}u) {
    // a[row, k0 + lid.x] and x[k0 + lid.y, col] into the tiles (zeros past the edges)
    var av = 0.0;
    if (row < p.t && k0 + lid.x < p.n) { av = a[row * p.n + k0 + lid.x]; }
    at[lid.y * ${T}u + lid.x] = av;
    var xv = r_from(0.0);
    if (k0 + lid.y < p.n && col < p.m) { xv = x[(k0 + lid.y) * p.m + col]; }
    xt[lid.y * ${T}u + lid.x] = xv;
    workgroupBarrier();
    let kc = min(${T}u, p.n - k0);
    for (var j = 0u; j < kc; j++) {
      acc = r_add(acc, r_mul_f(xt[j * ${T}u + lid.x], at[lid.y * ${T}u + j]));
    }
    workgroupBarrier();
  }
  if (row < p.t && col < p.m) { out[row * p.m + col] = r_f32(acc); }
}`;
  return { code, inputs: 2, outputs: 1 };
}

const df64MatmulK = memoKernel(df64MatmulKernel);

/**
 * `a x` with f32 `a` `[t, n]` and df64 `x` `[n, m, 2]`, accumulated in df64; returns f32
 * `[t, m]` (one rounding per entry).
 *
 * @example
 * ```ts
 * import { matmulDf64 } from "./df64_matmul.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const x = tensor([[[2, 0], [3, 0]], [[4, 0], [5, 0]]]); // [[2, 3], [4, 5]] in df64
 * console.log(await matmulDf64(tensor([[1, 1]]), x).read()); // Float32Array [6, 8]
 * ```
 */
export function matmulDf64(a: Tensor, x: Tensor): Tensor {
  const rt = checkOperands("matmulDf64", a, x);
  if (a.dtype !== "f32" || a.rank !== 2) {
    throw new ShapeError(
      `matmulDf64: a must be an f32 matrix [t, n], got ${a.dtype} ${fmtShape(a.shape)}`,
    );
  }
  const [t, n] = a.shape;
  if (x.dtype !== "f32" || x.rank !== 3 || x.shape[0] !== n || x.shape[2] !== 2) {
    throw new ShapeError(
      `matmulDf64: x must be df64 hi/lo pairs [${n}, m, 2] to match a ${fmtShape(a.shape)}, got ` +
        `${x.dtype} ${fmtShape(x.shape)}`,
    );
  }
  const m = x.shape[1];
  const out = Tensor.empty([t, m], "f32", "matmulDf64");
  const p = paramWords();
  p.u[0] = t;
  p.u[1] = n;
  p.u[2] = m;
  p.f[4] = FMA_PROBE;
  rt.dispatch(
    df64MatmulK(),
    [a.buffer("matmulDf64"), x.buffer("matmulDf64")],
    [out.buffer()],
    p.u,
    [Math.ceil(m / TILE), Math.ceil(t / TILE), 1],
  );
  return out;
}
