/**
 * Creating tensors on the GPU without uploads: zeros, ones, full, arange, linspace, eye.
 *
 * @example
 * ```ts
 * import { arange, zeros } from "./creation.ts";
 * console.log(await zeros([2, 2]).read(), await arange(0, 5).read());
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { checkDtype, type DType } from "../dtype.ts";
import { eyeKernel, fillKernel, iotaKernel } from "../kernels/layout.ts";
import { memoKernel, paramWords } from "../kernels/indexing.ts";
import { grid, runtime } from "../runtime.ts";
import { checkShape } from "../shape.ts";
import { Tensor } from "../tensor.ts";

const fillK = memoKernel(fillKernel);
const iotaK = memoKernel(iotaKernel);
const eyeK = memoKernel(eyeKernel);

/** @internal The 32-bit pattern of `v` in `dtype`, after checking it is representable. */
export function valueBits(v: number, dtype: DType, where: string): number {
  if (dtype === "f32") return new Uint32Array(new Float32Array([v]).buffer)[0];
  if (!Number.isInteger(v)) {
    throw new InvalidArgumentError(`${where}: value ${v} is not an integer but dtype is ${dtype}`);
  }
  if (dtype === "u32" ? v < 0 || v > 0xffffffff : v < -(2 ** 31) || v >= 2 ** 31) {
    throw new InvalidArgumentError(`${where}: value ${v} does not fit in ${dtype}`);
  }
  return v >>> 0;
}

/**
 * A tensor of `shape` filled with `value`.
 *
 * @example
 * ```ts
 * import { full } from "./creation.ts";
 * await full([2], 7, "i32").read(); // Int32Array [7, 7]
 * ```
 */
export function full(shape: readonly number[], value: number, dtype: DType = "f32"): Tensor {
  const s = checkShape(shape, "full");
  checkDtype(dtype, "full");
  const out = Tensor.empty(s, dtype, "full");
  const n4 = Math.ceil(out.size / 4);
  const w = paramWords();
  w.u[0] = n4;
  w.u[1] = valueBits(value, dtype, "full");
  runtime().dispatch(fillK(dtype), [], [out.buffer()], w.u, grid(n4));
  return out;
}

/**
 * A tensor of zeros.
 *
 * @example
 * ```ts
 * import { zeros } from "./creation.ts";
 * zeros([2, 3]).shape; // [2, 3]
 * ```
 */
export function zeros(shape: readonly number[], dtype: DType = "f32"): Tensor {
  return full(shape, 0, dtype);
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * import { ones } from "./creation.ts";
 * await ones([3]).read(); // Float32Array [1, 1, 1]
 * ```
 */
export function ones(shape: readonly number[], dtype: DType = "f32"): Tensor {
  return full(shape, 1, dtype);
}

/**
 * Zeros with the shape and dtype of `x`.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { zerosLike } from "./creation.ts";
 * zerosLike(tensor([1, 2])).shape; // [2]
 * ```
 */
export function zerosLike(x: Tensor): Tensor {
  return full(x.shape, 0, x.dtype);
}

/**
 * Ones with the shape and dtype of `x`.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { onesLike } from "./creation.ts";
 * await onesLike(tensor([5, 6])).read(); // Float32Array [1, 1]
 * ```
 */
export function onesLike(x: Tensor): Tensor {
  return full(x.shape, 1, x.dtype);
}

/**
 * Evenly spaced values in [start, stop) with `step` (NumPy's arange). `arange(n)` is 0..n-1.
 *
 * @example
 * ```ts
 * import { arange } from "./creation.ts";
 * await arange(1, 2, 0.25).read(); // Float32Array [1, 1.25, 1.5, 1.75]
 * await arange(3, undefined, undefined, "i32").read(); // Int32Array [0, 1, 2]
 * ```
 */
export function arange(start: number, stop?: number, step = 1, dtype: DType = "f32"): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  for (const [k, v] of [["start", start], ["stop", stop], ["step", step]] as const) {
    if (!Number.isFinite(v)) {
      throw new InvalidArgumentError(`arange: ${k} must be finite, got ${v}`);
    }
  }
  if (step === 0) throw new InvalidArgumentError("arange: step must be nonzero, got 0");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = Tensor.empty([n], dtype, "arange");
  const w = paramWords();
  w.u[0] = n;
  w.u[1] = valueBits(start, dtype, "arange");
  w.u[2] = valueBits(step, dtype, "arange");
  runtime().dispatch(iotaK(dtype), [], [out.buffer()], w.u, grid(n));
  return out;
}

/**
 * `num` evenly spaced f32 values from start to stop inclusive.
 *
 * @example
 * ```ts
 * import { linspace } from "./creation.ts";
 * await linspace(0, 1, 5).read(); // Float32Array [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num < 0) {
    throw new InvalidArgumentError(`linspace: num must be a non-negative integer, got ${num}`);
  }
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  const out = Tensor.empty([num], "f32", "linspace");
  const w = paramWords();
  w.u[0] = num;
  w.f[1] = start;
  w.f[2] = step;
  runtime().dispatch(iotaK("f32"), [], [out.buffer()], w.u, grid(num));
  return out;
}

/**
 * An n x m matrix with ones on diagonal k (default: the identity).
 *
 * @example
 * ```ts
 * import { eye } from "./creation.ts";
 * await eye(2).toArray(); // [[1, 0], [0, 1]]
 * ```
 */
export function eye(n: number, m = n, k = 0, dtype: DType = "f32"): Tensor {
  const s = checkShape([n, m], "eye");
  if (!Number.isInteger(k)) throw new InvalidArgumentError(`eye: k must be an integer, got ${k}`);
  const out = Tensor.empty(s, dtype, "eye");
  const w = paramWords();
  w.u[0] = out.size;
  w.u[1] = Math.max(m, 1);
  w.i[2] = k;
  runtime().dispatch(eyeK(dtype), [], [out.buffer()], w.u, grid(out.size));
  return out;
}
