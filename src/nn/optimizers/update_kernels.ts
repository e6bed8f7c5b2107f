/**
 * Fused WGSL update kernels for SGD (with momentum / Nesterov / weight decay) and Adam(W): one
 * dispatch per parameter leaf reads (param, grad, moments) and writes the new (param, moments),
 * four elements per thread. Hyper-parameters and the learning rate travel in the uniform block.
 *
 * These kernels record no gradient; the optimizers use them only when no gradient trace is open
 * and fall back to differentiable ops otherwise (meta-gradients through an update).
 *
 * @example
 * ```ts
 * import { adamKernel } from "./update_kernels.ts";
 * console.log(adamKernel().inputs, adamKernel().outputs); // 4 3
 * ```
 * @module
 */
import { ENTRY, LINEAR_INDEX, memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, type KernelSpec, runtime } from "../../gpu/runtime.ts";
import { Tensor } from "../../gpu/mod.ts";

const PARAMS =
  `struct P { n: u32, lr: f32, wd: f32, mu: f32, b1: f32, b2: f32, eps: f32, bc1: f32, bc2: f32 };
@group(0) @binding(0) var<uniform> p: P;`;

/**
 * SGD: `d = g + wd p`; with momentum `buf' = mu buf + d`, `u = nesterov ? d + mu buf' : buf'`;
 * `p' = p - lr u`.
 *
 * @example
 * ```ts
 * import { sgdKernel } from "./update_kernels.ts";
 * sgdKernel(true, false).outputs; // 2
 * ```
 */
export const sgdKernel: (momentum: boolean, nesterov: boolean) => KernelSpec = memoKernel(
  (momentum: boolean, nesterov: boolean): KernelSpec => {
    const bindings = momentum
      ? `@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> g: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> buf: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> xo: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> bufo: array<vec4<f32>>;`
      : `@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> g: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> xo: array<vec4<f32>>;`;
    const body = momentum
      ? `let b = p.mu * buf[i] + d;
  bufo[i] = b;
  ${nesterov ? "let u = d + p.mu * b;" : "let u = b;"}
  xo[i] = xv - p.lr * u;`
      : `xo[i] = xv - p.lr * d;`;
    const code = `${PARAMS}
${bindings}
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let xv = x[i];
  let d = g[i] + p.wd * xv;
  ${body}
}`;
    return { code, inputs: momentum ? 3 : 2, outputs: momentum ? 2 : 1 };
  },
);

/**
 * Adam(W): `m' = b1 m + (1-b1) g`, `v' = b2 v + (1-b2) g^2`,
 * `p' = p - lr ((m'/bc1) / (sqrt(v'/bc2) + eps) + wd p)` with `bc = 1 - b^t`.
 *
 * @example
 * ```ts
 * import { adamKernel } from "./update_kernels.ts";
 * adamKernel().code.includes("sqrt"); // true
 * ```
 */
export const adamKernel: () => KernelSpec = memoKernel((): KernelSpec => {
  const code = `${PARAMS}
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> g: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> m: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> xo: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> mo: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> vo: array<vec4<f32>>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let xv = x[i];
  let gv = g[i];
  let m1 = p.b1 * m[i] + (1.0 - p.b1) * gv;
  let v1 = p.b2 * v[i] + (1.0 - p.b2) * gv * gv;
  mo[i] = m1;
  vo[i] = v1;
  let u = (m1 / p.bc1) / (sqrt(v1 / p.bc2) + vec4<f32>(p.eps)) + p.wd * xv;
  xo[i] = xv - p.lr * u;
}`;
  return { code, inputs: 4, outputs: 3 };
});

/** Hyper-parameters written to the uniform block of the update kernels. */
export interface UpdateHyper {
  /** Learning rate. */
  lr: number;
  /** Weight decay. */
  wd: number;
  /** Momentum (SGD). */
  mu?: number;
  /** Adam's beta1. */
  b1?: number;
  /** Adam's beta2. */
  b2?: number;
  /** Adam's epsilon. */
  eps?: number;
  /** 1 - beta1^t. */
  bc1?: number;
  /** 1 - beta2^t. */
  bc2?: number;
}

/**
 * Runs an update kernel over same-shaped f32 leaves; returns one new tensor per output.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { runUpdate, sgdKernel } from "./update_kernels.ts";
 * const [x1] = runUpdate(sgdKernel(false, false), [tensor([1]), tensor([2])], { lr: 0.5, wd: 0 });
 * console.log(await x1.read()); // Float32Array [0]
 * ```
 */
export function runUpdate(spec: KernelSpec, inputs: readonly Tensor[], h: UpdateHyper): Tensor[] {
  const rt = runtime();
  const shape = inputs[0].shape;
  const outs = Array.from({ length: spec.outputs }, () => Tensor.empty(shape, "f32", "update"));
  const n4 = Math.ceil(inputs[0].size / 4);
  const w = paramWords();
  w.u[0] = n4;
  w.f[1] = h.lr;
  w.f[2] = h.wd;
  w.f[3] = h.mu ?? 0;
  w.f[4] = h.b1 ?? 0;
  w.f[5] = h.b2 ?? 0;
  w.f[6] = h.eps ?? 0;
  w.f[7] = h.bc1 ?? 1;
  w.f[8] = h.bc2 ?? 1;
  rt.dispatch(
    spec,
    inputs.map((t) => t.buffer("optimizer update")),
    outs.map((t) => t.buffer()),
    w.u,
    grid(n4),
  );
  return outs;
}
