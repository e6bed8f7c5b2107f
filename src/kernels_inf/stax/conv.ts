/**
 * The 2-D convolutional layer (any stride, padding and dilation `conv2d` takes) in NTK or standard
 * parameterization, with its kernel map on spatial kernels (neural-tangents' `stax.Conv`; Novak
 * et al. 2019, "Bayesian deep convolutional networks with many channels are Gaussian processes").
 *
 * NTK parameterization (default): W `[KH, KW, C, O]`, b `[O]` ~ N(0, 1) and
 * `y = W_std / sqrt(KH KW C) conv(x, W) + b_std b`. Standard: W ~ N(0, W_std^2 / (KH KW C)),
 * b ~ N(0, b_std^2), `y = conv(x, W) + b`. Inputs are NHWC images; the geometry is `conv2d`'s:
 * "same" pads as XLA SAME (output `ceil(H / stride)`, the odd row/column of padding at the
 * bottom/right), "valid" pads nothing, a number or `[[top, bottom], [left, right]]` explicitly.
 *
 * A convolution is patch extraction followed by a dense layer over the KH*KW*C patch entries,
 * and so is its kernel map: the patches' same-location kernel is the window mean
 * `windowMean(K)[p] = (1 / (KH KW)) sum_taps K[tap(p)]` (padding taps count as zeros), with
 * width KH*KW*C, and then the dense map applies: `nngp' = W_std^2 windowMean(nngp) + b_std^2`,
 * `ntk' = nngp' + W_std^2 windowMean(ntk)` (NTK parameterization) or
 * `ntk' = KH KW C windowMean(nngp) + [bias] 1 + W_std^2 windowMean(ntk)` (standard); the
 * variances `cov1`/`cov2` map like the NNGP's diagonal. On cross-location kernels (what global
 * average pooling needs) the window mean is `pairedWindowMean`: both locations of a pair move by
 * the same tap. In a `serial` chain the dense map is fused with the pointwise layers after it.
 *
 * @example
 * ```ts
 * import { conv } from "./conv.ts";
 * import { random } from "../../gpu/mod.ts";
 * const layer = conv(8, [3, 3], { bStd: 0.1 });
 * const x = random.normal(random.key(0), [2, 5, 4, 3]); // N, H, W, C
 * const y = layer.apply(layer.init(random.key(1), [5, 4, 3]), x);
 * const k = layer.kernel(x);
 * console.log(y.shape, k.nngp.shape, k.spatial); // [2, 5, 4, 8] [2, 2, 20] [5, 4]
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import {
  conv2d,
  type Conv2dOptions,
  im2col,
  matmul,
  random,
  reshape,
  scope,
  Tensor,
} from "../../gpu/mod.ts";
import { parseOptions } from "../../options.ts";
import { applyStages } from "../fused_stages.ts";
import { type Kernel, mapKernelTensors } from "../kernel.ts";
import {
  checkFilterShape,
  checkWindowOptions,
  pairedWindowMean,
  windowGeometry,
  windowMean,
  type WindowOptions,
  windowOptions,
  type WindowPadding,
} from "../window_mean.ts";
import { type DenseConfig, denseStage, scaleAndShift } from "./dense.ts";
import {
  type Flow,
  type HeadStages,
  imageShape,
  type Layer,
  makeLayer,
  type Params,
  singleKernel,
  singleTensor,
} from "./layer.ts";

/**
 * Options of {@link conv}.
 *
 * @example
 * ```ts
 * import type { ConvOptions } from "./conv.ts";
 * const o: ConvOptions = { padding: "valid", wStd: 1.5, bStd: 0.05, parameterization: "ntk" };
 * console.log(o.padding); // "valid"
 * ```
 */
export interface ConvOptions {
  /** "same" (default, XLA SAME), "valid", a number or `[[top, bottom], [left, right]]`. */
  padding?: WindowPadding;
  /** Weight standard deviation W_std (default 1). */
  wStd?: number;
  /** Bias standard deviation b_std; null (default) means no bias. */
  bStd?: number | null;
  /** "ntk" (default) or "standard". */
  parameterization?: "ntk" | "standard";
  /** Window step, one number or `[sh, sw]` (default 1). */
  stride?: number | readonly [number, number];
  /** Filter dilation, one number or `[dh, dw]` (default 1). */
  dilation?: number | readonly [number, number];
}

