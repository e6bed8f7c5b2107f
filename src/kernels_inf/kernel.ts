/**
 * The `Kernel` record that infinite-width layer algebra operates on, and the input kernel.
 *
 * A kernel describes the joint Gaussian process of one layer's (infinitely many) channels over
 * two batches of inputs: `nngp[i, j] = E[h(x1_i) h(x2_j)]` per channel, the NTK `ntk[i, j]`,
 * and the variances `cov1[i] = E[h(x1_i)^2]`, `cov2[j] = E[h(x2_j)^2]` that the dual
 * activations need. All four live on the GPU. In diagonal-only mode `nngp` and `ntk` hold only
 * the N entries k(x_i, x_i) (shape [N]).
 *
 * The input kernel follows neural-tangents: `nngp = x1 x2^T / d` (d = input features), and the
 * NTK of the inputs is zero.
 *
 * Kernels over images (inputs `[N, H, W, C]`, NHWC) are *spatial*: they track the covariance of
 * the two inputs at the same location only, which is all a network of convolutions,
 * pointwise layers and a final `flatten` needs (the CNN-VEC kernels of Novak et al. 2019,
 * "Bayesian deep convolutional networks with many channels are Gaussian processes"). The
 * P = H*W locations are the innermost axis: `nngp` and `ntk` are `[N1, N2, P]`, `cov1` is
 * `[N1, P]`, `cov2` is `[N2, P]` (`nngp` is `[N, P]` in diagonal mode), and `spatial` holds
 * `[H, W]`.
 *
 * Global average pooling needs the covariances across locations too (the CNN-GAP kernels of
 * Novak et al. 2019; neural-tangents' `diagonal_spatial=False`): a *cross-location* kernel
 * (`crossLocations: true`) holds `nngp[i, j, p, q]` for every pair of locations, `[N1, N2, P, P]`,
 * with `cov1` `[N1, P, P]` and `cov2` `[N2, P, P]` (`nngp` is `[N, P, P]` in diagonal mode). It
 * costs P times the memory and work of a same-location kernel; `layer.kernel` builds one only
 * when the network pools globally.
 *
 * @example
 * ```ts
 * import { inputKernel } from "./kernel.ts";
 * import { tensor } from "../gpu/mod.ts";
 * const k = inputKernel(tensor([[1, 1], [1, -1]]));
 * console.log(await k.nngp.toArray(), await k.cov1.read()); // [[1, 0], [0, 1]] [1, 1]
 * ```
 * @module
 */
import { BufferTooLargeError, InvalidArgumentError, ShapeError } from "../errors.ts";
import { matmul, mul, reshape, runtime, slice, sum, type Tensor, transpose } from "../gpu/mod.ts";
import { scope } from "../gpu/mod.ts";

/**
 * The NNGP/NTK state of one layer over inputs x1 (N1 rows) and x2 (N2 rows).
 *
 * @example
 * ```ts
 * import { inputKernel, type Kernel } from "./kernel.ts";
 * import { tensor } from "../gpu/mod.ts";
 * const k: Kernel = inputKernel(tensor([[1, 2]]), null, { computeNtk: true });
 * console.log(k.nngp.shape, k.ntk, k.computeNtk); // [1, 1] null true
 * ```
 */
export interface Kernel {
  /** [N1, N2] per-channel covariance (shape [N] when `diagonal`). */
  readonly nngp: Tensor;
  /** NTK of the same shape; `null` is "not computed" or, when `computeNtk`, exactly zero. */
  readonly ntk: Tensor | null;
  /** [N1] variances of x1's features. */
  readonly cov1: Tensor;
  /** [N2] variances of x2's features (the same tensor as `cov1` when x2 is x1). */
  readonly cov2: Tensor;
  /** Number of channels of the finite layer this describes (input features for the inputs). */
  readonly width: number;
  /** True when only the diagonal k(x_i, x_i) is tracked. */
  readonly diagonal: boolean;
  /** True when the NTK is tracked (a null `ntk` then means zero). */
  readonly computeNtk: boolean;
  /**
   * `[H, W]` for a spatial kernel over images (P = H*W same-location entries innermost: nngp
   * `[N1, N2, P]`, cov1 `[N1, P]`); `null` or absent for a flat kernel.
   */
  readonly spatial?: readonly [number, number] | null;
  /**
   * True for a spatial kernel that tracks every pair of locations: nngp `[N1, N2, P, P]`, cov1
   * `[N1, P, P]` (see the module doc); absent or false otherwise.
   */
  readonly crossLocations?: boolean;
}

/**
 * Number of locations P of a kernel: H*W for a spatial kernel, 1 for a flat one.
 *
 * @example
 * ```ts
 * import { inputKernel, kernelLocations } from "./kernel.ts";
 * import { zeros } from "../gpu/mod.ts";
 * console.log(kernelLocations(inputKernel(zeros([2, 3, 4, 1])))); // 12
 * ```
 */
