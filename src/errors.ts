/**
 * Typed errors shared by every gpusci module (DESIGN.md principle 6).
 *
 * Each error names the field or operand at fault, the value it got and what was
 * expected, so a user can fix the call without reading the source.
 *
 * @example
 * ```ts
 * import { GpusciError, ShapeError } from "./errors.ts";
 * try {
 *   throw new ShapeError("add: shapes [2,3] and [4] do not broadcast");
 * } catch (e) {
 *   console.log(e instanceof GpusciError, (e as Error).name); // true "ShapeError"
 * }
 * ```
 * @module
 */

/**
 * Base class of every error gpusci throws on purpose.
 *
 * @example
 * ```ts
 * import { GpusciError } from "./errors.ts";
 * const e = new GpusciError("something went wrong");
 * console.log(e.name); // "GpusciError"
 * ```
 */
export class GpusciError extends Error {
  /** Creates the error; `name` is set to the concrete class name. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Operand shapes that do not fit the operation (both shapes are named).
 *
 * @example
 * ```ts
 * import { ShapeError } from "./errors.ts";
 * new ShapeError("matmul: inner dims differ, a [2,3] and b [4,5]");
 * ```
 */
export class ShapeError extends GpusciError {}

/**
 * A dtype the operation does not accept, or two operands of different dtypes.
 *
 * @example
 * ```ts
 * import { DtypeError } from "./errors.ts";
 * new DtypeError("exp: expected f32, got i32");
 * ```
 */
export class DtypeError extends GpusciError {}

/**
 * An axis outside [-rank, rank) or repeated.
 *
 * @example
 * ```ts
 * import { AxisError } from "./errors.ts";
 * new AxisError("sum: axis 3 is out of range for rank 2 (expected -2..1)");
 * ```
 */
export class AxisError extends GpusciError {}

/**
 * An argument or config field with an invalid value (names field, value, expectation).
 *
 * @example
 * ```ts
 * import { InvalidArgumentError } from "./errors.ts";
 * new InvalidArgumentError("zeros: shape[1] must be a non-negative integer, got -2");
 * ```
 */
export class InvalidArgumentError extends GpusciError {}

/**
 * A tensor used after `dispose()`.
 *
 * @example
 * ```ts
 * import { DisposedError } from "./errors.ts";
 * new DisposedError("add: operand a (shape [3]) was disposed");
 * ```
 */
export class DisposedError extends GpusciError {}

/**
 * Tensors from two different GPU devices mixed in one operation.
 *
 * @example
 * ```ts
 * import { DeviceMismatchError } from "./errors.ts";
 * new DeviceMismatchError("add: operands live on different devices");
 * ```
 */
export class DeviceMismatchError extends GpusciError {}

/**
 * A buffer larger than the device allows.
 *
 * @example
 * ```ts
 * import { BufferTooLargeError } from "./errors.ts";
 * new BufferTooLargeError("zeros: 4294967296 bytes exceeds the device limit of 2147483648");
 * ```
 */
export class BufferTooLargeError extends GpusciError {}

/**
 * No WebGPU adapter on this machine; the message says how to get one.
 *
 * @example
 * ```ts
 * import { NoAdapterError } from "./errors.ts";
 * new NoAdapterError("no WebGPU adapter: install mesa-vulkan-drivers");
 * ```
 */
export class NoAdapterError extends GpusciError {}

/**
 * The GPU device was lost (driver reset, out of memory, destroyed).
 *
 * @example
 * ```ts
 * import { DeviceLostError } from "./errors.ts";
 * new DeviceLostError("GPU device lost: destroyed");
 * ```
 */
export class DeviceLostError extends GpusciError {}

/**
 * WebGPU reported a validation or out-of-memory error for earlier work.
 *
 * @example
 * ```ts
 * import { GpuValidationError } from "./errors.ts";
 * new GpuValidationError("WebGPU error: buffer too small");
 * ```
 */
export class GpuValidationError extends GpusciError {}

/**
 * A matrix that should be symmetric positive definite is not (suggests a diagReg).
 *
 * @example
 * ```ts
 * import { NotPositiveDefiniteError } from "./errors.ts";
 * new NotPositiveDefiniteError("cholesky: pivot 12 is -3e-7; add diagReg (e.g. 1e-4)");
 * ```
 */
export class NotPositiveDefiniteError extends GpusciError {}

/**
 * A name (experiment, dataset, operation) that is not registered.
 *
 * @example
 * ```ts
 * import { UnknownNameError } from "./errors.ts";
 * new UnknownNameError('unknown dataset "mnits"; expected one of: mnist, moons');
 * ```
 */
export class UnknownNameError extends GpusciError {}

/**
 * Autodiff misuse: non-scalar output to `grad`, non-float inputs, mismatched trees.
 *
 * @example
 * ```ts
 * import { GradError } from "./errors.ts";
 * new GradError("grad: f must return a scalar, got shape [3]");
 * ```
 */
export class GradError extends GpusciError {}

/**
 * Non-finite values where the algorithm cannot continue (reported, not zeroed).
 *
 * @example
 * ```ts
 * import { NonFiniteError } from "./errors.ts";
 * new NonFiniteError("pes: outer loss is NaN at iteration 12");
 * ```
 */
export class NonFiniteError extends GpusciError {}