const convSchema = z.strictObject({
  padding: z.unknown().optional(),
  wStd: z.number().positive().finite().default(1),
  bStd: z.number().nonnegative().finite().nullable().default(null),
  parameterization: z.enum(["ntk", "standard"]).default("ntk"),
  stride: z.unknown().optional(),
  dilation: z.unknown().optional(),
});

function parse(out: number, filterShape: unknown, options: ConvOptions) {
  if (!Number.isInteger(out) || out <= 0) {
    throw new InvalidArgumentError(`conv: outChannels must be a positive integer, got ${out}`);
  }
  const filter = checkFilterShape(filterShape, "conv");
  const o = parseOptions(convSchema, options, "conv");
  const window: Conv2dOptions = {
    padding: (o.padding ?? "same") as WindowPadding,
    stride: (o.stride ?? 1) as Conv2dOptions["stride"],
    dilation: (o.dilation ?? 1) as Conv2dOptions["dilation"],
  };
  checkWindowOptions(filter, window, "conv");
  const dense: DenseConfig = { wStd: o.wStd, bStd: o.bStd, parameterization: o.parameterization };
  return { filter, window, dense };
}

/**
 * The kernel of a convolution's patches: window means of every map of a spatial kernel (the
 * head of {@link conv}'s kernel map), width KH*KW*C.
 *
 * @example
 * ```ts
 * import { patchKernel } from "./conv.ts";
 * import { inputKernel } from "../kernel.ts";
 * import { ones } from "../../gpu/mod.ts";
 * const k = patchKernel(inputKernel(ones([1, 3, 3, 2])), [3, 3], "valid");
 * console.log(await k.nngp.read(), k.width, k.spatial); // [~1] 18 [1, 1]
 * ```
 */
export function patchKernel(
  k: Kernel,
  filterShape: readonly [number, number],
  options: WindowOptions = {},
  where = "conv",
): Kernel {
  if (!k.spatial) {
    throw new ShapeError(
      `${where}: needs a spatial kernel of images [N, H, W, C], got a flat kernel (nngp ` +
        `[${k.nngp.shape.join(", ")}]); feed images and put convolutions before flatten()`,
    );
  }
  const [h, w] = k.spatial;
  const window = windowOptions(options, where);
  const g = windowGeometry(k.spatial, filterShape, window, where);
  const op = g.oh * g.ow;
  return scope(() => {
    const wm = k.crossLocations
      ? (t: Tensor) => {
        const lead = t.shape.slice(0, -2);
        const maps = pairedWindowMean(reshape(t, [...lead, h, w, h, w]), filterShape, window);
        return reshape(maps, [...lead, op, op]);
      }
      : (t: Tensor) => {
        const lead = t.shape.slice(0, -1);
        const maps = windowMean(reshape(t, [...lead, h, w]), filterShape, window);
        return reshape(maps, [...lead, op]);
      };
    return {
      ...mapKernelTensors(k, wm),
      width: k.width * g.kh * g.kw,
      diagonal: k.diagonal,
      computeNtk: k.computeNtk,
      spatial: [g.oh, g.ow] as const,
      ...(k.crossLocations ? { crossLocations: true } : {}),
    };
  });
}

/** y = conv(x, w) for images x [N, H, W, C] or [E, N, H, W, C] and w [KH, KW, C, O] or [E, ...]. */
function convolve(x: Tensor, w: Tensor, window: Conv2dOptions, name: string): Tensor {
  const bad = () =>
    new ShapeError(
      `${name}: expected images [N, H, W, C] or [E, N, H, W, C] and a filter [KH, KW, C, O] or ` +
        `[E, KH, KW, C, O] with matching C (and E); got x [${x.shape.join(", ")}] and w ` +
        `[${w.shape.join(", ")}]`,
    );
  if ((x.rank !== 4 && x.rank !== 5) || (w.rank !== 4 && w.rank !== 5)) throw bad();
  const c = x.shape[x.rank - 1];
  if (w.shape[w.rank - 2] !== c) throw bad();
  const [h, wd] = x.shape.slice(-3, -1);
  if (w.rank === 4) {
    if (x.rank === 4) return conv2d(x, w, window);
    const [e, n] = x.shape;
    const y = conv2d(reshape(x, [e * n, h, wd, c]), w, window);
    return reshape(y, [e, n, ...y.shape.slice(1)]);
  }
  // ensemble filters [E, KH, KW, C, O]: patches [.., K] times E filter matrices [K, O]
  const [e, kh, kw, , o] = w.shape;
  const g = windowGeometry([h, wd], [kh, kw], window, name);
  const n = x.rank === 4 ? x.shape[0] : x.shape[1];
  if (x.rank === 5 && x.shape[0] !== e) throw bad();
  const imgs = x.rank === 4 ? x : reshape(x, [e * n, h, wd, c]);
  const cols = im2col(imgs, [kh, kw], window); // [(E*)N*OH*OW, K]
  const k = kh * kw * c;
  const lhs = x.rank === 4 ? cols : reshape(cols, [e, n * g.oh * g.ow, k]);
  const y = matmul(lhs, reshape(w, [e, k, o])); // [E, N*OH*OW, O]
  return reshape(y, [e, n, g.oh, g.ow, o]);
}

