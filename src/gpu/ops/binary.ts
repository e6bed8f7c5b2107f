/**
 * Elementwise binary ops with NumPy broadcasting, `where`, and dtype casts.
 *
 * Either operand may be a JS number; it then travels in the dispatch's uniform block (no
 * upload). Operands must share a dtype: nothing is promoted implicitly.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { add, mul } from "./binary.ts";
 * const x = tensor([[1, 2, 3]]);
 * const y = tensor([[10], [20]]);
 * console.log(await add(x, y).toArray()); // [[11, 12, 13], [21, 22, 23]]
 * console.log(await mul(2, x).read());   // Float32Array [2, 4, 6]
 * ```
 * @module
 */
import { DtypeError, InvalidArgumentError } from "../../errors.ts";
import { checkDtype, type DType } from "../dtype.ts";
import {
  binaryFlatKernel,
  type BinaryOp,
  binaryStridedKernel,
  castKernel,
  FLOAT_ONLY_BINARY,
  whereKernel,
} from "../kernels/elementwise.ts";
import { collapseDims, memoKernel, packDims, paramWords } from "../kernels/indexing.ts";
import { grid } from "../runtime.ts";
import { broadcastShapes, broadcastStrides, fmtShape, sameShape } from "../shape.ts";
import { record } from "../tape.ts";
import { checkOperands, Tensor } from "../tensor.ts";
import { log, neg, square } from "./unary.ts";
import { valueBits } from "./creation.ts";
import { sumToShape } from "./reduce.ts";

const flatK = memoKernel(binaryFlatKernel);
const stridedK = memoKernel(binaryStridedKernel);
const whereK = memoKernel(whereKernel);
const castK = memoKernel(castKernel);

/** A tensor or a JS number (a scalar of the other operand's dtype). */
export type TensorOrScalar = Tensor | number;

/** @internal A binary op without gradient recording. */
export function binaryRaw(op: BinaryOp, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (typeof a === "number" && typeof b === "number") {
    throw new InvalidArgumentError(`${op}: at least one operand must be a Tensor, got two numbers`);
  }
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  const rt = checkOperands(op, ...[ta, tb].filter((t): t is Tensor => t !== null));
  const dtype = (ta ?? tb)!.dtype;
  if (ta && tb && ta.dtype !== tb.dtype) {
    throw new DtypeError(
      `${op}: operands have different dtypes, a ${ta.dtype} ${fmtShape(ta.shape)} and b ` +
        `${tb.dtype} ${fmtShape(tb.shape)} (cast one with astype)`,
    );
  }
  if (dtype !== "f32" && FLOAT_ONLY_BINARY.has(op)) {
    throw new DtypeError(`${op}: expected f32 operands, got ${dtype}`);
  }
  const w = paramWords();
  if (!ta || !tb) {
    const t = (ta ?? tb)!;
    const out = Tensor.empty(t.shape, dtype, op);
    const n4 = Math.ceil(t.size / 4);
    w.u[0] = n4;
    w.u[1] = valueBits((ta ? b : a) as number, dtype, op);
    rt.dispatch(flatK(op, dtype, ta ? "ts" : "st"), [t.buffer(op)], [out.buffer()], w.u, grid(n4));
    return out;
  }
  if (sameShape(ta.shape, tb.shape)) {
    const out = Tensor.empty(ta.shape, dtype, op);
    const n4 = Math.ceil(ta.size / 4);
    w.u[0] = n4;
    rt.dispatch(
      flatK(op, dtype, "tt"),
      [ta.buffer(op), tb.buffer(op)],
      [out.buffer()],
      w.u,
      grid(n4),
    );
    return out;
  }
  const shape = broadcastShapes(ta.shape, tb.shape, op);
  const out = Tensor.empty(shape, dtype, op);
  const c = collapseDims(shape, [
    broadcastStrides(ta.shape, shape),
    broadcastStrides(tb.shape, shape),
  ]);
  w.u[0] = out.size;
  packDims(w.u, 4, c.shape);
  packDims(w.u, 12, c.strides[0]);
  packDims(w.u, 20, c.strides[1]);
  rt.dispatch(
    stridedK(op, dtype, c.shape.length),
    [ta.buffer(op), tb.buffer(op)],
    [out.buffer()],
    w.u,
    grid(out.size),
  );
  return out;
}