export function kernelLocations(k: Kernel): number {
  return k.spatial ? k.spatial[0] * k.spatial[1] : 1;
}

/**
 * Entries a kernel holds per pair of inputs of feature shape `featureShape`: 1 for rows `[d]`,
 * P = H*W for same-location kernels of images `[H, W, C]`, P^2 for cross-location ones.
 *
 * @example
 * ```ts
 * import { entriesPerPair } from "./kernel.ts";
 * console.log(entriesPerPair([784], false), entriesPerPair([7, 7, 1], true)); // 1 2401
 * ```
 */
export function entriesPerPair(featureShape: readonly number[], crossLocations: boolean): number {
  if (featureShape.length !== 3) return 1;
  const p = featureShape[0] * featureShape[1];
  return crossLocations ? p * p : p;
}

/**
 * The most rows (and columns) a block of a kernel with `perPair` entries per pair can have on this
 * device: one f32 kernel tensor of the block must fit a storage buffer. `kernelBatched` uses it as
 * its default block size (capped at 1024).
 *
 * @example
 * ```ts
 * import { maxKernelBlock } from "./kernel.ts";
 * console.log(maxKernelBlock(2401) >= 100); // true (128 MB buffers hold 115 x 115 x 2401 floats)
 * ```
 */
export function maxKernelBlock(perPair: number): number {
  return Math.max(1, Math.floor(Math.sqrt(runtime().maxBufferBytes / 4 / perPair)));
}

/** A kernel of these inputs must fit one storage buffer; say how to batch it otherwise. */
function checkFits(x1: Tensor, x2: Tensor | null, diagonal: boolean, cross: boolean): void {
  const perPair = entriesPerPair(x1.shape.slice(1), cross);
  const n1 = x1.shape[0], n2 = diagonal ? 1 : (x2 ?? x1).shape[0];
  const bytes = n1 * n2 * perPair * 4;
  const limit = runtime().maxBufferBytes;
  if (bytes <= limit) return;
  const kind = perPair === 1 ? "" : cross ? "cross-location " : "same-location ";
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  throw new BufferTooLargeError(
    `inputKernel: the ${kind}kernel of ${n1} x ${n2} inputs` +
      (perPair > 1 ? ` with ${perPair} entries per pair` : "") +
      ` needs ${mb(bytes)} per tensor, over this device's storage-buffer limit of ${mb(limit)}; ` +
      `compute it in blocks with kernelBatched(net, x1, x2, { blockSize: ` +
      `${maxKernelBlock(perPair)} }) (the default fits), or use smaller images`,
  );
}

/**
 * Asserts `k` is a cross-location kernel, as pooling layers need, and returns its `[H, W]`: a
 * ShapeError for a flat kernel, an InvalidArgumentError (saying how to build one) for a
 * same-location kernel.
 *
 * @example
 * ```ts
 * import { inputKernel, requireCrossLocations } from "./kernel.ts";
 * import { zeros } from "../gpu/mod.ts";
 * const k = inputKernel(zeros([1, 2, 2, 1]));
 * try { requireCrossLocations(k, "demo"); } catch (e) { console.log((e as Error).name); } // InvalidArgumentError
 * ```
 */
export function requireCrossLocations(k: Kernel, where: string): readonly [number, number] {
  if (!k.spatial) {
    throw new ShapeError(
      `${where}: needs a spatial kernel of images [N, H, W, C], got a flat kernel (nngp ` +
        `[${k.nngp.shape.join(", ")}]); pool before flatten() and dense readouts`,
    );
  }
  if (!k.crossLocations) {
    throw new InvalidArgumentError(
      `${where}: needs the covariances across locations, but the kernel tracks same-location ` +
        `entries only (nngp [${k.nngp.shape.join(", ")}]); build the input kernel with ` +
        `inputKernel(x1, x2, { crossLocations: true }) (layer.kernel does so for networks ` +
        `containing pooling layers)`,
    );
  }
  return k.spatial;
}

/**
 * Options of {@link inputKernel}.
 *
 * @example
 * ```ts
 * import type { InputKernelOptions } from "./kernel.ts";
 * const o: InputKernelOptions = { computeNtk: true, diagonal: false };
 * console.log(o.computeNtk); // true
 * ```
 */
export interface InputKernelOptions {
  /** Track the NTK too (default true). */
  computeNtk?: boolean;
  /** Only the diagonal k(x_i, x_i); requires x2 to be null (default false). */
  diagonal?: boolean;
  /**
   * For images: track the covariances between all pairs of locations (`[N1, N2, P, P]`), as
   * global average pooling needs (default false: same-location only). Ignored for rows.
   */
  crossLocations?: boolean;
}