/** `same`, `valid, stride 2`, ...: the window options that differ from the defaults. */
function describe(o: Conv2dOptions): string {
  const parts = [JSON.stringify(o.padding).replaceAll('"', "")];
  if (JSON.stringify(o.stride) !== "1") parts.push(`stride ${JSON.stringify(o.stride)}`);
  if (JSON.stringify(o.dilation) !== "1") parts.push(`dilation ${JSON.stringify(o.dilation)}`);
  return parts.join(", ");
}

/**
 * A 2-D convolution with `outChannels` filters of size `filterShape` `[KH, KW]` (strides,
 * padding and dilation as `conv2d`).
 *
 * @example
 * ```ts
 * import { conv, flatten, dense, relu, serial } from "../mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * const net = serial(conv(16, [3, 3]), relu(), conv(16, [3, 3], { padding: "valid" }), flatten(),
 *   dense(1));
 * const x = random.normal(random.key(0), [3, 6, 5, 2]);
 * console.log(net.outputShape([6, 5, 2]), net.kernel(x).nngp.shape); // [1] [3, 3]
 * ```
 */
export function conv(
  outChannels: number,
  filterShape: readonly [number, number],
  options: ConvOptions = {},
): Layer {
  const { filter, window, dense } = parse(outChannels, filterShape, options);
  const [kh, kw] = filter;
  const name = `conv(${outChannels}, [${kh}, ${kw}], ${describe(window)})`;
  const headStages: HeadStages = {
    head: (k) => patchKernel(k, filter, window, name),
    stages: (width) => [denseStage(outChannels, dense, width)],
  };
  return makeLayer({
    name,
    init(key, inShape): Params {
      const [h, w, c] = imageShape(inShape, name);
      windowGeometry([h, w], filter, window, name);
      const [kwKey, kbKey] = random.split(key);
      const fanIn = kh * kw * c;
      const std = dense.parameterization === "ntk" ? 1 : dense.wStd / Math.sqrt(fanIn);
      const wt = random.normal(kwKey, [kh, kw, c, outChannels], 0, std);
      if (dense.bStd === null) return { w: wt } as Params;
      const bs = dense.parameterization === "ntk" ? 1 : dense.bStd;
      return { w: wt, b: random.normal(kbKey, [outChannels], 0, bs) };
    },
    outputShape(inShape) {
      const [h, w] = imageShape(inShape, name);
      const g = windowGeometry([h, w], filter, window, name);
      return [g.oh, g.ow, outChannels];
    },
    apply(params: Params, x: Flow<Tensor>) {
      const xs = singleTensor(x, name);
      const p = params as { w: Tensor; b?: Tensor };
      if (!(p.w instanceof Tensor)) {
        throw new InvalidArgumentError(`${name}: expected parameters { w, b? } from init`);
      }
      const y = convolve(xs, p.w, window, name);
      let b = p.b;
      if (b && b.rank === 2) b = reshape(b, [b.shape[0], 1, 1, 1, outChannels]); // ensemble
      return scaleAndShift(y, b, dense, kh * kw * p.w.shape[p.w.rank - 2]);
    },
    kernelFn(k: Flow<Kernel>) {
      const head = headStages.head(singleKernel(k, name));
      const out = applyStages(head, headStages.stages(head.width));
      const keep = new Set([out.nngp, out.ntk, out.cov1, out.cov2]);
      for (const t of new Set([head.nngp, head.ntk, head.cov1, head.cov2])) {
        if (t && !keep.has(t)) t.dispose();
      }
      return out;
    },
    headStages,
  });
}
