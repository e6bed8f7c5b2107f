/**
 * The runtime: one device, its command stream, pipeline cache and buffer pool.
 *
 * Ops record dispatches into one pending command encoder and reuse a single compute pass
 * (DESIGN.md principles 1-2). Per-dispatch parameters (sizes, strides, scalars) go into a
 * host-side uniform arena that is uploaded once per submission and bound with a dynamic offset,
 * so a dispatch costs no extra upload. Submission happens on read, on `flush()`, or when the
 * arena fills.
 *
 * The default runtime is created when this module is first imported (top-level await); if no
 * adapter exists, the error is kept and thrown, with instructions, by the first GPU operation.
 *
 * @example
 * ```ts
 * import { runtime } from "./runtime.ts";
 * const rt = runtime();
 * console.log(rt.summary.description);
 * ```
 * @module
 */
import {
  BufferTooLargeError,
  DeviceLostError,
  GpuValidationError,
  NoAdapterError,
} from "../errors.ts";
import { BufferPool, newBufferId, type PooledBuffer } from "./buffer_pool.ts";
import { type AdapterSummary, describeAdapter, type DeviceOptions, requestGpu } from "./device.ts";

/** A compute kernel: WGSL source plus how many read-only inputs and writable outputs it binds. */
export interface KernelSpec {
  /** WGSL source. Binding 0 is the uniform `p`, then inputs, then outputs, in order. */
  readonly code: string;
  /** Number of read-only storage buffers (bindings 1..inputs). */
  readonly inputs: number;
  /** Number of read-write storage buffers (after the inputs). */
  readonly outputs: number;
}

const PARAM_SLOT = 256; // bytes per dispatch in the uniform arena (>= minUniformBufferOffsetAlignment)
const ARENA_SLOTS = 2048;
const WORKGROUP = 256;
const BIND_GROUP_CACHE = 8192;

/**
 * One WebGPU device and everything gpusci keeps for it.
 *
 * @example
 * ```ts
 * import { runtime } from "./runtime.ts";
 * const rt = runtime();
 * await rt.sync(); // waits for all submitted work
 * ```
 */
export class Runtime {
  /** The buffer pool every tensor allocates from. */
  readonly pool: BufferPool;
  /** A description of the adapter. */
  readonly summary: AdapterSummary;
  /** Submission counter; a buffer bound in the pending encoder has `lastUse === epoch`. */
  epoch = 0;
  /** Dispatches recorded since creation (for benchmarks and tests). */
  dispatches = 0;
  /** Submissions since creation. */
  submissions = 0;

  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #arenaHost = new Uint8Array(PARAM_SLOT * ARENA_SLOTS);
  #arenaWords = new Uint32Array(this.#arenaHost.buffer);
  #arenaGpu: GPUBuffer;
  #arenaUsed = 0;
  #pipelines = new Map<string, GPUComputePipeline>();
  #layouts = new Map<string, { bgl: GPUBindGroupLayout; pl: GPUPipelineLayout }>();
  #fault: Error | null = null;
  #flushScheduled: Promise<void> | null = null;
  #staging: GPUBuffer[] = [];
  #afterSubmit: (() => void)[] = [];
  // createBindGroup costs ~20 us in Deno, far more than the dispatch; training loops bind the
  // same pooled buffers step after step, so bind groups are cached by buffer ids.
  #bindGroups = new Map<string, GPUBindGroup>();

