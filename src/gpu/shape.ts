/**
 * Shape arithmetic: validation, sizes, strides, NumPy broadcasting, axis normalisation.
 *
 * @example
 * ```ts
 * import { broadcastShapes } from "./shape.ts";
 * broadcastShapes([3, 1], [4], "add"); // [3, 4]
 * ```
 * @module
 */
import { AxisError, InvalidArgumentError, ShapeError } from "../errors.ts";

/** A tensor shape: a list of non-negative integer dimension sizes. */
export type Shape = readonly number[];

/**
 * Formats a shape for messages: `[2,3]`.
 *
 * @example
 * ```ts
 * import { fmtShape } from "./shape.ts";
 * fmtShape([2, 3]); // "[2,3]"
 * ```
 */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/**
 * Validates a shape (integers >= 0) and returns a frozen copy.
 *
 * @example
 * ```ts
 * import { checkShape } from "./shape.ts";
 * checkShape([2, 0, 5], "zeros"); // [2, 0, 5]
 * ```
 */
export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape)) {
    throw new InvalidArgumentError(`${where}: shape must be an array of integers, got ${shape}`);
  }
  shape.forEach((d, i) => {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(
        `${where}: shape[${i}] must be a non-negative integer, got ${String(d)}`,
      );
    }
  });
  return [...shape];
}

/**
 * Number of elements of a shape.
 *
 * @example
 * ```ts
 * import { sizeOf } from "./shape.ts";
 * sizeOf([2, 3]); // 6
 * ```
 */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Row-major (C-order) strides of a shape, in elements.
 *
 * @example
 * ```ts
 * import { stridesOf } from "./shape.ts";
 * stridesOf([2, 3, 4]); // [12, 4, 1]
 * ```
 */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * The NumPy broadcast of two shapes; throws a ShapeError naming both otherwise.
 *
 * @example
 * ```ts
 * import { broadcastShapes } from "./shape.ts";
 * broadcastShapes([2, 1, 3], [5, 1], "mul"); // [2, 5, 3]
 * ```
 */
export function broadcastShapes(a: Shape, b: Shape, where: string): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${where}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast ` +
          `(dim ${i} of the result: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides (in elements) for reading a tensor of `shape` as if broadcast to `target`
 * (0 on broadcast dims).
 *
 * @example
 * ```ts
 * import { broadcastStrides } from "./shape.ts";
 * broadcastStrides([3, 1], [2, 3, 4]); // [0, 1, 0]
 * ```
 */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const st = stridesOf(shape);
  const off = target.length - shape.length;
  return target.map((_, i) => {
    const j = i - off;
    if (j < 0) return 0;
    return shape[j] === 1 ? 0 : st[j];
  });
}

/**
 * Normalises one axis (negative counts from the end) or throws an AxisError.
 *
 * @example
 * ```ts
 * import { normAxis } from "./shape.ts";
 * normAxis(-1, 3, "sum"); // 2
 * ```
 */
export function normAxis(axis: number, rank: number, where: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new AxisError(
      `${where}: axis ${axis} is out of range for rank ${rank} (expected ${-rank}..${rank - 1})`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Normalises a list of axes (undefined = all), sorted, rejecting repeats.
 *
 * @example
 * ```ts
 * import { normAxes } from "./shape.ts";
 * normAxes([-1, 0], 3, "sum"); // [0, 2]
 * ```
 */
export function normAxes(
  axes: number | readonly number[] | undefined,
  rank: number,
  where: string,
) {
  if (axes === undefined) return [...Array(rank).keys()];
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normAxis(a, rank, where)).sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1]) throw new AxisError(`${where}: axis ${out[i]} repeated in ${list}`);
  }
  return out;
}

/**
 * True when two shapes are identical.
 *
 * @example
 * ```ts
 * import { sameShape } from "./shape.ts";
 * sameShape([2, 3], [2, 3]); // true
 * ```
 */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
