/**
 * Shape and data-movement ops: reshape, transpose, broadcastTo, slice, concat, stack, take,
 * oneHot, cumsum, squeeze, expandDims. All differentiable (except oneHot).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { reshape, transpose } from "./shape.ts";
 * const x = reshape(tensor([1, 2, 3, 4, 5, 6]), [2, 3]);
 * console.log(await transpose(x).toArray()); // [[1, 4], [2, 5], [3, 6]]
 * ```
 * @module
 */
import { DtypeError, InvalidArgumentError, ShapeError } from "../../errors.ts";
import { stridedCopyKernel } from "../kernels/elementwise.ts";
import { collapseDims, memoKernel, packDims, paramWords } from "../kernels/indexing.ts";
import {
  CUMSUM_CHUNK,
  cumsumKernel,
  gatherKernel,
  oneHotKernel,
  scatterKernel,
} from "../kernels/layout.ts";
import { grid } from "../runtime.ts";
import {
  broadcastShapes,
  broadcastStrides,
  checkShape,
  fmtShape,
  normAxes,
  normAxis,
  sameShape,
  type Shape,
  sizeOf,
  stridesOf,
} from "../shape.ts";
import { record } from "../tape.ts";
import { checkOperands, composite, Tensor } from "../tensor.ts";
import { zeros } from "./creation.ts";
import { matmul } from "./matmul.ts";
import { sumToShape } from "./reduce.ts";

const copyK = memoKernel(stridedCopyKernel);
const scatterK = memoKernel(scatterKernel);
const gatherK = memoKernel(gatherKernel);
const oneHotK = memoKernel(oneHotKernel);
const cumsumK = memoKernel(cumsumKernel);

/** @internal out = x read through `strides` (elements) from `offset`, with shape `shape`. */
export function stridedCopy(
  x: Tensor,
  shape: Shape,
  strides: readonly number[],
  offset: number,
  where: string,
): Tensor {
  const rt = checkOperands(where, x);
  const out = Tensor.empty(shape, x.dtype, where);
  const c = collapseDims(shape, [strides]);
  const w = paramWords();
  w.u[0] = out.size;
  w.u[1] = offset;
  packDims(w.u, 4, c.shape);
  packDims(w.u, 12, c.strides[0]);
  rt.dispatch(
    copyK(x.dtype, c.shape.length),
    [x.buffer(where)],
    [out.buffer()],
    w.u,
    grid(out.size),
  );
  return out;
}

/** @internal Writes x into `into` at `offset` with output strides; returns `into`. */
function scatterInto(into: Tensor, x: Tensor, strides: readonly number[], offset: number): Tensor {
  const rt = checkOperands("scatter", into, x);
  const c = collapseDims(x.shape, [strides]);
  const w = paramWords();
  w.u[0] = x.size;
  w.u[1] = offset;
  packDims(w.u, 4, c.shape);
  packDims(w.u, 12, c.strides[0]);
  rt.dispatch(
    scatterK(x.dtype, c.shape.length),
    [x.buffer("scatter")],
    [into.buffer()],
    w.u,
    grid(x.size),
  );
  return into;
}

/**
 * A tensor with the same elements in a new shape (one dim may be -1). Shares storage.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { reshape } from "./shape.ts";
 * reshape(tensor([1, 2, 3, 4]), [2, -1]).shape; // [2, 2]
 * ```
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new ShapeError(`reshape: at most one -1 allowed, got ${fmtShape(shape)}`);
  let s: number[];
  if (free === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    checkShape(shape.map((d) => (d === -1 ? 0 : d)), "reshape");
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} into ${fmtShape(shape)}`);
    }
    s = shape.map((d) => (d === -1 ? x.size / known : d));
  } else s = checkShape(shape, "reshape");
  if (sizeOf(s) !== x.size) {
    throw new ShapeError(
      `reshape: ${fmtShape(x.shape)} has ${x.size} elements, ${fmtShape(s)} has ${sizeOf(s)}`,
    );
  }
  const out = x.view(s);
  return record(out, [x], (g) => [reshape(g, x.shape)]);
}

/**
 * Permutes axes (default: reverses them). Writes a new contiguous buffer.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { transpose } from "./shape.ts";
 * transpose(tensor([[[1]], [[2]]]), [2, 0, 1]).shape; // [1, 2, 1]
 * ```
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const r = x.rank;
  const p = perm ? perm.map((a) => normAxis(a, r, "transpose")) : [...Array(r).keys()].reverse();
  if (p.length !== r || new Set(p).size !== r) {
    throw new ShapeError(
      `transpose: perm ${fmtShape(perm ?? [])} is not a permutation of 0..${r - 1}`,
    );
  }
  const st = stridesOf(x.shape);
  const shape = p.map((a) => x.shape[a]);
  const out = stridedCopy(x, shape, p.map((a) => st[a]), 0, "transpose");
  const inv = new Array<number>(r);
  p.forEach((a, i) => (inv[a] = i));
  return record(out, [x], (g) => [transpose(g, inv)]);
}

/**
 * Broadcasts to `shape` (NumPy rules), materialising the copy.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { broadcastTo } from "./shape.ts";
 * await broadcastTo(tensor([1, 2]), [2, 2]).toArray(); // [[1, 2], [1, 2]]
 * ```
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const s = checkShape(shape, "broadcastTo");
  const b = broadcastShapes(x.shape, s, "broadcastTo");
  if (!sameShape(b, s)) {
    throw new ShapeError(`broadcastTo: ${fmtShape(x.shape)} cannot be broadcast to ${fmtShape(s)}`);
  }
  if (sameShape(x.shape, s)) return reshape(x, s);
  const out = stridedCopy(x, s, broadcastStrides(x.shape, s), 0, "broadcastTo");
  return record(out, [x], (g) => [sumToShape(g, x.shape)]);
}

/**
 * Inserts a size-1 axis at `axis`.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { expandDims } from "./shape.ts";
 * expandDims(tensor([1, 2]), 0).shape; // [1, 2]
 * ```
 */
