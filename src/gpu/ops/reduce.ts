/**
 * Reductions over any set of axes, with `keepdims`: sum, mean, prod, max, min, argmax, argmin,
 * logsumexp, variance; plus `sumToShape`, the adjoint of broadcasting.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { mean, sum } from "./reduce.ts";
 * const x = tensor([[1, 2], [3, 4]]);
 * console.log(await sum(x).item(), await mean(x, 0).read()); // 10 Float32Array [2, 3]
 * ```
 * @module
 */
import { DtypeError, ShapeError } from "../../errors.ts";
import type { DType } from "../dtype.ts";
import { memoKernel, paramWords } from "../kernels/indexing.ts";
import { columnReduceKernel, type ReduceOp, rowReduceKernel } from "../kernels/reduce.ts";
import { grid } from "../runtime.ts";
import { fmtShape, normAxes, sameShape, type Shape, sizeOf } from "../shape.ts";
import { record, withoutRecording } from "../tape.ts";
import { checkOperands, composite, Tensor } from "../tensor.ts";
import { add, div, equal, mul, sub, where } from "./binary.ts";
import { broadcastTo, reshape, transpose } from "./shape.ts";
import { exp, log, square, unaryRaw } from "./unary.ts";
import { zeros } from "./creation.ts";

const rowK = memoKernel(rowReduceKernel);
const colK = memoKernel(columnReduceKernel);

/** Axes argument: one axis, a list, or undefined for all axes. */
export type Axes = number | readonly number[] | undefined;

interface Plan {
  axes: number[];
  outShape: number[];
  keptShape: number[];
}

function plan(x: Tensor, axes: Axes, keepdims: boolean, where: string): Plan {
  const ax = normAxes(axes, x.rank, where);
  const keptShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const outShape = keepdims ? keptShape : x.shape.filter((_, i) => !ax.includes(i));
  return { axes: ax, outShape, keptShape };
}

/** Reduces the middle axis of x viewed as [A, R, B]. */
function reduce3(
  op: ReduceOp,
  x: Tensor,
  A: number,
  R: number,
  B: number,
  outDtype: DType,
): Tensor {
  const rt = checkOperands(op, x);
  const w = paramWords();
  const out = Tensor.empty([A * B], outDtype, op);
  if (B === 1 && R > 32) {
    const arg = op === "argmax" || op === "argmin";
    const K = 4096;
    if (!arg && A < 64 && R > 4 * K) {
      const C = Math.ceil(R / K);
      const partial = Tensor.empty([A * C], outDtype, op);
      w.u.set([A, R, C, K]);
      rt.dispatch(rowK(op, x.dtype), [x.buffer(op)], [partial.buffer()], w.u, grid(A * C, 1));
      const r = reduce3(op, partial, A, C, 1, outDtype);
      partial.dispose();
      out.dispose();
      return r;
    }
    w.u.set([A, R, 1, R]);
    rt.dispatch(rowK(op, x.dtype), [x.buffer(op)], [out.buffer()], w.u, grid(A, 1));
    return out;
  }
  if (B > 1 && A * B < 2048 && R > 256) {
    // Few long columns: transpose so the reduced axis is contiguous, then reduce rows.
    out.dispose();
    const t = withoutRecording(() => transpose(reshape(x, [A, R, B]), [0, 2, 1]));
    const r = reduce3(op, t, A * B, R, 1, outDtype);
    t.dispose();
    return r;
  }
  w.u.set([A, R, B, 0]);
  rt.dispatch(colK(op, x.dtype), [x.buffer(op)], [out.buffer()], w.u, grid(A * B));
  return out;
}

/** Runs a reduction kernel (no gradient) and returns the result in `outShape`. */
function reduceRaw(op: ReduceOp, x: Tensor, p: Plan, outDtype: DType): Tensor {
  const ax = p.axes;
  const contiguous = ax.length === 0 || ax[ax.length - 1] - ax[0] === ax.length - 1;
  let src = x;
  let A: number, R: number, B: number;
  if (contiguous) {
    A = sizeOf(x.shape.slice(0, ax[0] ?? 0));
    R = sizeOf(ax.map((a) => x.shape[a]));
    B = sizeOf(x.shape.slice((ax[ax.length - 1] ?? -1) + 1));
  } else {
    const kept = x.shape.map((_, i) => i).filter((i) => !ax.includes(i));
    src = withoutRecording(() => transpose(x, [...kept, ...ax]));
    A = sizeOf(kept.map((a) => x.shape[a]));
    R = sizeOf(ax.map((a) => x.shape[a]));
    B = 1;
  }
  const flat = reduce3(op, src, A, R, B, outDtype);
  if (src !== x) src.dispose();
  const out = flat.view(p.outShape);
  flat.dispose();
  return out;
}

/**
 * Sums `g` over broadcast dimensions so it has `shape` (the adjoint of broadcasting).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { sumToShape } from "./reduce.ts";
 * await sumToShape(tensor([[1, 2], [3, 4]]), [2]).read(); // Float32Array [4, 6]
 * ```
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  if (lead < 0) {
    throw new ShapeError(`sumToShape: ${fmtShape(g.shape)} cannot reduce to ${fmtShape(shape)}`);
  }
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(sum(g, axes, true), shape);
}

/**
 * Sum over axes (all by default).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { sum } from "./reduce.ts";
 * await sum(tensor([[1, 2], [3, 4]]), 1, true).toArray(); // [[3], [7]]
 * ```
 */
