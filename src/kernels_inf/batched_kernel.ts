/**
 * Kernel computation in blocks, so GPU memory stays bounded for large N.
 *
 * `kernelBatched` fills N1 x N2 output matrices on the GPU block by block: each block computes
 * its input kernel (a `blockSize x blockSize` matmul) and runs the network's kernel map; when
 * the whole network is one fused chain of elementwise stages, the chain writes straight into
 * the output at the block's offsets (no intermediate N1 x N2 buffers at all). Peak memory is the
 * outputs plus O(blockSize^2). `kernelToHost` streams blocks to host memory instead (for
 * matrices beyond the GPU's buffer limit), keeping two blocks in flight so readback overlaps
 * compute. This mirrors neural-tangents' `nt.batch`.
 *
 * For k(x1, x1) (x2 = null) only the blocks on and above the diagonal are computed; each block
 * below is the transpose of its mirror, copied through workgroup-memory tiles. With 4 x 4 blocks
 * that skips 6/16 of the input matmul and of the elementwise pass.
 *
 * Image inputs `[N, H, W, C]` work too. A network that ends in image features (no `flatten`)
 * has a spatial output kernel `[N1, N2, P]`: `kernelBatched` then computes every block (no
 * mirroring) and `kernelToHost` refuses it.
 *
 * @example
 * ```ts
 * import { kernelBatched } from "./batched_kernel.ts";
 * import { dense, relu, serial } from "./mod.ts";
 * import { random } from "../gpu/mod.ts";
 * const x = random.normal(random.key(0), [10, 5]);
 * const k = kernelBatched(serial(dense(8), relu(), dense(1)), x, null, { blockSize: 4 });
 * console.log(k.nngp.shape); // [10, 10]
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { type KernelSpec, runtime, scope, slice, Tensor } from "../gpu/mod.ts";
import { paramWords } from "../gpu/kernels/indexing.ts";
import { applyStages } from "./fused_stages.ts";
import { entriesPerPair, inputKernel, type Kernel, maxKernelBlock } from "./kernel.ts";
import { type Layer, singleKernel } from "./stax/layer.ts";

/**
 * Options of {@link kernelBatched} and {@link kernelToHost}.
 *
 * @example
 * ```ts
 * import type { BatchedKernelOptions } from "./batched_kernel.ts";
 * const o: BatchedKernelOptions = { blockSize: 1000, get: "both" };
 * console.log(o.blockSize); // 1000
 * ```
 */
export interface BatchedKernelOptions {
  /**
   * Rows (and columns) per block; memory is O(blockSize^2) beyond the outputs. Default: 1024, or
   * for image kernels the largest block whose kernel fits one storage buffer
   * (`maxKernelBlock`): a cross-location kernel holds (H*W)^2 entries per pair.
   */
  blockSize?: number;
  /** "nngp" skips the NTK (default "both"). */
  get?: "nngp" | "ntk" | "both";
  /** Only k(x_i, x_i) (x2 must be null); outputs have shape [N]. */
  diagonal?: boolean;
}

const schema = z.strictObject({
  blockSize: z.number().int().positive().optional(),
  get: z.enum(["nngp", "ntk", "both"]).default("both"),
  diagonal: z.boolean().default(false),
});

function parse(options: BatchedKernelOptions, where: string) {
  const r = schema.safeParse(options);
  if (!r.success) {
    const iss = r.error.issues[0];
    throw new InvalidArgumentError(
      `${where}: option ${iss.path.join(".") || "(options)"}: ${iss.message}`,
    );
  }
  return r.data;
}

let transposeSpec: KernelSpec | null = null;

/** In-place W[c0 + j, r0 + i] = W[r0 + i, c0 + j] for an h x w block (16 x 16 tiles). */
function transposeBlockKernel(): KernelSpec {
  transposeSpec ??= {
    inputs: 0,
    outputs: 1,
    code: `struct P { r0: u32, c0: u32, h: u32, w: u32, ld: u32, p0: u32, p1: u32, p2: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> W: array<f32>;
var<workgroup> T: array<f32, ${16 * 17}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) g: vec3<u32>) {
  let i = g.y * 16u + l.y;
  let j = g.x * 16u + l.x;
  if (i < p.h && j < p.w) { T[l.y * 17u + l.x] = W[(p.r0 + i) * p.ld + p.c0 + j]; }
  workgroupBarrier();
  let ti = g.x * 16u + l.y; // row of the destination block = column of the source
  let tj = g.y * 16u + l.x;
  if (ti < p.w && tj < p.h) { W[(p.c0 + ti) * p.ld + p.r0 + tj] = T[l.x * 17u + l.y]; }
}`,
  };
  return transposeSpec;
}

