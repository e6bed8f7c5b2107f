/**
 * Fused kernels for the score MLP's sampling path (scalar time, no gradient): the time-dependent
 * biases of all hidden layers computed from the Fourier features of t in one dispatch, and the
 * epilogues that `matmulEpilogue` fuses into each layer's matmul (bias + activation for a hidden
 * layer; bias, input skip and output scale for the output layer).
 *
 * @example
 * ```ts
 * import { timeBiasesKernel } from "./mlp_fused.ts";
 * console.log(timeBiasesKernel(2).inputs); // 5
 * ```
 * @module
 */
import { ShapeError } from "../../errors.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import type { MatmulEpilogue } from "../../gpu/ops/matmul.ts";
import { type KernelSpec, runtime } from "../../gpu/runtime.ts";
import { checkOperands, Tensor } from "../../gpu/tensor.ts";

/** Activations the fused epilogue supports. */
export type FusedActivation = "swish" | "relu" | "tanh" | "softplus" | "identity";

/** The fused activations. */
export const FUSED_ACTIVATIONS: readonly FusedActivation[] = [
  "swish",
  "relu",
  "tanh",
  "softplus",
  "identity",
];

const ACT: Record<FusedActivation, string> = {
  swish: "v / (1.0 + exp(-v))",
  relu: "max(v, 0.0)",
  tanh: "tanh(clamp(v, -15.0, 15.0))",
  softplus: "max(v, 0.0) + log(1.0 + exp(-abs(v)))",
  identity: "v",
};

/**
 * The WGSL helper `fn act(v: f32) -> f32` of an activation, for epilogues.
 *
 * @example
 * ```ts
 * import { activationWgsl } from "./mlp_fused.ts";
 * console.log(activationWgsl("relu")); // fn act(v: f32) -> f32 { return max(v, 0.0); }
 * ```
 */
export function activationWgsl(act: FusedActivation): string {
  return `fn act(v: f32) -> f32 { return ${ACT[act]}; }`;
}

/**
 * The epilogue of a hidden layer: act(v + tb[col]), with `tb` the layer's time-dependent bias
 * (from {@link timeBiases}).
 *
 * @example
 * ```ts
 * import { matmulEpilogue, tensor } from "../../gpu/mod.ts";
 * import { hiddenEpilogue } from "./mlp_fused.ts";
 * const h = matmulEpilogue(tensor([[1, -1]]), tensor([[1, 0], [0, 1]]), {
 *   epilogue: hiddenEpilogue("relu", tensor([0.5, 0.5])),
 * });
 * console.log(await h.read()); // [1.5, 0]
 * ```
 */
export function hiddenEpilogue(act: FusedActivation, tb: Tensor): MatmulEpilogue {
  return { expr: "act(v + tb)", inputs: { tb }, helpers: activationWgsl(act) };
}

/**
 * The epilogue of the output layer: (v + b[col] + x[row, col] * skip[col]) * scale, the skip
 * term only with a `skip` weight, plus with a `base` the score of a diagonal Gaussian perturbed
 * by the SDE: -(x - a mu[col]) / (a^2 vr[col] + s^2) for the marginal mean coefficient a and std s.
 *
 * @example
 * ```ts
 * import { matmulEpilogue, tensor } from "../../gpu/mod.ts";
 * import { outputEpilogue } from "./mlp_fused.ts";
 * const x = tensor([[2, 3]]);
 * const eye = tensor([[1, 0], [0, 1]]);
 * const y = matmulEpilogue(x, eye, { epilogue: outputEpilogue(tensor([0, 1]), x, tensor([1, -1]), 2) });
 * console.log(await y.read()); // [(2 + 0 + 2) * 2, (3 + 1 - 3) * 2] = [8, 2]
 * const base = { mean: tensor([0, 1]), variance: tensor([1, 1]), a: 1, s: 0 };
 * const g = matmulEpilogue(x, eye, { epilogue: outputEpilogue(tensor([0, 0]), x, undefined, 0, base) });
 * console.log(await g.read()); // [-(2 - 0) / 1, -(3 - 1) / 1] = [-2, -2]
 * ```
 */
export function outputEpilogue(
  b: Tensor,
  x: Tensor,
  skip: Tensor | undefined,
  scale: number,
  base?: { mean: Tensor; variance: Tensor; a: number; s: number },
): MatmulEpilogue {
  const inputs: Record<string, Tensor> = skip ? { b, x, skip } : base ? { b, x } : { b };
  const params: Record<string, number> = { scale };
  let expr = skip ? "(v + b + x * skip) * scale" : "(v + b) * scale";
  if (base) {
    inputs.mu = base.mean;
    inputs.vr = base.variance;
    params.a = base.a;
    params.a2 = base.a * base.a;
    params.s2 = base.s * base.s;
    expr += " - (x - a * mu) / (a2 * vr + s2)";
  }
  return { expr, inputs, params };
}