export function sum(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  const p = plan(x, axes, keepdims, "sum");
  const out = reduceRaw("sum", x, p, x.dtype);
  return record(out, [x], (g) => [broadcastTo(reshape(g, p.keptShape), x.shape)]);
}

/**
 * Mean over axes (f32 only).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { mean } from "./reduce.ts";
 * await mean(tensor([1, 2, 3, 4])).item(); // 2.5
 * ```
 */
export function mean(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  if (x.dtype !== "f32") throw new DtypeError(`mean: expected f32, got ${x.dtype}`);
  const p = plan(x, axes, keepdims, "mean");
  const n = sizeOf(p.axes.map((a) => x.shape[a]));
  return composite(() => mul(sum(x, axes, keepdims), 1 / n));
}

/**
 * Product over axes. (Its gradient divides by x, so it is undefined where x has zeros.)
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { prod } from "./reduce.ts";
 * await prod(tensor([2, 3, 4])).item(); // 24
 * ```
 */
export function prod(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  const p = plan(x, axes, keepdims, "prod");
  const out = reduceRaw("prod", x, p, x.dtype);
  return record(
    out,
    [x],
    (g) => [div(mul(broadcastTo(reshape(g, p.keptShape), x.shape), reshape(out, p.keptShape)), x)],
  );
}

function extremum(op: "max" | "min", x: Tensor, axes: Axes, keepdims: boolean): Tensor {
  const p = plan(x, axes, keepdims, op);
  const out = reduceRaw(op, x, p, x.dtype);
  return record(out, [x], (g) => {
    // The gradient is shared equally among tied extrema.
    const mask = equal(x, reshape(out, p.keptShape));
    const count = sum(mask, p.axes, true);
    return [mul(div(mask, count), reshape(g, p.keptShape))];
  });
}

/**
 * Maximum over axes (NaN propagates).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { max } from "./reduce.ts";
 * await max(tensor([[1, 5], [7, 2]]), 1).read(); // Float32Array [5, 7]
 * ```
 */
export function max(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  return extremum("max", x, axes, keepdims);
}

/**
 * Minimum over axes (NaN propagates).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { min } from "./reduce.ts";
 * await min(tensor([[1, 5], [7, 2]]), 1).read(); // Float32Array [1, 2]
 * ```
 */
export function min(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  return extremum("min", x, axes, keepdims);
}

/**
 * Index (i32) of the maximum along one axis (first on ties; flattened when axis is undefined).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { argmax } from "./reduce.ts";
 * await argmax(tensor([[1, 5], [7, 2]]), 1).read(); // Int32Array [1, 0]
 * ```
 */
export function argmax(x: Tensor, axis?: number, keepdims = false): Tensor {
  return composite(() => {
    const src = axis === undefined ? reshape(x, [x.size]) : x;
    return reduceRaw("argmax", src, plan(src, axis ?? 0, keepdims, "argmax"), "i32");
  });
}

/**
 * Index (i32) of the minimum along one axis (first on ties).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { argmin } from "./reduce.ts";
 * await argmin(tensor([3, 1, 2])).item(); // 1
 * ```
 */
export function argmin(x: Tensor, axis?: number, keepdims = false): Tensor {
  return composite(() => {
    const src = axis === undefined ? reshape(x, [x.size]) : x;
    return reduceRaw("argmin", src, plan(src, axis ?? 0, keepdims, "argmin"), "i32");
  });
}

/**
 * log(sum(exp(x))) over axes, stable for large inputs (gradient: softmax).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { logsumexp } from "./reduce.ts";
 * await logsumexp(tensor([1000, 1000])).item(); // 1000.6931
 * ```
 */
export function logsumexp(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  const p = plan(x, axes, keepdims, "logsumexp");
  return composite(() => {
    // Shift by the (constant) maximum; where it is not finite (an all -inf row) shift by 0.
    const m = withoutRecording(() => {
      const raw = reduceRaw("max", x, { ...p, outShape: p.keptShape }, "f32");
      return where(unaryRaw("isfinite", raw), raw, zeros(raw.shape));
    });
    const s = log(sum(exp(sub(x, m)), p.axes, true));
    return reshape(add(s, m), p.outShape);
  });
}

/**
 * Variance over axes with `ddof` delta degrees of freedom (0 = population variance).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { variance } from "./reduce.ts";
 * await variance(tensor([1, 2, 3, 4])).item(); // 1.25
 * ```
 */
export function variance(x: Tensor, axes?: Axes, keepdims = false, ddof = 0): Tensor {
  const p = plan(x, axes, keepdims, "variance");
  const n = sizeOf(p.axes.map((a) => x.shape[a]));
  return composite(() => {
    const c = sub(x, mean(x, p.axes, true));
    return mul(sum(square(c), p.axes, keepdims), 1 / (n - ddof));
  });
}
