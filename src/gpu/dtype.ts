/**
 * Element types a {@link Tensor} may hold, and their host/WGSL counterparts.
 *
 * @example
 * ```ts
 * import { wgslType } from "./dtype.ts";
 * console.log(wgslType("f32")); // "f32"
 * ```
 * @module
 */
import { DtypeError } from "../errors.ts";

/** The element types gpusci tensors hold: 32-bit float, signed and unsigned integers. */
export type DType = "f32" | "i32" | "u32";

/** The typed array that holds a host copy of a tensor of dtype `D`. */
export type TypedArrayFor<D extends DType> = D extends "f32" ? Float32Array
  : D extends "i32" ? Int32Array
  : Uint32Array;

/** Any of the typed arrays gpusci reads and writes. */
export type AnyTypedArray = Float32Array | Int32Array | Uint32Array;

const DTYPES: readonly DType[] = ["f32", "i32", "u32"];

/**
 * Checks that `value` is a dtype name and returns it typed.
 *
 * @example
 * ```ts
 * import { checkDtype } from "./dtype.ts";
 * checkDtype("i32", "zeros"); // "i32"
 * ```
 */
export function checkDtype(value: unknown, where: string): DType {
  if (typeof value === "string" && (DTYPES as readonly string[]).includes(value)) {
    return value as DType;
  }
  throw new DtypeError(`${where}: dtype must be one of f32, i32, u32, got ${String(value)}`);
}

/**
 * The WGSL scalar type of a dtype (the names coincide).
 *
 * @example
 * ```ts
 * import { wgslType } from "./dtype.ts";
 * wgslType("u32"); // "u32"
 * ```
 */
export function wgslType(dtype: DType): string {
  return dtype;
}

/**
 * Allocates a zeroed typed array of `n` elements for a dtype.
 *
 * @example
 * ```ts
 * import { typedArrayFor } from "./dtype.ts";
 * typedArrayFor("i32", 3); // Int32Array [0, 0, 0]
 * ```
 */
export function typedArrayFor(dtype: DType, n: number): AnyTypedArray {
  switch (dtype) {
    case "f32":
      return new Float32Array(n);
    case "i32":
      return new Int32Array(n);
    case "u32":
      return new Uint32Array(n);
  }
}

/**
 * Views an ArrayBuffer as the typed array of a dtype.
 *
 * @example
 * ```ts
 * import { viewAs } from "./dtype.ts";
 * viewAs("f32", new ArrayBuffer(8)).length; // 2
 * ```
 */
export function viewAs(dtype: DType, buf: ArrayBuffer, length?: number): AnyTypedArray {
  switch (dtype) {
    case "f32":
      return new Float32Array(buf, 0, length);
    case "i32":
      return new Int32Array(buf, 0, length);
    case "u32":
      return new Uint32Array(buf, 0, length);
  }
}

/**
 * The dtype of a typed array (Float64Array and plain arrays map to f32).
 *
 * @example
 * ```ts
 * import { dtypeOfArray } from "./dtype.ts";
 * dtypeOfArray(new Int32Array(2)); // "i32"
 * ```
 */
export function dtypeOfArray(a: ArrayLike<number>): DType {
  if (a instanceof Int32Array) return "i32";
  if (a instanceof Uint32Array) return "u32";
  return "f32";
}
