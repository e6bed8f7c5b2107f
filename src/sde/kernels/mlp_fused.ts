/**
 * Fused kernels for the score MLP's sampling path (scalar time, no gradient): the time-dependent
 * bias of a layer computed from the Fourier features of t in one dispatch, and the
 * bias + activation (or bias + output scale) epilogue of a matmul in one dispatch.
 *
 * @example
 * ```ts
 * import { biasActKernel } from "./mlp_fused.ts";
 * console.log(biasActKernel("swish").inputs); // 2
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, type KernelSpec } from "../../gpu/runtime.ts";
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
 * WGSL: out[r, j] = act(x[r, j] + bias[j]) * scale. Params: n, cols, scale.
 *
 * @example
 * ```ts
 * import { biasActKernel } from "./mlp_fused.ts";
 * console.log(biasActKernel("relu").code.includes("max(v, 0.0)")); // true
 * ```
 */
export function biasActKernel(act: FusedActivation): KernelSpec {
  const code = `struct P { n: u32, cols: u32, scale: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let v = xs[i] + bias[i % p.cols];
  out[i] = (${ACT[act]}) * p.scale;
}`;
  return { code, inputs: 2, outputs: 1 };
}

/**
 * WGSL: out[j] = b[j] + sum_k sin(2 pi w_k t) wt[k, j] + cos(2 pi w_k t) wt[h + k, j] for the
 * Fourier frequencies w (length h = E / 2). Params: cols, h, t.
 *
 * @example
 * ```ts
 * import { timeBiasKernel } from "./mlp_fused.ts";
 * console.log(timeBiasKernel().inputs); // 3
 * ```
 */
export function timeBiasKernel(): KernelSpec {
  const code = `struct P { cols: u32, h: u32, t: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> fw: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= p.cols) { return; }
  var acc = b[j];
  for (var k = 0u; k < p.h; k++) {
    let a = 6.283185307179586 * fw[k] * p.t;
    acc += sin(a) * wt[k * p.cols + j] + cos(a) * wt[(p.h + k) * p.cols + j];
  }
  out[j] = acc;
}`;
  return { code, inputs: 3, outputs: 1 };
}

/**
 * WGSL: out[r, j] = (x[r, j] + bias[j] + skip[r, j] * ws[j]) * scale: the score MLP's output
 * layer epilogue with its learned elementwise input skip. Params: n, cols, scale.
 *
 * @example
 * ```ts
 * import { biasSkipKernel } from "./mlp_fused.ts";
 * console.log(biasSkipKernel().inputs); // 4
 * ```
 */
export function biasSkipKernel(): KernelSpec {
  const code = `struct P { n: u32, cols: u32, scale: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> skip: array<f32>;
@group(0) @binding(4) var<storage, read> ws: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let j = i % p.cols;
  out[i] = (xs[i] + bias[j] + skip[i] * ws[j]) * p.scale;
}`;
  return { code, inputs: 4, outputs: 1 };
}

const biasActK = memoKernel(biasActKernel);
const biasSkipK = memoKernel(biasSkipKernel);

/**
 * (x + bias + skip * ws) * scale for x, skip [..., C] and bias, ws [C] (one dispatch; no
 * gradient).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { biasSkip } from "./mlp_fused.ts";
 * const y = biasSkip(tensor([[1, 1]]), tensor([0, 1]), tensor([[2, 3]]), tensor([1, -1]), 2);
 * console.log(await y.read()); // [6, -2]
 * ```
 */
export function biasSkip(x: Tensor, bias: Tensor, skip: Tensor, ws: Tensor, scale = 1): Tensor {
  const rt = checkOperands("biasSkip", x, bias, skip, ws);
  const cols = x.shape[x.rank - 1];
  if (bias.size !== cols || ws.size !== cols || skip.size !== x.size) {
    throw new ShapeError(
      `biasSkip: x [${x.shape}], skip [${skip.shape}] and bias [${bias.shape}], ws [${ws.shape}] ` +
        `do not fit`,
    );
  }
  const out = Tensor.empty(x.shape, "f32", "biasSkip");
  const w = paramWords();
  w.u[0] = x.size;
  w.u[1] = cols;
  w.f[2] = scale;
  rt.dispatch(
    biasSkipK(),
    [x.buffer(), bias.buffer(), skip.buffer(), ws.buffer()],
    [out.buffer()],
    w.u,
    grid(x.size),
  );
  return out;
}
const timeBiasK = memoKernel(timeBiasKernel);

/**
 * act(x + bias) * scale for x [..., C] and bias [C] (one dispatch; no gradient).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { biasAct } from "./mlp_fused.ts";
 * console.log(await biasAct(tensor([[-1, 1]]), tensor([0, 1]), "relu").read()); // [0, 2]
 * ```
 */
export function biasAct(x: Tensor, bias: Tensor, act: FusedActivation, scale = 1): Tensor {
  const rt = checkOperands("biasAct", x, bias);
  const cols = x.shape[x.rank - 1];
  if (bias.size !== cols) {
    throw new ShapeError(
      `biasAct: bias [${bias.shape}] must have x's last dim ${cols} ([${x.shape}])`,
    );
  }
  if (!FUSED_ACTIVATIONS.includes(act)) {
    throw new InvalidArgumentError(
      `biasAct: activation "${act}" is not fused; expected one of ${FUSED_ACTIVATIONS.join(", ")}`,
    );
  }
  const out = Tensor.empty(x.shape, "f32", "biasAct");
  const w = paramWords();
  w.u[0] = x.size;
  w.u[1] = cols;
  w.f[2] = scale;
  rt.dispatch(biasActK(act), [x.buffer(), bias.buffer()], [out.buffer()], w.u, grid(x.size));
  return out;
}

/**
 * The time-dependent bias b + [sin, cos](2 pi w t) @ wt of one layer, for a scalar t (one
 * dispatch; no gradient). `fw` [h], `wt` [2h, C], `b` [C] -> [C].
 *
 * @example
 * ```ts
 * import { tensor, zeros } from "../../gpu/mod.ts";
 * import { timeBias } from "./mlp_fused.ts";
 * const out = timeBias(tensor([0.5]), tensor([[1], [2]]), zeros([1]), 0.5);
 * console.log(await out.read()); // [sin(pi/2) * 1 + cos(pi/2) * 2] = [1]
 * ```
 */
export function timeBias(fw: Tensor, wt: Tensor, b: Tensor, t: number): Tensor {
  const rt = checkOperands("timeBias", fw, wt, b);
  const h = fw.size, cols = b.size;
  if (wt.size !== 2 * h * cols) {
    throw new ShapeError(`timeBias: wt [${wt.shape}] must be [${2 * h}, ${cols}]`);
  }
  const out = Tensor.empty([cols], "f32", "timeBias");
  const w = paramWords();
  w.u[0] = cols;
  w.u[1] = h;
  w.f[2] = t;
  rt.dispatch(timeBiasK(), [fw.buffer(), wt.buffer(), b.buffer()], [out.buffer()], w.u, [
    Math.ceil(cols / 64),
    1,
    1,
  ]);
  return out;
}