/**
 * WGSL: for each of `layers` layers l, out_l[j] = b_l[j] + sum_k sin(2 pi w_k t) wt_l[k, j] +
 * cos(2 pi w_k t) wt_l[h + k, j] for the Fourier frequencies w (length h = E / 2); the sines and
 * cosines are shared by the layers. Bindings: fw, (wt_l, b_l) per layer, out_l per layer.
 * Params: h, t, then the layers' widths from word 4.
 *
 * @example
 * ```ts
 * import { timeBiasesKernel } from "./mlp_fused.ts";
 * const k = timeBiasesKernel(3);
 * console.log(k.inputs, k.outputs); // 7 3
 * ```
 */
export function timeBiasesKernel(layers: number): KernelSpec {
  const decl: string[] = [];
  const init: string[] = [];
  const fma: string[] = [];
  const store: string[] = [];
  let b = 2;
  for (let l = 0; l < layers; l++) {
    decl.push(`@group(0) @binding(${b++}) var<storage, read> wt${l}: array<f32>;`);
    decl.push(`@group(0) @binding(${b++}) var<storage, read> b${l}: array<f32>;`);
    const cols = `p.cols[${l >> 2}][${l & 3}]`;
    // columns past this layer's width read its last one and store nothing
    init.push(
      `let c${l} = ${cols};`,
      `let j${l} = min(j, c${l} - 1u);`,
      `var acc${l} = b${l}[j${l}];`,
    );
    fma.push(`acc${l} += s * wt${l}[k * c${l} + j${l}] + c * wt${l}[(p.h + k) * c${l} + j${l}];`);
  }
  for (let l = 0; l < layers; l++) {
    decl.push(`@group(0) @binding(${b++}) var<storage, read_write> out${l}: array<f32>;`);
    store.push(`if (j < c${l}) { out${l}[j] = acc${l}; }`);
  }
  const code = `struct P { h: u32, t: f32, cols: array<vec4<u32>, ${Math.ceil(layers / 4)}> };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> fw: array<f32>;
${decl.join("\n")}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  ${init.join("\n  ")}
  for (var k = 0u; k < p.h; k++) {
    let a = 6.283185307179586 * fw[k] * p.t;
    let s = sin(a);
    let c = cos(a);
    ${fma.join("\n    ")}
  }
  ${store.join("\n  ")}
}`;
  return { code, inputs: 1 + 2 * layers, outputs: layers };
}

const timeBiasesK = memoKernel(timeBiasesKernel);
const MAX_LAYERS_PER_DISPATCH = 8; // layer widths fit two vec4s of the uniform block

/**
 * The time-dependent biases b_l + [sin, cos](2 pi w t) @ wt_l of several layers for a scalar t
 * (no gradient): one dispatch for as many layers as the device binds storage buffers for
 * (3 per layer besides `fw`). `fw` [h], each `wt` [2h, C_l], `b` [C_l] -> one [C_l] per layer.
 *
 * @example
 * ```ts
 * import { tensor, zeros } from "../../gpu/mod.ts";
 * import { timeBiases } from "./mlp_fused.ts";
 * const [a, b] = timeBiases(tensor([0.5]), [
 *   { wt: tensor([[1], [2]]), b: zeros([1]) },
 *   { wt: tensor([[1, 0], [0, 1]]), b: tensor([1, 1]) },
 * ], 0.5);
 * // sin(pi/2) = 1, cos(pi/2) = 0
 * console.log(await a.read(), await b.read()); // [1] [2, 1]
 * ```
 */
export function timeBiases(
  fw: Tensor,
  layers: readonly { wt: Tensor; b: Tensor }[],
  t: number,
): Tensor[] {
  const rt = checkOperands("timeBiases", fw, ...layers.flatMap((l) => [l.wt, l.b]));
  const h = fw.size;
  for (const [i, { wt, b }] of layers.entries()) {
    if (wt.size !== 2 * h * b.size || b.size === 0) {
      throw new ShapeError(
        `timeBiases: layer ${i}: wt [${wt.shape}] must be [${2 * h}, ${b.size}] (b [${b.shape}])`,
      );
    }
  }
  const limit = runtime().device.limits.maxStorageBuffersPerShaderStage;
  const per = Math.max(1, Math.min(MAX_LAYERS_PER_DISPATCH, Math.floor((limit - 1) / 3)));
  const outs = layers.map((l) => Tensor.empty([l.b.size], "f32", "timeBiases"));
  for (let i0 = 0; i0 < layers.length; i0 += per) {
    const group = layers.slice(i0, i0 + per);
    const w = paramWords();
    w.u[0] = h;
    w.f[1] = t;
    group.forEach((l, i) => (w.u[4 + i] = l.b.size));
    const maxCols = Math.max(...group.map((l) => l.b.size));
    rt.dispatch(
      timeBiasesK(group.length),
      [fw.buffer(), ...group.flatMap((l) => [l.wt.buffer(), l.b.buffer()])],
      outs.slice(i0, i0 + per).map((o) => o.buffer()),
      w.u,
      [Math.ceil(maxCols / 64), 1, 1],
    );
  }
  return outs;
}
