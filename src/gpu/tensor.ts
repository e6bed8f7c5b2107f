/**
 * The Tensor: an n-dimensional array living in a GPU buffer, plus `scope` for freeing
 * intermediates.
 *
 * Tensors are immutable and contiguous (row-major). `reshape` shares storage; every other op
 * writes a new buffer. Memory is explicit: `dispose()` (or `using`) returns the buffer to the
 * pool, `scope(fn)` disposes everything created inside `fn` except what it returns. A tensor
 * that is garbage-collected without being disposed is returned to the pool by a finalizer, as a
 * safety net only.
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * using t = tensor([[1, 2], [3, 4]]);
 * console.log(t.shape, await t.read()); // [2, 2] Float32Array [1, 2, 3, 4]
 * ```
 * @module
 */
import { DeviceMismatchError, DisposedError, InvalidArgumentError } from "../errors.ts";
import type { PooledBuffer } from "./buffer_pool.ts";
import { type AnyTypedArray, checkDtype, type DType, dtypeOfArray, viewAs } from "./dtype.ts";
import { checkShape, fmtShape, type Shape, sizeOf } from "./shape.ts";
import { type Runtime, runtime } from "./runtime.ts";
import { isRecording } from "./tape.ts";

/** Storage shared by a tensor and its reshapes; freed when the last holder is disposed. */
class Storage {
  refs = 1;
  constructor(readonly rt: Runtime, readonly buf: PooledBuffer) {}
  release(): void {
    if (--this.refs === 0) this.rt.pool.release(this.buf);
  }
}

/** Autodiff bookkeeping attached to a tensor produced while a gradient trace is active. */
export interface GradNode {
  /** The inputs this tensor was computed from (null for inputs that need no gradient). */
  readonly inputs: readonly (Tensor | null)[];
  /** Maps the cotangent of this tensor to cotangents of `inputs`. */
  readonly vjp: ((g: Tensor) => readonly (Tensor | null)[]) | null;
  /** The outermost active trace this tensor depends on. */
  readonly trace: Trace;
}

/** One active `grad`/`vjp` call. */
export interface Trace {
  /** Nesting depth (0 = outermost). */
  readonly depth: number;
  /** False once the call that opened it has returned. */
  active: boolean;
}

const finalizer = new FinalizationRegistry<Storage>((s) => s.release());

let nextId = 1;

/**
 * An immutable n-dimensional array on the GPU.
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * const t = tensor([1, 2, 3], "i32");
 * console.log(t.shape, t.dtype, t.size); // [3] "i32" 3
 * t.dispose();
 * ```
 */
export class Tensor {
  /** Dimension sizes. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** A process-unique id (for debugging and autodiff bookkeeping). */
  readonly id: number = nextId++;
  /** Autodiff node; set only while a gradient trace is active. */
  node: GradNode | null = null;
  #storage: Storage | null;

  /** @internal Wraps storage; use {@link tensor}, `zeros`, ops, ... to create tensors. */
  constructor(storage: Storage, shape: readonly number[], dtype: DType) {
    this.#storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    finalizer.register(this, storage, this);
    trackInScope(this);
  }

  /** @internal Allocates an uninitialised tensor on the default runtime. */
  static empty(shape: Shape, dtype: DType, where = "tensor", forUpload = false): Tensor {
    const rt = runtime();
    const buf = rt.alloc(sizeOf(shape) * 4, where, forUpload);
    return new Tensor(new Storage(rt, buf), shape, dtype);
  }

  /** Rank (number of dimensions). */
  get rank(): number {
    return this.shape.length;
  }

  /** True after `dispose()`. */
  get disposed(): boolean {
    return this.#storage === null;
  }

  /** @internal The runtime owning this tensor (throws if disposed). */
  get runtime(): Runtime {
    return this.#live("use").rt;
  }

  /** @internal The pooled buffer (throws a DisposedError if disposed). */
  buffer(where = "use"): PooledBuffer {
    return this.#live(where).buf;
  }

  #live(where: string): Storage {
    const s = this.#storage;
    if (!s) {
      throw new DisposedError(
        `${where}: tensor #${this.id} (shape ${fmtShape(this.shape)}, ${this.dtype}) was disposed`,
      );
    }
    return s;
  }

  /** @internal A new tensor of another shape sharing this storage (same element count). */
  view(shape: Shape): Tensor {
    const s = this.#live("reshape");
    s.refs++;
    return new Tensor(s, shape, this.dtype);
  }

  /** Copies the elements back to the host as a typed array (the only await in most scripts). */
  async read(): Promise<AnyTypedArray> {
    const s = this.#live("read");
    const bytes = await s.rt.read(s.buf, this.size * 4);
    return viewAs(this.dtype, bytes, this.size);
  }

  /** Copies the elements back as nested arrays (a number for rank 0). */
  async toArray(): Promise<NestedArray> {
    return nest(Array.from(await this.read()), this.shape);
  }

  /** Copies back a rank-0 or size-1 tensor as a number. */
  async item(): Promise<number> {
    if (this.size !== 1) {
      throw new InvalidArgumentError(
        `item: expected a tensor with one element, got shape ${fmtShape(this.shape)}`,
      );
    }
    return (await this.read())[0];
  }

  /** Returns the buffer to the pool. Idempotent. */
  dispose(): void {
    const s = this.#storage;
    if (!s) return;
    this.#storage = null;
    this.node = null;
    finalizer.unregister(this);
    untrack(this);
    s.release();
  }

  /** Same as `dispose()`, so `using t = ...` frees the tensor at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A short description: `Tensor(f32, [2,3])`. */
  toString(): string {
    return `Tensor(${this.dtype}, ${fmtShape(this.shape)})`;
  }
}