  /** Wraps an adapter and a device obtained from {@link requestGpu}. */
  constructor(readonly adapter: GPUAdapter, readonly device: GPUDevice) {
    this.pool = new BufferPool(device);
    this.summary = describeAdapter(adapter);
    this.#arenaGpu = device.createBuffer({
      size: this.#arenaHost.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.lost.then((info) => {
      this.#fault ??= new DeviceLostError(
        `GPU device lost (${info.reason}): ${info.message || "no message"}; call init() again`,
      );
    });
    device.addEventListener("uncapturederror", (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      this.#fault ??= new GpuValidationError(`WebGPU reported an error: ${err.message}`);
    });
  }

  /** Throws the first device-lost or validation error seen, if any. */
  checkHealthy(): void {
    if (this.#fault) throw this.#fault;
  }

  /** The largest storage buffer this device can bind, in bytes. */
  get maxBufferBytes(): number {
    return Math.min(
      this.device.limits.maxStorageBufferBindingSize,
      this.device.limits.maxBufferSize,
    );
  }

  /** Acquires a pooled buffer, checking the device limit first. */
  alloc(bytes: number, where: string, forUpload = false): PooledBuffer {
    this.checkHealthy();
    if (bytes > this.maxBufferBytes) {
      throw new BufferTooLargeError(
        `${where}: ${bytes} bytes exceeds this device's storage buffer limit of ` +
          `${this.maxBufferBytes} bytes`,
      );
    }
    return this.pool.acquire(bytes, forUpload && this.#encoder ? this.epoch : undefined);
  }

  /** Uploads host data into a pooled buffer, submitting pending work first if it uses it. */
  upload(buf: PooledBuffer, data: ArrayBufferView, byteOffset = 0): void {
    this.checkHealthy();
    if (buf.lastUse === this.epoch && this.#encoder) this.flush();
    if (data.byteLength > 0) {
      this.device.queue.writeBuffer(
        buf.buffer,
        byteOffset,
        data.buffer as ArrayBuffer,
        data.byteOffset,
        data.byteLength,
      );
    }
  }

  /** Returns the compute pipeline for a kernel (compiled once per source text). */
  pipeline(spec: KernelSpec): GPUComputePipeline {
    let p = this.#pipelines.get(spec.code);
    if (p) return p;
    const { pl } = this.#layout(spec.inputs, spec.outputs);
    const module = this.device.createShaderModule({ code: spec.code });
    p = this.device.createComputePipeline({
      layout: pl,
      compute: { module, entryPoint: "main" },
    });
    this.#pipelines.set(spec.code, p);
    return p;
  }

  #layout(nIn: number, nOut: number) {
    const key = `${nIn}:${nOut}`;
    let l = this.#layouts.get(key);
    if (l) return l;
    const entries: GPUBindGroupLayoutEntry[] = [{
      binding: 0,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: "uniform", hasDynamicOffset: true, minBindingSize: PARAM_SLOT },
    }];
    for (let i = 0; i < nIn + nOut; i++) {
      entries.push({
        binding: i + 1,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: i < nIn ? "read-only-storage" : "storage" },
      });
    }
    const bgl = this.device.createBindGroupLayout({ entries });
    l = { bgl, pl: this.device.createPipelineLayout({ bindGroupLayouts: [bgl] }) };
    this.#layouts.set(key, l);
    return l;
  }

  #ensurePass(): GPUComputePassEncoder {
    this.#encoder ??= this.device.createCommandEncoder();
    this.#pass ??= this.#encoder.beginComputePass();
    return this.#pass;
  }

  /** Ends the open compute pass (needed before copies and timestamp passes). */
  endPass(): GPUCommandEncoder {
    this.#encoder ??= this.device.createCommandEncoder();
    if (this.#pass) {
      this.#pass.end();
      this.#pass = null;
    }
    return this.#encoder;
  }

  /**
   * Records one dispatch. `params` are 32-bit words (use a Float32Array view for floats) placed
   * in the kernel's uniform `p`; at most 64 words.
   */
  dispatch(
    spec: KernelSpec,
    inputs: readonly PooledBuffer[],
    outputs: readonly PooledBuffer[],
    params: ArrayLike<number>,
    groups: readonly [number, number, number],
  ): void {
    this.checkHealthy();
    if (groups[0] * groups[1] * groups[2] === 0) return;
    if (this.#arenaUsed === ARENA_SLOTS) this.flush();
    const pipe = this.pipeline(spec);
    const offset = this.#arenaUsed * PARAM_SLOT;
    this.#arenaWords.set(params as ArrayLike<number>, offset / 4);
    this.#arenaUsed++;
    let key = `${spec.inputs}:${spec.outputs}`;
    for (const buf of inputs) {
      buf.lastUse = this.epoch;
      key += "," + buf.id;
    }
    for (const buf of outputs) {
      buf.lastUse = this.epoch;
      key += "," + buf.id;
    }
    let bind = this.#bindGroups.get(key);
    if (!bind) {
      const entries: GPUBindGroupEntry[] = [{
        binding: 0,
        resource: { buffer: this.#arenaGpu, offset: 0, size: PARAM_SLOT },
      }];
      let b = 1;
      for (const buf of [...inputs, ...outputs]) {
        entries.push({ binding: b++, resource: { buffer: buf.buffer } });
      }
      bind = this.device.createBindGroup({
        layout: this.#layout(spec.inputs, spec.outputs).bgl,
        entries,
      });
      if (this.#bindGroups.size >= BIND_GROUP_CACHE) this.#bindGroups.clear();
      this.#bindGroups.set(key, bind);
    }
    const pass = this.#ensurePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bind, [offset]);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.dispatches++;
  }

  /** Runs `fn` once the pending encoder has been submitted (e.g. to recycle a buffer). */
  afterSubmit(fn: () => void): void {
    this.#afterSubmit.push(fn);
  }

  /** Submits all recorded work (no wait). */
  flush(): void {
    if (!this.#encoder) return;
    this.endPass();
    if (this.#arenaUsed > 0) {
      this.device.queue.writeBuffer(
        this.#arenaGpu,
        0,
        this.#arenaHost,
        0,
        this.#arenaUsed * PARAM_SLOT,
      );
    }
    this.device.queue.submit([this.#encoder.finish()]);
    this.#encoder = null;
    this.#arenaUsed = 0;
    this.epoch++;
    this.submissions++;
    const fns = this.#afterSubmit;
    this.#afterSubmit = [];
    for (const f of fns) f();
  }

  /** Submits at the end of the current microtask, so several reads share one submission. */
  #scheduleFlush(): Promise<void> {
    this.#flushScheduled ??= Promise.resolve().then(() => {
      this.#flushScheduled = null;
      this.flush();
    });
    return this.#flushScheduled;
  }

  /** Copies `byteLength` bytes of a buffer back to the host (one sync per batch of reads). */
  async read(buf: PooledBuffer, byteLength: number, byteOffset = 0): Promise<ArrayBuffer> {
    this.checkHealthy();
    if (byteLength === 0) return new ArrayBuffer(0);
    const size = Math.ceil(byteLength / 4) * 4;
    const staging = this.#takeStaging(size);
    this.endPass().copyBufferToBuffer(buf.buffer, byteOffset, staging, 0, size);
    await this.#scheduleFlush();
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, size);
    } catch (e) {
      this.checkHealthy();
      throw new GpuValidationError(`reading a buffer back failed: ${(e as Error).message}`);
    }
    const out = staging.getMappedRange(0, size).slice(0, byteLength);
    staging.unmap();
    this.#staging.push(staging);
    this.checkHealthy();
    return out;
  }

  #takeStaging(size: number): GPUBuffer {
    const i = this.#staging.findIndex((s) => s.size >= size && s.size <= 4 * size);
    if (i >= 0) return this.#staging.splice(i, 1)[0];
    return this.device.createBuffer({
      size: Math.max(size, 256),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** Records a GPU timestamp into `querySet[index]` at this point of the command stream. */
  writeTimestamp(querySet: GPUQuerySet, index: number): void {
    this.checkHealthy();
    this.endPass().beginComputePass({
      timestampWrites: { querySet, beginningOfPassWriteIndex: index },
    }).end();
  }

  /** Resolves `count` timestamps (nanoseconds) of a query set and reads them back. */
  async readTimestamps(querySet: GPUQuerySet, count: number): Promise<BigUint64Array> {
    const bytes = count * 8;
    const resolve = this.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.endPass().resolveQuerySet(querySet, 0, count, resolve, 0);
    const data = await this.read(
      { buffer: resolve, size: bytes, lastUse: -1, id: newBufferId() },
      bytes,
    );
    resolve.destroy();
    return new BigUint64Array(data);
  }

  /** Submits pending work and waits until the GPU has finished all of it. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.checkHealthy();
  }

  /** Destroys the device and its buffers; tensors of this runtime become unusable. */
  destroy(): void {
    this.#fault ??= new DeviceLostError("this runtime was destroyed; call init() again");
    this.pool.trim();
    this.#bindGroups.clear();
    this.device.destroy();
  }
}

/**
 * Workgroup counts for `n` work items of `perGroup` items per workgroup, folded into two
 * dimensions when more than 65,535 groups are needed. Kernels recover the linear group index as
 * `wid.x + wid.y * nwg.x`.
 *
 * @example
 * ```ts
 * import { grid } from "./runtime.ts";
 * grid(1_000_000); // [3907, 1, 1]
 * ```
 */
export function grid(n: number, perGroup = WORKGROUP): [number, number, number] {
  const groups = Math.ceil(n / perGroup);
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}

let current: Runtime | null = null;
let initFailure: Error | null = null;

/**
 * Creates (or re-creates) the default runtime. Tensors made on a previous runtime can no longer
 * be used. The backend (Vulkan, GL, ...) is chosen by wgpu from `DENO_WEBGPU_BACKEND` at process
 * start and cannot change here.
 *
 * @example
 * ```ts
 * import { init } from "./runtime.ts";
 * const rt = await init({ powerPreference: "high-performance" });
 * console.log(rt.summary.backend);
 * ```
 */
export async function init(options: DeviceOptions = {}): Promise<Runtime> {
  const old = current;
  current = null;
  try {
    const { adapter, device } = await requestGpu(options);
    current = new Runtime(adapter, device);
    initFailure = null;
  } catch (e) {
    initFailure = e as Error;
    throw e;
  } finally {
    old?.destroy();
  }
  return current;
}

/**
 * The default runtime; throws NoAdapterError (with instructions) when none could be created.
 *
 * @example
 * ```ts
 * import { runtime } from "./runtime.ts";
 * console.log(runtime().device.limits.maxStorageBufferBindingSize);
 * ```
 */
export function runtime(): Runtime {
  if (current) return current;
  throw initFailure ?? new NoAdapterError("the GPU runtime is not initialised; call init()");
}

/**
 * True when a default runtime exists (no exception when there is no GPU).
 *
 * @example
 * ```ts
 * import { hasRuntime } from "./runtime.ts";
 * console.log(hasRuntime());
 * ```
 */
export function hasRuntime(): boolean {
  return current !== null;
}

// Top-level auto-initialisation: importing gpusci is enough to use the GPU.
await init().catch(() => {});
