/**
 * The fully connected layer in NTK or standard parameterization, with its kernel map.
 *
 * NTK parameterization (neural-tangents' default): W, b ~ N(0, 1) and
 * `y = (W_std / sqrt(n)) x W + b_std b`. Kernel map (Lee et al. 2018; Jacot et al. 2018):
 * `nngp' = W_std^2 nngp + b_std^2`, `ntk' = nngp' + W_std^2 ntk`.
 *
 * Standard parameterization: W ~ N(0, W_std^2 / n), b ~ N(0, b_std^2), `y = x W + b`. The NNGP
 * is the same; the NTK picks up the raw-parameter gradients,
 * `ntk' = n nngp + [bias] 1 + W_std^2 ntk` with n the input width (so it grows with width, as in
 * Park et al. 2019 and neural-tangents).
 *
 * On images `[N, H, W, C]` the layer acts on the channel axis at every location (a 1x1
 * convolution), and its kernel map runs per location on spatial kernels.
 *
 * @example
 * ```ts
 * import { dense } from "./dense.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const k = dense(10, { wStd: 2, bStd: 1 }).kernel(tensor([[1, 1]]));
 * console.log(await k.nngp.read(), await k.ntk!.read()); // [5] [5]
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import { add, matmul, mul, random, reshape, type Tensor } from "../../gpu/mod.ts";
import { applyStages, type Stage } from "../fused_stages.ts";
import type { Kernel } from "../kernel.ts";
import {
  channels,
  type Flow,
  type Layer,
  makeLayer,
  type Params,
  singleKernel,
  singleTensor,
} from "./layer.ts";

/**
 * Options of {@link dense}.
 *
 * @example
 * ```ts
 * import type { DenseOptions } from "./dense.ts";
 * const o: DenseOptions = { wStd: 1.5, bStd: 0.05, parameterization: "standard" };
 * console.log(o.parameterization); // "standard"
 * ```
 */
export interface DenseOptions {
  /** Weight standard deviation W_std (default 1). */
  wStd?: number;
  /** Bias standard deviation b_std; null (default) means no bias. */
  bStd?: number | null;
  /** "ntk" (default) or "standard". */
  parameterization?: "ntk" | "standard";
}

const denseSchema = z.strictObject({
  wStd: z.number().positive().finite().default(1),
  bStd: z.number().nonnegative().finite().nullable().default(null),
  parameterization: z.enum(["ntk", "standard"]).default("ntk"),
});

/**
 * {@link DenseOptions} with every default filled in.
 *
 * @example
 * ```ts
 * import type { DenseConfig } from "./dense.ts";
 * const c: DenseConfig = { wStd: 1, bStd: null, parameterization: "ntk" };
 * console.log(c.bStd); // null
 * ```
 */
export interface DenseConfig {
  /** W_std. */
  wStd: number;
  /** b_std, or null for no bias. */
  bStd: number | null;
  /** "ntk" or "standard". */
  parameterization: "ntk" | "standard";
}

function parseOptions(out: number, options: DenseOptions): DenseConfig {
  if (!Number.isInteger(out) || out <= 0) {
    throw new InvalidArgumentError(`dense: out must be a positive integer, got ${out}`);
  }
  const r = denseSchema.safeParse(options);
  if (!r.success) {
    const iss = r.error.issues[0];
    throw new InvalidArgumentError(
      `dense: option ${iss.path.join(".") || "(options)"}: ${iss.message} ` +
        `(got ${JSON.stringify(options)})`,
    );
  }
  return r.data;
}

/**
 * The parameterization of a dense (or convolutional) layer's output: `y` is the raw product
 * `x W` with fan-in `fanIn` and `b` the raw bias (or none); NTK parameterization gives
 * `W_std / sqrt(fanIn) y + b_std b`, standard `y + b` (the scales already in W and b).
 *
 * @example
 * ```ts
 * import { scaleAndShift } from "./dense.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const cfg = { wStd: 2, bStd: 0.5, parameterization: "ntk" as const };
 * console.log(await scaleAndShift(tensor([4]), tensor([2]), cfg, 4).read()); // Float32Array [5]
 * ```
 */