/** Nested number arrays, as produced by `toArray()` and accepted by {@link tensor}. */
export type NestedArray = number | NestedArray[];

function nest(flat: number[], shape: readonly number[]): NestedArray {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  const step = sizeOf(rest);
  const out: NestedArray[] = [];
  for (let i = 0; i < d; i++) out.push(nest(flat.slice(i * step, (i + 1) * step), rest));
  return out;
}

function inferShape(data: NestedArray, where: string): number[] {
  const shape: number[] = [];
  let x: NestedArray = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    if (x.length === 0) break;
    x = x[0];
  }
  const check = (v: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== "number") {
        throw new InvalidArgumentError(`${where}: ragged nested array at ${path}`);
      }
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new InvalidArgumentError(
        `${where}: ragged nested array at ${path}: expected length ${shape[depth]}`,
      );
    }
    v.forEach((e, i) => check(e, depth + 1, `${path}[${i}]`));
  };
  check(data, 0, "data");
  return shape;
}

/**
 * Creates a tensor from a number, nested arrays, or a typed array (with an explicit shape).
 * Without `dtype`, Int32Array/Uint32Array keep their type and everything else becomes f32.
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * const a = tensor([[1, 2, 3], [4, 5, 6]]);                 // f32 [2, 3]
 * const b = tensor(new Float32Array(6), { shape: [3, 2] }); // f32 [3, 2]
 * const c = tensor(7, { dtype: "i32" });                    // i32 []
 * console.log(a.shape, b.shape, c.shape);
 * ```
 */
export function tensor(
  data: NestedArray | ArrayLike<number>,
  options: DType | { shape?: readonly number[]; dtype?: DType } = {},
): Tensor {
  const opts = typeof options === "string" ? { dtype: options } : options;
  let flat: ArrayLike<number>;
  let shape: number[];
  if (typeof data === "number") {
    flat = [data];
    shape = [];
  } else if (Array.isArray(data)) {
    shape = inferShape(data as NestedArray, "tensor");
    flat = (data as unknown[]).flat(Infinity as 1) as number[];
  } else {
    flat = data as ArrayLike<number>;
    shape = [flat.length];
  }
  if (opts.shape) {
    const s = checkShape(opts.shape, "tensor");
    if (sizeOf(s) !== flat.length) {
      throw new InvalidArgumentError(
        `tensor: shape ${fmtShape(s)} holds ${sizeOf(s)} elements but data has ${flat.length}`,
      );
    }
    shape = s;
  }
  const dtype = opts.dtype ? checkDtype(opts.dtype, "tensor") : dtypeOfArray(flat);
  return fromTypedArray(toTyped(flat, dtype), shape, dtype);
}

function toTyped(flat: ArrayLike<number>, dtype: DType): AnyTypedArray {
  if (dtype === "f32") return flat instanceof Float32Array ? flat : Float32Array.from(flat);
  if (dtype === "i32") return flat instanceof Int32Array ? flat : Int32Array.from(flat);
  return flat instanceof Uint32Array ? flat : Uint32Array.from(flat);
}

/** @internal Uploads a typed array as a new tensor. */
export function fromTypedArray(data: AnyTypedArray, shape: Shape, dtype: DType): Tensor {
  const t = Tensor.empty(shape, dtype, "tensor", true);
  t.runtime.upload(t.buffer(), data);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Scopes

const scopes: Set<Tensor>[] = [];

function trackInScope(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1].add(t);
}

function untrack(t: Tensor): void {
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].delete(t)) return;
}

/** Any value that may contain tensors: a tensor, arrays and plain records of them, or leaves. */
export type TensorTree =
  | Tensor
  | readonly TensorTree[]
  | { readonly [k: string]: TensorTree }
  | number
  | string
  | boolean
  | null
  | undefined;

/**
 * Calls `visit` on every tensor inside a (possibly nested) value.
 *
 * @example
 * ```ts
 * import { forEachTensor, tensor } from "./tensor.ts";
 * let n = 0;
 * forEachTensor({ w: tensor([1]), b: [tensor([2])] }, () => n++);
 * console.log(n); // 2
 * ```
 */