function binary(
  op: BinaryOp,
  a: TensorOrScalar,
  b: TensorOrScalar,
  da: ((g: Tensor) => Tensor) | null,
  db: ((g: Tensor) => Tensor) | null,
): Tensor {
  const out = binaryRaw(op, a, b);
  const inputs: Tensor[] = [];
  const fns: ((g: Tensor) => Tensor)[] = [];
  if (a instanceof Tensor && da) {
    inputs.push(a);
    fns.push((g) => sumToShape(da(g), a.shape));
  }
  if (b instanceof Tensor && db) {
    inputs.push(b);
    fns.push((g) => sumToShape(db(g), b.shape));
  }
  if (inputs.length === 0) return out;
  return record(out, inputs, (g) => fns.map((f) => f(g)));
}

/**
 * a + b with broadcasting.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { add } from "./binary.ts";
 * await add(tensor([1, 2]), 1).read(); // Float32Array [2, 3]
 * ```
 */
export function add(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary("add", a, b, (g) => g, (g) => g);
}

/**
 * a - b with broadcasting.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { sub } from "./binary.ts";
 * await sub(1, tensor([1, 2])).read(); // Float32Array [0, -1]
 * ```
 */
export function sub(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary("sub", a, b, (g) => g, (g) => neg(g));
}

/**
 * a * b with broadcasting.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { mul } from "./binary.ts";
 * await mul(tensor([1, 2]), tensor([3, 4])).read(); // Float32Array [3, 8]
 * ```
 */
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary("mul", a, b, (g) => mul(g, b), (g) => mul(g, a));
}

/**
 * a / b with broadcasting (integer division truncates for i32/u32).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { div } from "./binary.ts";
 * await div(tensor([1, 2]), 2).read(); // Float32Array [0.5, 1]
 * ```
 */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary(
    "div",
    a,
    b,
    (g) => div(g, b),
    (g) => neg(div(mul(g, a), typeof b === "number" ? b * b : square(b))),
  );
}

/**
 * a ** b elementwise with NumPy semantics (negative base allowed for integer exponents).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { pow } from "./binary.ts";
 * await pow(tensor([-2, 3]), 2).read(); // Float32Array [4, 9]
 * ```
 */
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binary(
    "pow",
    a,
    b,
    (g) => mul(g, mul(b, typeof b === "number" ? pow(a, b - 1) : pow(a, sub(b, 1)))),
    (g) => mul(g, mul(pow(a, b), typeof a === "number" ? Math.log(a) : log(a))),
  );
}

function pick(op: "maximum" | "minimum", a: TensorOrScalar, b: TensorOrScalar): Tensor {
  // Gradient goes to the selected operand (to a on ties).
  const cmp = op === "maximum" ? "greaterEqual" : "lessEqual";
  return binary(
    op,
    a,
    b,
    (g) => mul(g, binaryRaw(cmp, a, b)),
    (g) => mul(g, binaryRaw("sub", 1, binaryRaw(cmp, a, b))),
  );
}

/**
 * Elementwise maximum (NaN propagates).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { maximum } from "./binary.ts";
 * await maximum(tensor([1, 5]), 3).read(); // Float32Array [3, 5]
 * ```
 */
export function maximum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return pick("maximum", a, b);
}

/**
 * Elementwise minimum (NaN propagates).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { minimum } from "./binary.ts";
 * await minimum(tensor([1, 5]), 3).read(); // Float32Array [1, 3]
 * ```
 */
export function minimum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return pick("minimum", a, b);
}

/**
 * Elementwise atan2(a, b).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { atan2 } from "./binary.ts";
 * await atan2(tensor([1]), tensor([1])).read(); // Float32Array [0.785]
 * ```
 */
export function atan2(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const sq = (v: TensorOrScalar) => (typeof v === "number" ? v * v : square(v));
  return binary(
    "atan2",
    a,
    b,
    (g) => div(mul(g, b), add(sq(a), sq(b))),
    (g) => neg(div(mul(g, a), add(sq(a), sq(b)))),
  );
}

/**
 * Floored modulo for f32 (sign of b, like NumPy), truncated `%` for integers. No gradient.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { mod } from "./binary.ts";
 * await mod(tensor([5, -1]), 3).read(); // Float32Array [2, 2]
 * ```
 */
export function mod(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binaryRaw("mod", a, b);
}