export function expandDims(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.rank + 1, "expandDims");
  const s = [...x.shape];
  s.splice(a, 0, 1);
  return reshape(x, s);
}

/**
 * Removes size-1 axes (all of them, or the given ones, which must have size 1).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { squeeze } from "./shape.ts";
 * squeeze(tensor([[1], [2]])).shape; // [2]
 * ```
 */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const ax = axes === undefined
    ? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))
    : normAxes(axes, x.rank, "squeeze");
  for (const a of ax) {
    if (x.shape[a] !== 1) {
      throw new ShapeError(
        `squeeze: axis ${a} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`,
      );
    }
  }
  return reshape(x, x.shape.filter((_, i) => !ax.includes(i)));
}

/**
 * NumPy-style slicing: per axis `[start, end)` with optional step (negative indices count from
 * the end; `undefined` end = to the end). Axes not listed are kept whole.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { slice } from "./shape.ts";
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * await slice(x, [[0, 2], [1, 3]]).toArray(); // [[2, 3], [5, 6]]
 * await slice(x, [[1, 2], [0, 3, 2]]).toArray(); // [[4, 6]]
 * ```
 */
export function slice(
  x: Tensor,
  ranges: readonly (readonly [number, number?, number?] | null)[],
): Tensor {
  if (ranges.length > x.rank) {
    throw new ShapeError(`slice: ${ranges.length} ranges for a tensor of rank ${x.rank}`);
  }
  const st = stridesOf(x.shape);
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = 0;
  x.shape.forEach((n, a) => {
    const r = ranges[a];
    if (!r) {
      shape.push(n);
      strides.push(st[a]);
      return;
    }
    const step = r[2] ?? 1;
    if (!Number.isInteger(step) || step <= 0) {
      throw new InvalidArgumentError(
        `slice: step for axis ${a} must be a positive integer, got ${step}`,
      );
    }
    const norm = (v: number, name: string) => {
      if (!Number.isInteger(v)) {
        throw new InvalidArgumentError(`slice: ${name} of axis ${a} must be an integer, got ${v}`);
      }
      const u = v < 0 ? v + n : v;
      if (u < 0 || u > n) {
        throw new InvalidArgumentError(
          `slice: ${name} ${v} of axis ${a} is outside 0..${n} (size ${n})`,
        );
      }
      return u;
    };
    const start = norm(r[0], "start");
    const end = r[1] === undefined ? n : norm(r[1], "end");
    const len = Math.max(0, Math.ceil((end - start) / step));
    shape.push(len);
    strides.push(st[a] * step);
    offset += start * st[a];
  });
  const out = stridedCopy(x, shape, strides, offset, "slice");
  return record(out, [x], (g) => [sliceBackward(g, x.shape, strides, offset)]);
}

function sliceBackward(
  g: Tensor,
  shape: Shape,
  strides: readonly number[],
  offset: number,
): Tensor {
  const out = scatterInto(zeros(shape, g.dtype), g, strides, offset);
  return record(out, [g], (gg) => [stridedCopy(gg, g.shape, strides, offset, "slice")]);
}

/**
 * Joins tensors along an existing axis.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { concat } from "./shape.ts";
 * await concat([tensor([[1]]), tensor([[2], [3]])], 0).toArray(); // [[1], [2], [3]]
 * ```
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new InvalidArgumentError("concat: needs at least one tensor, got 0");
  const first = xs[0];
  const a = normAxis(axis, first.rank, "concat");
  for (const t of xs) {
    if (t.dtype !== first.dtype) {
      throw new DtypeError(`concat: dtypes differ (${first.dtype} vs ${t.dtype})`);
    }
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(
        `concat: shapes ${fmtShape(first.shape)} and ${fmtShape(t.shape)} differ outside axis ${a}`,
      );
    }
  }
  const shape = [...first.shape];
  shape[a] = xs.reduce((s, t) => s + t.shape[a], 0);
  const out = Tensor.empty(shape, first.dtype, "concat");
  const st = stridesOf(shape);
  let at = 0;
  const starts: number[] = [];
  for (const t of xs) {
    starts.push(at);
    if (t.size > 0) scatterInto(out, t, st, at * st[a]);
    at += t.shape[a];
  }
  return record(out, [...xs], (g) =>
    xs.map((t, i) => {
      const r: ([number, number] | null)[] = shape.map(() => null);
      r[a] = [starts[i], starts[i] + t.shape[a]];
      return slice(g, r);
    }));
}

/**
 * Stacks same-shaped tensors along a new axis.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { stack } from "./shape.ts";
 * stack([tensor([1, 2]), tensor([3, 4])], 1).shape; // [2, 2]
 * ```
 */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new InvalidArgumentError("stack: needs at least one tensor, got 0");
  for (const t of xs) {
    if (!sameShape(t.shape, xs[0].shape)) {
      throw new ShapeError(
        `stack: shapes ${fmtShape(xs[0].shape)} and ${fmtShape(t.shape)} differ`,
      );
    }
  }
  const a = normAxis(axis, xs[0].rank + 1, "stack");
  return composite(() => concat(xs.map((t) => expandDims(t, a)), a));
}