export function forEachTensor(value: unknown, visit: (t: Tensor) => void): void {
  if (value instanceof Tensor) visit(value);
  else if (Array.isArray(value)) value.forEach((v) => forEachTensor(v, visit));
  else if (
    value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const v of Object.values(value)) forEachTensor(v, visit);
  }
}

/**
 * Runs `fn` and disposes every tensor created inside it, except those in its result (which move
 * to the enclosing scope). `fn` must be synchronous.
 *
 * @example
 * ```ts
 * import { scope, tensor } from "./tensor.ts";
 * import { add, mul } from "./ops/binary.ts";
 * const x = tensor([1, 2, 3]);
 * const y = scope(() => add(mul(x, x), 1)); // the product is freed, y is kept
 * console.log(await y.read()); // Float32Array [2, 5, 10]
 * ```
 */
export function scope<T>(fn: () => T): T {
  return scoped(fn, true);
}

/**
 * @internal `scope`, optionally handing every tensor created inside to the enclosing scope
 * instead of disposing it (nested gradients need the inner intermediates later).
 */
export function scoped<T>(fn: () => T, disposeIntermediates: boolean): T {
  const set = new Set<Tensor>();
  scopes.push(set);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw new InvalidArgumentError("scope: fn must be synchronous (it returned a Promise)");
    }
  } catch (e) {
    scopes.pop();
    for (const t of set) t.dispose();
    throw e;
  }
  scopes.pop();
  const keepSet = new Set<Tensor>();
  forEachTensor(result, (t) => keepSet.add(t));
  for (const t of set) {
    if (!disposeIntermediates || keepSet.has(t)) trackInScope(t);
    else t.dispose();
  }
  return result;
}

/**
 * @internal Runs an op built from other ops. Outside a gradient trace its intermediates are
 * freed at once (as `scope` would); inside one they are kept for the backward pass and freed by
 * the gradient's own scope.
 */
export function composite(fn: () => Tensor): Tensor {
  return isRecording() ? fn() : scoped(fn, true);
}

/**
 * Removes tensors from every enclosing scope so `scope` will not dispose them.
 *
 * @example
 * ```ts
 * import { keep, scope, tensor } from "./tensor.ts";
 * let saved;
 * scope(() => { saved = keep(tensor([1])); });
 * console.log(saved!.disposed); // false
 * ```
 */
export function keep<T>(value: T): T {
  forEachTensor(value, untrack);
  return value;
}

/**
 * A cache of kept GPU constants (index tables, masks, uploaded weights) keyed by a string: the
 * first call for a key builds the value with `build` and keeps it (see {@link keep}); later
 * calls return it while every tensor in it is live on the default runtime, and rebuild it once
 * one was disposed or belongs to a replaced runtime. Hot loops then upload such tables once,
 * not every step.
 *
 * @example
 * ```ts
 * import { keptCache, scope, tensor } from "./tensor.ts";
 * const tables = keptCache<{ idx: ReturnType<typeof tensor> }>();
 * let builds = 0;
 * const get = () => tables("n=3", () => (builds++, { idx: tensor([0, 1, 2]) }));
 * const a = scope(() => get()); // survives the scope
 * console.log(get() === a, builds); // true 1
 * ```
 */
export function keptCache<T>(): (key: string, build: () => T) => T {
  const cache = new Map<string, T>();
  return (key, build) => {
    const hit = cache.get(key);
    if (hit !== undefined && isLive(hit)) return hit;
    const fresh = keep(build());
    cache.set(key, fresh);
    return fresh;
  };
}

/** True when no tensor in `value` is disposed or owned by a runtime other than the default. */
function isLive(value: unknown): boolean {
  let live = true;
  forEachTensor(value, (t) => {
    if (live && (t.disposed || t.runtime !== runtime())) live = false;
  });
  return live;
}

/**
 * Disposes every tensor in a (nested) value.
 *
 * @example
 * ```ts
 * import { dispose, tensor } from "./tensor.ts";
 * const p = { w: tensor([1]), b: tensor([2]) };
 * dispose(p);
 * console.log(p.w.disposed); // true
 * ```
 */
export function dispose(value: unknown): void {
  forEachTensor(value, (t) => t.dispose());
}

/**
 * Checks that every operand lives on the default runtime and is not disposed.
 *
 * @internal
 */
export function checkOperands(where: string, ...ts: Tensor[]): Runtime {
  const rt = runtime();
  for (const t of ts) {
    if (t.runtime !== rt) {
      throw new DeviceMismatchError(
        `${where}: tensor #${t.id} ${fmtShape(t.shape)} belongs to another GPU runtime ` +
          `(created before init() was called again)`,
      );
    }
  }
  rt.checkHealthy();
  return rt;
}
