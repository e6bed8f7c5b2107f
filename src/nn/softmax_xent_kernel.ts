/**
 * Fused softmax cross-entropy kernels: the forward pass is one dispatch (one thread per row,
 * an online max/sum-of-exponentials pass, so it is stable for huge logits), the backward pass
 * another (`g_r * (softmax(z) - y)`), instead of about 25 elementwise and reduction dispatches.
 * `softmaxCrossEntropy` uses them for first-order gradients; inside nested gradient traces it
 * uses differentiable ops so that higher derivatives stay exact.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { fusedSoftmaxCrossEntropyRows } from "./softmax_xent_kernel.ts";
 * const l = fusedSoftmaxCrossEntropyRows(tensor([[0, 0], [5, 0]]), tensor([0, 1], "i32"));
 * console.log(await l.read()); // ~[0.6931, 5.0067]
 * ```
 * @module
 */
import { ENTRY, LINEAR_INDEX, memoKernel, paramWords } from "../gpu/kernels/indexing.ts";
import { grid, type KernelSpec, runtime } from "../gpu/runtime.ts";
import { isRecording, liveTrace, record } from "../gpu/tape.ts";
import { expandDims, mul, neg, reshape, Tensor } from "../gpu/mod.ts";

const P = `struct P { rows: u32, C: u32, n: u32, pad: u32 };
@group(0) @binding(0) var<uniform> p: P;`;

/** Labels as one-hot/soft f32 rows or as i32 class ids. */
type LabelKind = "f32" | "i32";

const labelRead = (kind: LabelKind) =>
  kind === "f32"
    ? `fn label(r: u32, k: u32) -> f32 { return y[r * p.C + k]; }`
    : `fn label(r: u32, k: u32) -> f32 { return select(0.0, 1.0, y[r] == i32(k)); }`;

const forwardKernel = memoKernel((kind: LabelKind): KernelSpec => {
  const code = `${P}
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<${kind}>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;
${labelRead(kind)}
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.rows) { return; }
  let base = i * p.C;
  var m = -3.4028234e38;
  var s = 0.0;
  var dot = 0.0;
  for (var k = 0u; k < p.C; k++) {
    let v = z[base + k];
    if (v > m) { s = s * exp(m - v); m = v; }
    s += exp(v - m);
    ${kind === "f32" ? "dot += y[base + k] * v;" : ""}
  }
  ${
    kind === "i32"
      ? "let id = y[i]; if (id >= 0 && u32(id) < p.C) { dot = z[base + u32(id)]; }"
      : ""
  }
  let l = m + log(s);
  lse[i] = l;
  loss[i] = l - dot;
}`;
  return { code, inputs: 2, outputs: 2 };
});

const backwardKernel = memoKernel((kind: LabelKind): KernelSpec => {
  const code = `${P}
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<${kind}>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read_write> dz: array<f32>;
${labelRead(kind)}
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let r = i / p.C;
  let k = i - r * p.C;
  dz[i] = g[r] * (exp(z[i] - lse[r]) - label(r, k));
}`;
  return { code, inputs: 4, outputs: 1 };
});

/**
 * Per-row softmax cross-entropy of `logits` [R, C] (f32) against labels: one-hot/soft f32
 * [R, C] or i32 class ids [R] (an out-of-range id counts as an all-zero label row). Returns the
 * losses [R] with a first-order gradient recorded for the logits (and for f32 labels).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { fusedSoftmaxCrossEntropyRows } from "./softmax_xent_kernel.ts";
 * const l = fusedSoftmaxCrossEntropyRows(tensor([[1000, 0]]), tensor([[0, 1]]));
 * console.log(await l.read()); // Float32Array [1000]
 * ```
 */
export function fusedSoftmaxCrossEntropyRows(logits: Tensor, labels: Tensor): Tensor {
  const rt = runtime();
  const [R, C] = logits.shape;
  const kind: LabelKind = labels.dtype === "f32" ? "f32" : "i32";
  const loss = Tensor.empty([R], "f32", "softmaxCrossEntropy");
  const lse = Tensor.empty([R], "f32", "softmaxCrossEntropy");
  const w = paramWords();
  w.u[0] = R;
  w.u[1] = C;
  w.u[2] = R * C;
  rt.dispatch(
    forwardKernel(kind),
    [logits.buffer("softmaxCrossEntropy"), labels.buffer("softmaxCrossEntropy")],
    [loss.buffer(), lse.buffer()],
    w.u,
    grid(R),
  );
  if (!isRecording()) {
    lse.dispose();
    return loss;
  }
  // lse stays alive until the enclosing gradient call's scope ends (it owns it).
  return record(loss, [logits, labels], (g) => {
    const dz = Tensor.empty([R, C], "f32", "softmaxCrossEntropy backward");
    const wb = paramWords();
    wb.u[0] = R;
    wb.u[1] = C;
    wb.u[2] = R * C;
    runtime().dispatch(
      backwardKernel(kind),
      [logits.buffer(), labels.buffer(), lse.buffer(), g.buffer()],
      [dz.buffer()],
      wb.u,
      grid(R * C),
    );
    // d/dy (lse - y.z) = -z, only when the labels themselves are being differentiated.
    const dy = kind === "f32" && liveTrace(labels)
      ? mul(neg(logits), expandDims(reshape(g, [R]), 1))
      : null;
    return [dz, dy];
  });
}