function checkInput(x: Tensor, name: string): void {
  if (x.rank !== 2 && x.rank !== 4) {
    throw new ShapeError(
      `inputKernel: ${name} must be [N, features] or images [N, H, W, C], got shape ` +
        `[${x.shape.join(", ")}]`,
    );
  }
  if (x.dtype !== "f32") {
    throw new InvalidArgumentError(`inputKernel: ${name} must be f32, got ${x.dtype}`);
  }
  if (x.rank === 4 && x.shape.slice(1).includes(0)) {
    throw new ShapeError(
      `inputKernel: ${name} images [${x.shape.join(", ")}] have no pixels or channels`,
    );
  }
}

/**
 * The kernel of the raw inputs: `nngp = x1 x2^T / d`, `cov = |x|^2 / d`, NTK zero.
 * `x2 = null` means x2 = x1 (cov2 is then the same tensor as cov1). Images `[N, H, W, C]` give a
 * spatial kernel: `nngp[i, j, p] = sum_c x1[i, p, c] x2[j, p, c] / C` at each of the P = H*W
 * locations (one batched matmul over locations), `cov1[i, p] = |x1[i, p, :]|^2 / C`.
 *
 * @example
 * ```ts
 * import { inputKernel } from "./kernel.ts";
 * import { tensor } from "../gpu/mod.ts";
 * const k = inputKernel(tensor([[3, 4]]), tensor([[1, 0], [0, 1]]));
 * console.log(await k.nngp.toArray()); // [[1.5, 2]]
 * ```
 */
export function inputKernel(
  x1: Tensor,
  x2: Tensor | null = null,
  options: InputKernelOptions = {},
): Kernel {
  const computeNtk = options.computeNtk ?? true;
  const diagonal = options.diagonal ?? false;
  checkInput(x1, "x1");
  if (x2) {
    checkInput(x2, "x2");
    if (x2.rank !== x1.rank || x2.shape.slice(1).join() !== x1.shape.slice(1).join()) {
      throw new ShapeError(
        `inputKernel: x1 [${x1.shape.join(", ")}] and x2 [${x2.shape.join(", ")}] have ` +
          `different feature shapes`,
      );
    }
    if (diagonal) {
      throw new InvalidArgumentError(
        "inputKernel: diagonal=true computes k(x_i, x_i) and needs x2 = null",
      );
    }
  }
  checkFits(x1, x2, diagonal, x1.rank === 4 && options.crossLocations === true);
  if (x1.rank === 4) {
    return options.crossLocations
      ? crossInputKernel(x1, x2, computeNtk, diagonal)
      : spatialInputKernel(x1, x2, computeNtk, diagonal);
  }
  const d = x1.shape[1];
  if (d === 0) throw new ShapeError("inputKernel: inputs have 0 features");
  const inv = 1 / Math.sqrt(d);
  return scope(() => {
    const a = mul(x1, inv);
    if (diagonal) {
      const cov1 = sum(mul(a, a), 1);
      return { nngp: cov1, ntk: null, cov1, cov2: cov1, width: d, diagonal, computeNtk };
    }
    if (!x2) {
      const nngp = matmul(a, a, { transB: true });
      // Take the variances from the matmul's own diagonal, so k(x_i, x_i) and cov[i] are the
      // same float and identical inputs have correlation exactly 1 (an f32 mismatch of a few
      // ULP there costs ~sqrt(eps) in arc-cosine kernels).
      const n = x1.shape[0];
      const diag = slice(reshape(nngp, [n * n]), [[0, n * n, n + 1]]);
      return { nngp, ntk: null, cov1: diag, cov2: diag, width: d, diagonal, computeNtk };
    }
    const b = mul(x2, inv);
    const cov1 = sum(mul(a, a), 1);
    const cov2 = sum(mul(b, b), 1);
    const nngp = matmul(a, b, { transB: true });
    return { nngp, ntk: null, cov1, cov2, width: d, diagonal, computeNtk };
  });
}

