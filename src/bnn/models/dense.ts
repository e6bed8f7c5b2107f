/**
 * A dense layer in NTK parameterization for C chains: `h W * wStd / sqrt(fanIn) + bStd * b` with
 * raw `W [C, fanIn, fanOut]`, `b [C, 1, fanOut]` ~ N(0, 1), and the nonlinearities of the models.
 *
 * {@link denseAct} is the fused layer the models use: one matmul plus one kernel that adds the
 * bias and applies the nonlinearity, and a hand-written backward (one kernel for the
 * activation derivative and the bias gradient, one matmul per needed operand cotangent), so a
 * layer costs 2 dispatches forward and 2-3 backward instead of ~10 elementwise ops.
 *
 * @example
 * ```ts
 * import { random } from "../../gpu/mod.ts";
 * import { denseAct, denseNtk } from "./dense.ts";
 * const x = random.normal(random.key(0), [5, 3]);                    // shared inputs [n, fanIn]
 * const w = random.normal(random.key(1), [2, 3, 4]);                 // [C, fanIn, fanOut]
 * const b = random.normal(random.key(2), [2, 1, 4]);
 * console.log(denseNtk(x, w, b, 1.4, 0.1).shape); // [2, 5, 4]
 * console.log(denseAct(x, w, b, 1.4, 0.1, "gelu").shape); // [2, 5, 4]
 * ```
 * @module
 */
import { GradError, ShapeError } from "../../errors.ts";
import {
  add,
  customVjp,
  erf,
  gelu,
  matmul,
  mul,
  relu,
  runtime,
  sumToShape,
  Tensor,
} from "../../gpu/mod.ts";
import { wgslMathHelpers } from "../../gpu/kernels/elementwise.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, type KernelSpec } from "../../gpu/runtime.ts";
import { liveTrace, traceDepth } from "../../gpu/tape.ts";
import type { Activation } from "./model.ts";

/**
 * The NTK-parameterized affine map (see the module doc). `h` is `[n, fanIn]` or `[C, n, fanIn]`.
 *
 * @example
 * ```ts
 * import { ones } from "../../gpu/mod.ts";
 * import { denseNtk } from "./dense.ts";
 * console.log(await denseNtk(ones([1, 4]), ones([1, 4, 1]), ones([1, 1, 1]), 1, 0).read()); // [2]
 * ```
 */
export function denseNtk(h: Tensor, w: Tensor, b: Tensor, wStd: number, bStd: number): Tensor {
  const fanIn = w.shape[w.rank - 2];
  const z = mul(matmul(h, w), wStd / Math.sqrt(fanIn));
  return bStd === 0 ? z : add(z, mul(b, bStd));
}

/**
 * Applies a named nonlinearity.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { activate } from "./dense.ts";
 * console.log(await activate("relu", tensor([-1, 2])).read()); // [0, 2]
 * ```
 */
export function activate(name: Activation, x: Tensor): Tensor {
  switch (name) {
    case "relu":
      return relu(x);
    case "gelu":
      return gelu(x);
    case "erf":
      return erf(x);
  }
}

// The tensor core's f32 math helpers (the erf_ and gelu_ of its `erf` and `gelu`), so the fused
// layer computes the same functions.
const MATH_WGSL = wgslMathHelpers("f32");

const FWD: Record<Activation | "identity", string> = {
  identity: "v",
  relu: "max(v, 0.0)",
  gelu: "gelu_(v)",
  erf: "erf_(v)",
};
const DERIV: Record<Activation | "identity", string> = {
  identity: "1.0",
  relu: "select(0.0, 1.0, v > 0.0)",
  gelu: "0.5 * (1.0 + erf_(v * 0.7071067811865476)) + 0.3989422804014327 * v * exp(-0.5 * v * v)",
  erf: "1.1283791670955126 * exp(-v * v)",
};

// u = s z + bs b (written over z), y = act(u). Params: n, width, rows, s, bs.
function biasActKernel(act: Activation | "identity"): KernelSpec {
  const id = act === "identity";
  const code = `${MATH_WGSL}
struct P { n: u32, w: u32, rows: u32, s: f32, bs: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
${id ? "" : "@group(0) @binding(3) var<storage, read_write> y: array<f32>;"}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let j = i % p.w;
  let c = i / (p.w * p.rows);
  let v = p.s * z[i] + p.bs * b[c * p.w + j];
  z[i] = v;
  ${id ? "" : `y[i] = ${FWD[act]};`}
}`;
  return { code, inputs: 1, outputs: id ? 1 : 2 };
}