function comparison(op: BinaryOp) {
  return (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryRaw(op, a, b);
}

/**
 * 1 where a == b else 0, in the operands' dtype.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { equal } from "./binary.ts";
 * await equal(tensor([1, 2]), 2).read(); // Float32Array [0, 1]
 * ```
 */
export const equal: (a: TensorOrScalar, b: TensorOrScalar) => Tensor = comparison("equal");
/**
 * 1 where a != b else 0.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { notEqual } from "./binary.ts";
 * await notEqual(tensor([1, 2]), 2).read(); // Float32Array [1, 0]
 * ```
 */
export const notEqual: (a: TensorOrScalar, b: TensorOrScalar) => Tensor = comparison("notEqual");
/**
 * 1 where a < b else 0.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { less } from "./binary.ts";
 * await less(tensor([1, 2]), 2).read(); // Float32Array [1, 0]
 * ```
 */
export const less: (a: TensorOrScalar, b: TensorOrScalar) => Tensor = comparison("less");
/**
 * 1 where a <= b else 0.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { lessEqual } from "./binary.ts";
 * await lessEqual(tensor([1, 3]), 2).read(); // Float32Array [1, 0]
 * ```
 */
export const lessEqual: (a: TensorOrScalar, b: TensorOrScalar) => Tensor = comparison("lessEqual");
/**
 * 1 where a > b else 0.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { greater } from "./binary.ts";
 * await greater(tensor([1, 3]), 2).read(); // Float32Array [0, 1]
 * ```
 */
export const greater: (a: TensorOrScalar, b: TensorOrScalar) => Tensor = comparison("greater");
/**
 * 1 where a >= b else 0.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { greaterEqual } from "./binary.ts";
 * await greaterEqual(tensor([1, 2]), 2).read(); // Float32Array [0, 1]
 * ```
 */
export const greaterEqual: (a: TensorOrScalar, b: TensorOrScalar) => Tensor = comparison(
  "greaterEqual",
);

/**
 * Picks `a` where `cond` is nonzero, else `b`; all three broadcast together. Gradients flow to
 * `a` and `b` through the mask.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { where } from "./binary.ts";
 * await where(tensor([1, 0]), tensor([1, 2]), tensor([9, 9])).read(); // Float32Array [1, 9]
 * ```
 */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const rt = checkOperands("where", cond, a, b);
  if (a.dtype !== b.dtype) {
    throw new DtypeError(
      `where: a ${a.dtype} ${fmtShape(a.shape)} and b ${b.dtype} ${
        fmtShape(b.shape)
      } differ in dtype`,
    );
  }
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape, "where"), b.shape, "where");
  const out = Tensor.empty(shape, a.dtype, "where");
  const c = collapseDims(
    shape,
    [cond.shape, a.shape, b.shape].map((s) => broadcastStrides(s, shape)),
  );
  const w = paramWords();
  w.u[0] = out.size;
  packDims(w.u, 4, c.shape);
  packDims(w.u, 12, c.strides[0]);
  packDims(w.u, 20, c.strides[1]);
  packDims(w.u, 28, c.strides[2]);
  rt.dispatch(
    whereK(cond.dtype, a.dtype, c.shape.length),
    [cond.buffer("where"), a.buffer("where"), b.buffer("where")],
    [out.buffer()],
    w.u,
    grid(out.size),
  );
  return record(out, [a, b], (g) => {
    const z = binaryRaw("mul", g, 0);
    return [sumToShape(where(cond, g, z), a.shape), sumToShape(where(cond, z, g), b.shape)];
  });
}

/**
 * Converts a tensor to another dtype (f32 -> int truncates toward zero, as in C). The gradient
 * flows through f32 -> f32 only.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { astype } from "./binary.ts";
 * const i = astype(tensor([1.7, -2.2]), "i32");
 * await i.read(); // Int32Array [1, -2]
 * ```
 */
export function astype(x: Tensor, dtype: DType): Tensor {
  checkDtype(dtype, "astype");
  const rt = checkOperands("astype", x);
  const out = Tensor.empty(x.shape, dtype, "astype");
  const n4 = Math.ceil(x.size / 4);
  const w = paramWords();
  w.u[0] = n4;
  rt.dispatch(castK(x.dtype, dtype), [x.buffer("astype")], [out.buffer()], w.u, grid(n4));
  return record(out, [x], (g) => [g]);
}