/**
 * Gathers slices along `axis` at integer `indices` (i32 or u32; negative wrap). The result has
 * shape x.shape[:axis] + indices.shape + x.shape[axis+1:]. Out-of-range indices give NaN (f32).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { take } from "./shape.ts";
 * const x = tensor([[1, 2], [3, 4], [5, 6]]);
 * await take(x, tensor([2, 0], "i32")).toArray(); // [[5, 6], [1, 2]]
 * ```
 */
export function take(x: Tensor, indices: Tensor, axis = 0): Tensor {
  const rt = checkOperands("take", x, indices);
  if (indices.dtype === "f32") {
    throw new DtypeError('take: indices must be i32 or u32, got f32 (use astype(idx, "i32"))');
  }
  const a = normAxis(axis, x.rank, "take");
  const pre = sizeOf(x.shape.slice(0, a));
  const post = sizeOf(x.shape.slice(a + 1));
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  const out = Tensor.empty(shape, x.dtype, "take");
  const w = paramWords();
  w.u[0] = out.size;
  w.u[1] = x.shape[a];
  w.u[2] = post;
  w.u[3] = indices.size;
  rt.dispatch(
    gatherK(x.dtype, indices.dtype),
    [x.buffer("take"), indices.buffer("take")],
    [out.buffer()],
    w.u,
    grid(out.size),
  );
  return record(out, [x], (g) => {
    // d/dx: scatter-add of g into x's shape, as a one-hot matmul: [axisLen, nIdx] @ [pre, nIdx, post].
    const oh = transpose(oneHot(reshape(indices, [indices.size]), x.shape[a]));
    const g3 = reshape(g, [pre, indices.size, post]);
    return [reshape(matmul(oh, g3), x.shape)];
  });
}

/**
 * One-hot f32 encoding of integer class indices: shape indices.shape + [classes]. Rows of
 * out-of-range indices are all zero (as in jax.nn.one_hot).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { oneHot } from "./shape.ts";
 * await oneHot(tensor([0, 2], "i32"), 3).toArray(); // [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export function oneHot(indices: Tensor, classes: number): Tensor {
  const rt = checkOperands("oneHot", indices);
  if (indices.dtype === "f32") throw new DtypeError("oneHot: indices must be i32 or u32, got f32");
  if (!Number.isInteger(classes) || classes < 1) {
    throw new InvalidArgumentError(`oneHot: classes must be a positive integer, got ${classes}`);
  }
  const out = Tensor.empty([...indices.shape, classes], "f32", "oneHot");
  const w = paramWords();
  w.u[0] = out.size;
  w.u[1] = classes;
  rt.dispatch(
    oneHotK(indices.dtype),
    [indices.buffer("oneHot")],
    [out.buffer()],
    w.u,
    grid(out.size),
  );
  return out;
}

/**
 * Inclusive cumulative sum along `axis` (`reverse` sums from the end).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { cumsum } from "./shape.ts";
 * await cumsum(tensor([1, 2, 3])).read(); // Float32Array [1, 3, 6]
 * ```
 */
export function cumsum(x: Tensor, axis = -1, reverse = false): Tensor {
  const rt = checkOperands("cumsum", x);
  const a = normAxis(axis, Math.max(x.rank, 1), "cumsum");
  const shape = x.rank === 0 ? [1] : x.shape;
  const post = sizeOf(shape.slice(a + 1));
  const len = shape[a];
  const lines = len === 0 ? 0 : x.size / len;
  const out = Tensor.empty(x.shape, x.dtype, "cumsum");
  const w = paramWords();
  w.u[0] = lines;
  w.u[1] = len;
  w.u[2] = post;
  w.u[3] = reverse ? 1 : 0;
  for (let j0 = 0; j0 === 0 || j0 < len; j0 += CUMSUM_CHUNK) {
    w.u[4] = j0; // later chunks continue from the stored running sum
    rt.dispatch(cumsumK(x.dtype), [x.buffer("cumsum")], [out.buffer()], w.u, grid(lines));
  }
  return record(out, [x], (g) => [cumsum(g, axis, !reverse)]);
}
