/**
 * Scaled orthogonal initialization of dense weights, which DKS pairs with its transformed
 * activations (Martens et al. 2021, section 7; for dense layers the delta-orthogonal scheme of
 * Xiao et al. 2018 reduces to a plain orthogonal matrix). For `y = x W` with W of shape
 * [fanIn, fanOut]: a Haar-random orthogonal matrix (QR of a Gaussian matrix with the sign of
 * R's diagonal folded into Q, Mezzadri 2007), scaled by sqrt(max(1, fanOut / fanIn)). When
 * fanOut >= fanIn the rows of W / scale are orthonormal, so q(y) = |y|^2 / fanOut equals
 * q(x) = |x|^2 / fanIn exactly, and cosine similarities are preserved exactly: the dense layers
 * leave the Q and C maps to the activations.
 *
 * Convolutions use the Delta initialization (Xiao et al. 2018; DKS section 7, as
 * `scaled_uniform_orthogonal(..., delta=True)` in deepmind/dks): an HWIO filter bank
 * [kh, kw, fanIn, fanOut] that is zero except at the centre tap, which holds the scaled orthogonal
 * [fanIn, fanOut] matrix. At initialization such a stride-1 convolution is that dense layer
 * applied at every location, so each location's q and each pair of locations' c evolve exactly
 * as in a fully connected chain and DKS/TAT transforms carry over unchanged.
 *
 * @example
 * ```ts
 * import { orthogonalFromGaussian } from "./orthogonal_init.ts";
 * const w = orthogonalFromGaussian([1, 2, 3, 4], 2, 2);
 * console.log(Math.abs(w[0] * w[1] + w[2] * w[3]) < 1e-15); // true
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { type Key, random, type Tensor, tensor } from "../../gpu/mod.ts";

function checkDims(where: string, fanIn: number, fanOut: number): void {
  for (const [field, v] of [["fanIn", fanIn], ["fanOut", fanOut]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new InvalidArgumentError(`${where}: ${field} must be an integer >= 1, got ${v}`);
    }
  }
}

/**
 * The scaled orthogonal [fanIn, fanOut] matrix (row-major, f64) built from `gaussian`, fanIn *
 * fanOut standard-normal draws (read as a [max, min] matrix), by Householder QR.
 *
 * @example
 * ```ts
 * import { orthogonalFromGaussian } from "./orthogonal_init.ts";
 * const w = orthogonalFromGaussian([0.3, -1.2], 1, 2); // one row, scale sqrt(2)
 * console.log(+Math.hypot(w[0], w[1]).toFixed(12)); // 1.414213562373
 * ```
 */
export function orthogonalFromGaussian(
  gaussian: ArrayLike<number>,
  fanIn: number,
  fanOut: number,
): Float64Array {
  checkDims("orthogonalFromGaussian", fanIn, fanOut);
  if (gaussian.length !== fanIn * fanOut) {
    throw new InvalidArgumentError(
      `orthogonalFromGaussian: gaussian has ${gaussian.length} entries, expected fanIn * fanOut = ${
        fanIn * fanOut
      }`,
    );
  }
  const n = Math.max(fanIn, fanOut), m = Math.min(fanIn, fanOut);
  // Column-major copy of the n x m matrix A; Householder reflectors overwrite it.
  const a = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) a[j * n + i] = gaussian[i * m + j];
  const vs: Float64Array[] = [];
  const signs = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const col = a.subarray(j * n, j * n + n);
    let norm = 0;
    for (let i = j; i < n; i++) norm += col[i] * col[i];
    norm = Math.sqrt(norm);
    const alpha = col[j] >= 0 ? -norm : norm; // R_jj
    signs[j] = alpha >= 0 ? 1 : -1;
    const v = new Float64Array(n);
    for (let i = j; i < n; i++) v[i] = col[i];
    v[j] -= alpha;
    let vn = 0;
    for (let i = j; i < n; i++) vn += v[i] * v[i];
    if (vn > 0) {
      for (let k = j; k < m; k++) {
        const ck = a.subarray(k * n, k * n + n);
        let dot = 0;
        for (let i = j; i < n; i++) dot += v[i] * ck[i];
        const f = (2 * dot) / vn;
        for (let i = j; i < n; i++) ck[i] -= f * v[i];
      }
    }
    vs.push(vn > 0 ? v.map((x) => x / Math.sqrt(vn)) : v);
  }
  // Q (n x m, column-major) = H_0 ... H_{m-1} applied to the first m unit vectors, times sign(R).
  const q = new Float64Array(n * m);
  for (let j = 0; j < m; j++) {
    const col = q.subarray(j * n, j * n + n);
    col[j] = 1;
    for (let h = m - 1; h >= 0; h--) {
      const v = vs[h];
      let dot = 0;
      for (let i = h; i < n; i++) dot += v[i] * col[i];
      for (let i = h; i < n; i++) col[i] -= 2 * dot * v[i];
    }
    for (let i = 0; i < n; i++) col[i] *= signs[j];
  }
  const scale = Math.sqrt(Math.max(1, fanOut / fanIn));
  const w = new Float64Array(fanIn * fanOut);
  for (let r = 0; r < fanIn; r++) {
    for (let c = 0; c < fanOut; c++) {
      // fanIn >= fanOut: W = Q (orthonormal columns); else W = Q^T (orthonormal rows).
      w[r * fanOut + c] = scale * (fanIn >= fanOut ? q[c * n + r] : q[r * n + c]);
    }
  }
  return w;
}