export function scaleAndShift(
  y: Tensor,
  b: Tensor | undefined,
  cfg: DenseConfig,
  fanIn: number,
): Tensor {
  if (cfg.parameterization === "ntk") {
    const scaled = mul(y, cfg.wStd / Math.sqrt(fanIn));
    return b ? add(scaled, mul(b, cfg.bStd!)) : scaled;
  }
  return b ? add(y, b) : y;
}

/**
 * The kernel stage of a dense layer with `width` input channels.
 *
 * @example
 * ```ts
 * import { denseStage } from "./dense.ts";
 * console.log(denseStage(10, { wStd: 1, bStd: 0, parameterization: "ntk" }, 5).params); // [1, 0]
 * ```
 */
export function denseStage(out: number, cfg: DenseConfig, width: number): Stage {
  const w2 = cfg.wStd * cfg.wStd;
  const b2 = cfg.bStd === null ? 0 : cfg.bStd * cfg.bStd;
  if (cfg.parameterization === "ntk") {
    return {
      key: "dense_ntk",
      helpers: [],
      params: [w2, b2],
      outWidth: () => out,
      body: (p) =>
        `let w2 = ${p(0)}; let b2 = ${p(1)};
    k = w2 * k + b2; c1 = w2 * c1 + b2; c2 = w2 * c2 + b2; t = k + w2 * t;`,
    };
  }
  return {
    key: "dense_standard",
    helpers: [],
    params: [w2, b2, width, cfg.bStd === null ? 0 : 1],
    outWidth: () => out,
    body: (p) =>
      `let w2 = ${p(0)}; let b2 = ${p(1)};
    t = ${p(2)} * k + ${p(3)} + w2 * t;
    k = w2 * k + b2; c1 = w2 * c1 + b2; c2 = w2 * c2 + b2;`,
  };
}

/**
 * A dense (fully connected) layer with `out` units.
 *
 * @example
 * ```ts
 * import { dense } from "./dense.ts";
 * import { random } from "../../gpu/mod.ts";
 * const layer = dense(4, { wStd: 1.5, bStd: 0.1 });
 * const p = layer.init(random.key(0), [3]) as { w: unknown; b: unknown };
 * console.log(Object.keys(p)); // ["w", "b"]
 * ```
 */
export function dense(out: number, options: DenseOptions = {}): Layer {
  const cfg = parseOptions(out, options);
  const name = `dense(${out})`;
  return makeLayer({
    name,
    init(key, inShape): Params {
      const n = channels(inShape, name);
      const [kw, kb] = random.split(key);
      const std = cfg.parameterization === "ntk" ? 1 : cfg.wStd / Math.sqrt(n);
      const w = random.normal(kw, [n, out], 0, std);
      if (cfg.bStd === null) return { w } as Params;
      const bs = cfg.parameterization === "ntk" ? 1 : cfg.bStd;
      return { w, b: random.normal(kb, [1, out], 0, bs) };
    },
    outputShape(inShape) {
      channels(inShape, name);
      return [...(inShape as readonly number[]).slice(0, -1), out];
    },
    apply(params: Params, x: Flow<Tensor>) {
      const xs = singleTensor(x, name);
      const p = params as { w: Tensor; b?: Tensor };
      const n = p.w.shape[p.w.rank - 2];
      let w = p.w, b = p.b;
      if (xs.rank >= 4 && w.rank === 3) {
        // ensemble parameters [E, n, out] on images [N, H, W, n] or [E, N, H, W, n]: line the
        // member axis up with the ensemble axis, not with the image rows
        const e = w.shape[0];
        w = reshape(w, [e, 1, 1, n, out]);
        if (b) b = reshape(b, [e, 1, 1, 1, out]);
      }
      return scaleAndShift(matmul(xs, w), b, cfg, n);
    },
    kernelFn(k: Flow<Kernel>) {
      const kk = singleKernel(k, name);
      return applyStages(kk, [denseStage(out, cfg, kk.width)]);
    },
    stages: (width) => [denseStage(out, cfg, width)],
  });
}