/** The same-location input kernel of images [N, H, W, C] (arguments already checked). */
function spatialInputKernel(
  x1: Tensor,
  x2: Tensor | null,
  computeNtk: boolean,
  diagonal: boolean,
): Kernel {
  const [n, h, w, c] = x1.shape;
  const p = h * w;
  const spatial = [h, w] as const;
  const inv = 1 / Math.sqrt(c);
  return scope(() => {
    const a = mul(x1, inv);
    const covOf = (t: Tensor) => reshape(sum(mul(t, t), 3), [t.shape[0], p]);
    if (diagonal) {
      const cov1 = covOf(a);
      return { nngp: cov1, ntk: null, cov1, cov2: cov1, width: c, diagonal, computeNtk, spatial };
    }
    // [N, P, C] -> [P, N, C]: one matmul per location, then locations innermost [N1, N2, P].
    const byLoc = (t: Tensor) => transpose(reshape(t, [t.shape[0], p, c]), [1, 0, 2]);
    const at = byLoc(a);
    if (!x2) {
      const nngp = transpose(matmul(at, at, { transB: true }), [1, 2, 0]);
      // variances from the matmul's own diagonal (see the flat case)
      const diag = slice(reshape(nngp, [n * n, p]), [[0, n * n, n + 1]]);
      return { nngp, ntk: null, cov1: diag, cov2: diag, width: c, diagonal, computeNtk, spatial };
    }
    const b = mul(x2, inv);
    const nngp = transpose(matmul(at, byLoc(b), { transB: true }), [1, 2, 0]);
    return {
      nngp,
      ntk: null,
      cov1: covOf(a),
      cov2: covOf(b),
      width: c,
      diagonal,
      computeNtk,
      spatial,
    };
  });
}

/** The cross-location input kernel of images [N, H, W, C] (arguments already checked). */
function crossInputKernel(
  x1: Tensor,
  x2: Tensor | null,
  computeNtk: boolean,
  diagonal: boolean,
): Kernel {
  const [n, h, w, c] = x1.shape;
  const p = h * w;
  const base = { width: c, diagonal, computeNtk, spatial: [h, w] as const, crossLocations: true };
  const inv = 1 / Math.sqrt(c);
  return scope(() => {
    const rows = (t: Tensor) => reshape(mul(t, inv), [t.shape[0], p, c]);
    // per image: [P, C] x [P, C]^T, the covariances of its own locations
    const selfCov = (t: Tensor) => matmul(t, t, { transB: true });
    const a = rows(x1);
    if (diagonal) {
      const cov1 = selfCov(a);
      return { nngp: cov1, ntk: null, cov1, cov2: cov1, ...base };
    }
    // [N1*P, C] x [N2*P, C]^T = [N1, P, N2, P] -> [N1, N2, P, P]
    const pairs = (u: Tensor, v: Tensor) =>
      transpose(
        reshape(
          matmul(reshape(u, [u.shape[0] * p, c]), reshape(v, [v.shape[0] * p, c]), {
            transB: true,
          }),
          [u.shape[0], p, v.shape[0], p],
        ),
        [0, 2, 1, 3],
      );
    if (!x2) {
      const nngp = pairs(a, a);
      // the self-kernels from the same matmul (see the flat case)
      const diag = reshape(slice(reshape(nngp, [n * n, p * p]), [[0, n * n, n + 1]]), [n, p, p]);
      return { nngp, ntk: null, cov1: diag, cov2: diag, ...base };
    }
    const b = rows(x2);
    return { nngp: pairs(a, b), ntk: null, cov1: selfCov(a), cov2: selfCov(b), ...base };
  });
}

/**
 * The four tensors of a kernel mapped by `f`, each distinct tensor once, so the sharing survives
 * (cov2 is cov1 when x2 = x1, nngp is cov1 in diagonal mode); a null NTK stays null. For layers
 * whose kernel map acts alike on all four (window means, pooling, flatten).
 *
 * @example
 * ```ts
 * import { inputKernel, mapKernelTensors } from "./kernel.ts";
 * import { mul, tensor } from "../gpu/mod.ts";
 * const k = inputKernel(tensor([[1, 1]]));
 * const m = mapKernelTensors(k, (t) => mul(t, 2));
 * console.log(await m.nngp.read(), m.cov2 === m.cov1, m.ntk); // [2] true null
 * ```
 */
export function mapKernelTensors(
  k: Kernel,
  f: (t: Tensor) => Tensor,
): Pick<Kernel, "nngp" | "ntk" | "cov1" | "cov2"> {
  const cov1 = f(k.cov1);
  const cov2 = k.cov2 === k.cov1 ? cov1 : f(k.cov2);
  return {
    nngp: k.nngp === k.cov1 ? cov1 : f(k.nngp),
    ntk: k.ntk ? f(k.ntk) : null,
    cov1,
    cov2,
  };
}

/**
 * Disposes every tensor of a kernel (shared tensors once).
 *
 * @example
 * ```ts
 * import { disposeKernel, inputKernel } from "./kernel.ts";
 * import { tensor } from "../gpu/mod.ts";
 * const k = inputKernel(tensor([[1]]));
 * disposeKernel(k);
 * console.log(k.nngp.disposed); // true
 * ```
 */
export function disposeKernel(k: Kernel): void {
  for (const t of new Set([k.nngp, k.ntk, k.cov1, k.cov2])) t?.dispose();
}