// dz = s g act'(u), db = bs sum_rows g act'(u): workgroup (column block of 64, chain).
function actBackKernel(act: Activation | "identity"): KernelSpec {
  const code = `${MATH_WGSL}
struct P { w: u32, rows: u32, s: f32, bs: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> u: array<f32>;
@group(0) @binding(3) var<storage, read_write> dz: array<f32>;
@group(0) @binding(4) var<storage, read_write> db: array<f32>;
var<workgroup> red: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let col = wid.x * 64u + tid % 64u;
  let c = wid.y;
  var acc = 0.0;
  if (col < p.w) {
    for (var r = tid / 64u; r < p.rows; r += 4u) {
      let i = (c * p.rows + r) * p.w + col;
      let v = u[i];
      let d = g[i] * (${DERIV[act]});
      dz[i] = p.s * d;
      acc += d;
    }
  }
  red[tid] = acc;
  workgroupBarrier();
  if (tid < 64u && col < p.w) {
    db[c * p.w + col] = p.bs * ((red[tid] + red[tid + 64u]) + (red[tid + 128u] + red[tid + 192u]));
  }
}`;
  return { code, inputs: 2, outputs: 2 };
}
const biasActK = memoKernel(biasActKernel);
const actBackK = memoKernel(actBackKernel);

function checkDense(h: Tensor, w: Tensor, b: Tensor): [number, number, number] {
  const [C, fanIn, W] = w.shape;
  const hOk = (h.rank === 2 || (h.rank === 3 && h.shape[0] === C)) &&
    h.shape[h.rank - 1] === fanIn;
  if (
    w.rank !== 3 || !hOk || b.rank !== 3 || b.shape[0] !== C || b.shape[1] !== 1 ||
    b.shape[2] !== W
  ) {
    throw new ShapeError(
      `denseAct: expected h [n, fanIn] or [C, n, fanIn], w [C, fanIn, fanOut] and b ` +
        `[C, 1, fanOut], got h [${h.shape.join(", ")}], w [${w.shape.join(", ")}], b ` +
        `[${b.shape.join(", ")}]`,
    );
  }
  return [C, h.shape[h.rank - 2], W];
}

/**
 * The fused layer `act(h W * wStd / sqrt(fanIn) + bStd * b)` (`act` "identity" for none), with
 * a hand-written first-order gradient (see the module doc; differentiating its gradient again,
 * e.g. a Hessian-vector product, throws a GradError).
 *
 * @example
 * ```ts
 * import { ones } from "../../gpu/mod.ts";
 * import { denseAct } from "./dense.ts";
 * const y = denseAct(ones([1, 4]), ones([1, 4, 1]), ones([1, 1, 1]), 1, -3, "relu");
 * console.log(await y.read()); // Float32Array [0]: relu(2 - 3)
 * ```
 */
export function denseAct(
  h: Tensor,
  w: Tensor,
  b: Tensor,
  wStd: number,
  bStd: number,
  act: Activation | "identity",
): Tensor {
  const [C, rows, W] = checkDense(h, w, b);
  const s = wStd / Math.sqrt(w.shape[1]);
  let pre: Tensor | null = null;
  const op = customVjp(
    (hh: Tensor, ww: Tensor, bb: Tensor) => {
      const z = matmul(hh, ww); // [C, rows, W]
      const p = paramWords();
      p.u.set([z.size, W, rows]);
      p.f[3] = s;
      p.f[4] = bStd;
      const y = act === "identity" ? z : Tensor.empty(z.shape, "f32", "denseAct");
      const outs = act === "identity" ? [z.buffer()] : [z.buffer(), y.buffer()];
      runtime().dispatch(biasActK(act), [bb.buffer("denseAct")], outs, p.u, grid(z.size));
      pre = z;
      return y;
    },
    (g: Tensor, [hh, ww, bb]: [Tensor, Tensor, Tensor]) => {
      if (traceDepth() > 1) {
        throw new GradError("denseAct: its gradient is first-order only (no grad of grad)");
      }
      const dz = Tensor.empty([C, rows, W], "f32", "denseAct backward");
      const db = Tensor.empty([C, 1, W], "f32", "denseAct backward");
      const p = paramWords();
      p.u.set([W, rows]);
      p.f[2] = s;
      p.f[3] = bStd;
      runtime().dispatch(
        actBackK(act),
        [g.buffer("denseAct backward"), pre!.buffer("denseAct backward")],
        [dz.buffer(), db.buffer()],
        p.u,
        [Math.ceil(W / 64), C, 1],
      );
      const dw = liveTrace(ww) ? matmul(hh, dz, { transA: true }) : null;
      const dh = !liveTrace(hh)
        ? null
        : hh.rank === 2
        ? sumToShape(matmul(dz, ww, { transB: true }), hh.shape)
        : matmul(dz, ww, { transB: true });
      return [dh, dw, liveTrace(bb) ? db : null];
    },
  );
  return op(h, w, b);
}