/** Fills the mirror (below the diagonal) of an off-diagonal block of a square matrix. */
function mirrorBlock(t: Tensor, r0: number, r1: number, c0: number, c1: number): void {
  const w = paramWords();
  const h = r1 - r0, wd = c1 - c0;
  w.u.set([r0, c0, h, wd, t.shape[1]]);
  runtime().dispatch(transposeBlockKernel(), [], [t.buffer("kernelBatched")], w.u, [
    Math.ceil(wd / 16),
    Math.ceil(h / 16),
    1,
  ]);
}

function blocks(n: number, b: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += b) out.push([s, Math.min(n, s + b)]);
  return out;
}

/** Computes one block's kernel, writing NNGP/NTK into `target` at offsets. */
function blockInto(
  net: Layer,
  xa: Tensor,
  xb: Tensor | null,
  computeNtk: boolean,
  diagonal: boolean,
  target: { nngp: Tensor; ntk: Tensor | null; rowOffset: number; colOffset: number },
): void {
  scope(() => {
    const k0 = inputKernel(xa, xb, { computeNtk, diagonal, crossLocations: net.crossLocations });
    if (net.stages) {
      applyStages(k0, net.stages(k0.width), target);
    } else {
      const kb = singleKernel(net.kernelFn(k0), net.name);
      applyStages(kb, [], target);
    }
  });
}

/**
 * The network's NNGP (and NTK) for x1 x x2 (x2 = null: x1 x x1), computed in blocks into GPU
 * tensors. The result's `cov1`/`cov2` are the diagonal kernels of x1 and x2.
 *
 * @example
 * ```ts
 * import { kernelBatched } from "./batched_kernel.ts";
 * import { dense, erf, serial } from "./mod.ts";
 * import { random } from "../gpu/mod.ts";
 * const x = random.normal(random.key(0), [6, 3]);
 * const d = kernelBatched(serial(dense(4), erf()), x, null, { blockSize: 4, diagonal: true });
 * console.log(d.nngp.shape); // [6]
 * ```
 */
export function kernelBatched(
  net: Layer,
  x1: Tensor,
  x2: Tensor | null = null,
  options: BatchedKernelOptions = {},
): Kernel {
  const o = parse(options, "kernelBatched");
  if (o.diagonal && x2) {
    throw new InvalidArgumentError("kernelBatched: diagonal=true needs x2 = null");
  }
  const n1 = x1.shape[0], n2 = x2 ? x2.shape[0] : n1;
  const computeNtk = o.get !== "nngp";
  const { width, spatial } = outputOf(net, x1, "kernelBatched");
  const np = spatial ? spatial[0] * spatial[1] : 1;
  const loc = spatial ? [np] : [];
  const shape = o.diagonal ? [n1, ...loc] : [n1, n2, ...loc];
  const nngp = Tensor.empty(shape, "f32", "kernelBatched");
  const ntk = computeNtk ? Tensor.empty(shape, "f32", "kernelBatched") : null;
  const b = o.blockSize ?? defaultBlock(net, x1);
  const mirrors: [number, number, number, number][] = [];
  for (const [r0, r1] of blocks(n1, b)) {
    const xa = n1 <= b ? x1 : slice(x1, [[r0, r1]]);
    if (o.diagonal) {
      blockInto(net, xa, null, computeNtk, true, { nngp, ntk, rowOffset: r0, colOffset: 0 });
    } else {
      for (const [c0, c1] of blocks(n2, b)) {
        if (!x2 && c0 === r0) {
          // a diagonal block of k(x1, x1): exact self-correlations (see inputKernel)
          blockInto(net, xa, null, computeNtk, false, { nngp, ntk, rowOffset: r0, colOffset: c0 });
          continue;
        }
        // spatial kernels ([.., .., P] entries) have no mirror copy: every block is computed
        if (!x2 && !spatial && c0 > r0) mirrors.push([r0, r1, c0, c1]);
        if (!x2 && !spatial && c0 < r0) continue; // filled from its mirror below
        const src = x2 ?? x1;
        const xb = n2 <= b ? src : slice(src, [[c0, c1]]);
        blockInto(net, xa, xb, computeNtk, false, { nngp, ntk, rowOffset: r0, colOffset: c0 });
        if (xb !== src) xb.dispose();
      }
    }
    if (xa !== x1) xa.dispose();
  }
  for (const [r0, r1, c0, c1] of mirrors) {
    mirrorBlock(nngp, r0, r1, c0, c1);
    if (ntk) mirrorBlock(ntk, r0, r1, c0, c1);
  }
  const sp = spatial ? { spatial } : {};
  if (o.diagonal) {
    return { nngp, ntk, cov1: nngp, cov2: nngp, width, diagonal: true, computeNtk, ...sp };
  }
  const cov1 = kernelBatched(net, x1, null, { blockSize: b, get: "nngp", diagonal: true }).nngp;
  const cov2 = x2
    ? kernelBatched(net, x2, null, { blockSize: b, get: "nngp", diagonal: true }).nngp
    : cov1;
  return { nngp, ntk, cov1, cov2, width, diagonal: false, computeNtk, ...sp };
}