/**
 * A scaled orthogonal f32 weight tensor of shape [fanIn, fanOut] for `y = x W` (Gaussian draws
 * from `key` on the GPU, QR on the host).
 *
 * @example
 * ```ts
 * import { orthogonalInit } from "./orthogonal_init.ts";
 * import { random } from "../../gpu/mod.ts";
 * const w = await orthogonalInit(random.key(0), 8, 8);
 * console.log(w.shape); // [8, 8]
 * ```
 */
export async function orthogonalInit(key: Key, fanIn: number, fanOut: number): Promise<Tensor> {
  checkDims("orthogonalInit", fanIn, fanOut);
  const g = random.normal(key, [fanIn * fanOut]);
  const data = await g.read();
  g.dispose();
  const w = orthogonalFromGaussian(data, fanIn, fanOut);
  return tensor(Float32Array.from(w), { shape: [fanIn, fanOut] });
}

/**
 * The Delta-orthogonal HWIO filter bank [kh, kw, fanIn, fanOut] (row-major, f64): zero except the
 * centre tap [(kh - 1) / 2, (kw - 1) / 2], which is {@link orthogonalFromGaussian} of `gaussian`
 * (fanIn * fanOut draws). Spatial sizes must be odd, so the centre exists.
 *
 * @example
 * ```ts
 * import { deltaOrthogonalFromGaussian } from "./orthogonal_init.ts";
 * const w = deltaOrthogonalFromGaussian([0.3, -1.2], 3, 3, 1, 2);
 * console.log(w.length, w.filter((v) => v !== 0).length); // 18 2
 * ```
 */
export function deltaOrthogonalFromGaussian(
  gaussian: ArrayLike<number>,
  kh: number,
  kw: number,
  fanIn: number,
  fanOut: number,
): Float64Array {
  checkSpatial("deltaOrthogonalFromGaussian", kh, kw);
  const centre = orthogonalFromGaussian(gaussian, fanIn, fanOut);
  const w = new Float64Array(kh * kw * fanIn * fanOut);
  const tap = ((kh - 1) / 2) * kw + (kw - 1) / 2;
  w.set(centre, tap * fanIn * fanOut);
  return w;
}

function checkSpatial(where: string, kh: number, kw: number): void {
  for (const [field, v] of [["kh", kh], ["kw", kw]] as const) {
    if (!Number.isInteger(v) || v < 1 || v % 2 !== 1) {
      throw new InvalidArgumentError(
        `${where}: ${field} must be an odd integer >= 1 (the Delta initialization needs a ` +
          `centre tap), got ${v}`,
      );
    }
  }
}

/**
 * A Delta-orthogonal f32 HWIO filter bank of shape `[kh, kw, fanIn, fanOut]` for
 * `conv2d(x, w)` (Gaussian draws from `key` on the GPU, QR on the host).
 *
 * @example
 * ```ts
 * import { deltaOrthogonalInit } from "./orthogonal_init.ts";
 * import { random } from "../../gpu/mod.ts";
 * const w = await deltaOrthogonalInit(random.key(0), [3, 3, 4, 8]);
 * console.log(w.shape); // [3, 3, 4, 8]
 * ```
 */
export async function deltaOrthogonalInit(
  key: Key,
  shape: readonly [number, number, number, number],
): Promise<Tensor> {
  if (!Array.isArray(shape) || shape.length !== 4) {
    throw new InvalidArgumentError(
      `deltaOrthogonalInit: shape must be [kh, kw, fanIn, fanOut], got ${JSON.stringify(shape)}`,
    );
  }
  const [kh, kw, fanIn, fanOut] = shape;
  checkSpatial("deltaOrthogonalInit", kh, kw);
  checkDims("deltaOrthogonalInit", fanIn, fanOut);
  const g = random.normal(key, [fanIn * fanOut]);
  const data = await g.read();
  g.dispose();
  const w = deltaOrthogonalFromGaussian(data, kh, kw, fanIn, fanOut);
  return tensor(Float32Array.from(w), { shape: [kh, kw, fanIn, fanOut] });
}