/** 1024 rows, or fewer where one block's input kernel would not fit a storage buffer. */
function defaultBlock(net: Layer, x1: Tensor): number {
  const perPair = entriesPerPair(x1.shape.slice(1), net.crossLocations === true);
  return Math.min(1024, maxKernelBlock(perPair));
}

/** The network's output width and, for image outputs [H, W, C], its spatial shape. */
function outputOf(
  net: Layer,
  x1: Tensor,
  where: string,
): { width: number; spatial: readonly [number, number] | null } {
  if (x1.rank !== 2 && x1.rank !== 4) {
    throw new ShapeError(
      `${where}: x1 must be [N, features] or images [N, H, W, C], got [${x1.shape.join(", ")}]`,
    );
  }
  const s = net.outputShape(x1.shape.slice(1));
  if (s.length === 0 || typeof s[0] !== "number") return { width: 0, spatial: null };
  const dims = s as readonly number[];
  const width = dims[dims.length - 1];
  return { width, spatial: dims.length === 3 ? [dims[0], dims[1]] : null };
}

/**
 * Host copies of the network's NNGP and NTK (row-major Float32Arrays), computed block by block
 * so the GPU never holds more than two blocks: for N1 x N2 beyond the GPU buffer limit.
 *
 * @example
 * ```ts
 * import { kernelToHost } from "./batched_kernel.ts";
 * import { dense, relu, serial } from "./mod.ts";
 * import { random } from "../gpu/mod.ts";
 * const x = random.normal(random.key(0), [7, 3]);
 * const k = await kernelToHost(serial(dense(4), relu()), x, null, { blockSize: 3 });
 * console.log(k.nngp.length, k.n1, k.n2); // 49 7 7
 * ```
 */
export async function kernelToHost(
  net: Layer,
  x1: Tensor,
  x2: Tensor | null = null,
  options: BatchedKernelOptions = {},
): Promise<{ nngp: Float32Array; ntk: Float32Array | null; n1: number; n2: number }> {
  const o = parse(options, "kernelToHost");
  if (o.diagonal) {
    throw new InvalidArgumentError("kernelToHost: use kernelBatched for the diagonal");
  }
  if (outputOf(net, x1, "kernelToHost").spatial) {
    throw new InvalidArgumentError(
      `kernelToHost: ${net.name} outputs images, so its kernel is spatial ([N1, N2, P]); ` +
        `kernelToHost streams flat [N1, N2] kernels only: end the network with flatten(), or ` +
        `use kernelBatched`,
    );
  }
  const n1 = x1.shape[0], n2 = x2 ? x2.shape[0] : n1;
  const computeNtk = o.get !== "nngp";
  const nngp = new Float32Array(n1 * n2);
  const ntk = computeNtk ? new Float32Array(n1 * n2) : null;
  const b = o.blockSize ?? defaultBlock(net, x1);
  const pending: Promise<void>[] = [];
  for (const [r0, r1] of blocks(n1, b)) {
    for (const [c0, c1] of blocks(n2, b)) {
      const h = r1 - r0, w = c1 - c0;
      const tk = Tensor.empty([h, w], "f32", "kernelToHost");
      const tt = computeNtk ? Tensor.empty([h, w], "f32", "kernelToHost") : null;
      scope(() => {
        const xa = slice(x1, [[r0, r1]]);
        const xb = !x2 && r0 === c0 ? null : slice(x2 ?? x1, [[c0, c1]]);
        blockInto(net, xa, xb, computeNtk, false, {
          nngp: tk,
          ntk: tt,
          rowOffset: 0,
          colOffset: 0,
        });
      });
      const done = Promise.all([tk.read(), tt?.read()]).then(([a, t]) => {
        for (let i = 0; i < h; i++) {
          nngp.set((a as Float32Array).subarray(i * w, (i + 1) * w), (r0 + i) * n2 + c0);
          if (t && ntk) {
            ntk.set((t as Float32Array).subarray(i * w, (i + 1) * w), (r0 + i) * n2 + c0);
          }
        }
        tk.dispose();
        tt?.dispose();
      });
      pending.push(done);
      if (pending.length >= 2) await pending.shift();
    }
  }
  await Promise.all(pending);
  return { nngp, ntk, n1, n2 };
}
