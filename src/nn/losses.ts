/**
 * Losses and metrics as differentiable functions of GPU tensors: mean squared error, softmax
 * cross-entropy (stable, through `logsumexp`), sigmoid (logistic) cross-entropy, and accuracy.
 * Every loss takes a `reduction`: `"mean"` (default), `"sum"`, or `"none"` (per-example values).
 * Results stay on the GPU; read them back rarely (DESIGN.md principle 1).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { softmaxCrossEntropy } from "./losses.ts";
 * const logits = tensor([[2, 0, 0], [0, 3, 0]]);
 * const l = softmaxCrossEntropy(logits, tensor([0, 1], "i32"));
 * console.log(await l.item()); // ~0.1 (mean over the 2 examples)
 * ```
 * @module
 */
import { DtypeError, InvalidArgumentError, ShapeError } from "../errors.ts";
import {
  argmax,
  astype,
  equal,
  logsumexp,
  mean,
  mul,
  oneHot,
  reshape,
  softplus,
  square,
  sub,
  sum,
  type Tensor,
} from "../gpu/mod.ts";
import { traceDepth } from "../gpu/tape.ts";
import { tidy } from "./tidy.ts";
import { fusedSoftmaxCrossEntropyRows } from "./softmax_xent_kernel.ts";

/** How per-element or per-example losses are combined. */
export type Reduction = "mean" | "sum" | "none";

const fmt = (s: readonly number[]) => `[${s.join(",")}]`;

function checkReduction(where: string, r: unknown): Reduction {
  if (r !== "mean" && r !== "sum" && r !== "none") {
    throw new InvalidArgumentError(
      `${where}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(r)}`,
    );
  }
  return r;
}

function checkF32(where: string, name: string, t: Tensor): void {
  if (t.dtype !== "f32") {
    throw new DtypeError(`${where}: ${name} must be f32, got ${t.dtype} ${fmt(t.shape)}`);
  }
}

function reduce(x: Tensor, r: Reduction): Tensor {
  return r === "mean" ? mean(x) : r === "sum" ? sum(x) : x;
}

/**
 * Mean squared error `(pred - target)^2`, averaged (or summed) over all elements; `"none"`
 * keeps the elementwise values. Shapes must be equal.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { mse } from "./losses.ts";
 * await mse(tensor([1, 2]), tensor([0, 0])).item(); // 2.5
 * await mse(tensor([1, 2]), tensor([0, 0]), "sum").item(); // 5
 * ```
 */
export function mse(pred: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  const r = checkReduction("mse", reduction);
  checkF32("mse", "pred", pred);
  checkF32("mse", "target", target);
  if (pred.shape.join() !== target.shape.join()) {
    throw new ShapeError(
      `mse: pred ${fmt(pred.shape)} and target ${fmt(target.shape)} must have the same shape`,
    );
  }
  return tidy(() => reduce(square(sub(pred, target)), r));
}

/**
 * Labels as a one-hot (or soft) f32 tensor matching `logits` [..., C]: i32/u32 class ids of
 * shape [...] are one-hot encoded; f32 labels must already have the logits' shape.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { labelsAsOneHot } from "./losses.ts";
 * await labelsAsOneHot("demo", tensor([[0, 0, 0]]), tensor([2], "i32")).toArray(); // [[0, 0, 1]]
 * ```
 */
export function labelsAsOneHot(where: string, logits: Tensor, labels: Tensor): Tensor {
  checkLabels(where, logits, labels);
  const C = logits.shape[logits.rank - 1];
  return labels.dtype === "f32" ? labels : oneHot(labels, C);
}

/** Throws a ShapeError unless labels fit logits [..., C] (f32 [..., C] or integer ids [...]). */
function checkLabels(where: string, logits: Tensor, labels: Tensor): void {
  const batch = logits.shape.slice(0, -1);
  if (labels.dtype === "f32") {
    if (labels.shape.join() !== logits.shape.join()) {
      throw new ShapeError(
        `${where}: f32 (one-hot) labels ${fmt(labels.shape)} must match logits ` +
          `${fmt(logits.shape)}; pass i32 class ids of shape ${fmt(batch)} otherwise`,
      );
    }
    return;
  }
  if (labels.shape.join() !== batch.join()) {
    throw new ShapeError(
      `${where}: integer class ids ${fmt(labels.shape)} must have shape ${fmt(batch)} ` +
        `(logits ${fmt(logits.shape)} without the class axis)`,
    );
  }
}

/**
 * Softmax cross-entropy `logsumexp(z) - <y, z>` over the last axis of `logits` [..., C],
 * stable for large logits. `labels`: one-hot (or probability) f32 [..., C], or i32 class ids
 * [...]. The reduction runs over examples.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { softmaxCrossEntropy } from "./losses.ts";
 * const z = tensor([[1000, 0], [0, 0]]);
 * await softmaxCrossEntropy(z, tensor([[1, 0], [0, 1]]), "none").read(); // [0, 0.6931]
 * ```
 */
export function softmaxCrossEntropy(
  logits: Tensor,
  labels: Tensor,
  reduction: Reduction = "mean",
): Tensor {
  const r = checkReduction("softmaxCrossEntropy", reduction);
  checkF32("softmaxCrossEntropy", "logits", logits);
  if (logits.rank < 1) {
    throw new ShapeError(`softmaxCrossEntropy: logits must have a class axis, got shape []`);
  }
  return tidy(() => softmaxCrossEntropyImpl(logits, labels, r));
}

function softmaxCrossEntropyImpl(logits: Tensor, labels: Tensor, r: Reduction): Tensor {
  const C = logits.shape[logits.rank - 1];
  const batch = logits.shape.slice(0, -1);
  if (traceDepth() <= 1 && C > 0) {
    // One fused dispatch forward and one backward; exact for first-order gradients.
    checkLabels("softmaxCrossEntropy", logits, labels);
    const R = logits.size / C;
    const z2 = reshape(logits, [R, C]);
    const y2 = labels.dtype === "f32"
      ? reshape(labels, [R, C])
      : reshape(labels.dtype === "i32" ? labels : astype(labels, "i32"), [R]);
    const rows = fusedSoftmaxCrossEntropyRows(z2, y2);
    const per = reshape(rows, batch);
    return r === "none" ? per : reduce(per, r);
  }
  // Nested gradients (Hessians, meta-gradients): differentiable ops all the way.
  const y = labelsAsOneHot("softmaxCrossEntropy", logits, labels);
  const per = sub(logsumexp(logits, -1), sum(mul(y, logits), -1));
  return reduce(per, r);
}

/**
 * Sigmoid (logistic) cross-entropy with targets in [0, 1], elementwise:
 * `softplus(z) - t z` = `-t log s(z) - (1 - t) log(1 - s(z))`, stable for large |z|.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { sigmoidCrossEntropy } from "./losses.ts";
 * await sigmoidCrossEntropy(tensor([0]), tensor([1])).item(); // 0.6931 (log 2)
 * ```
 */
export function sigmoidCrossEntropy(
  logits: Tensor,
  targets: Tensor,
  reduction: Reduction = "mean",
): Tensor {
  const r = checkReduction("sigmoidCrossEntropy", reduction);
  checkF32("sigmoidCrossEntropy", "logits", logits);
  checkF32("sigmoidCrossEntropy", "targets", targets);
  if (logits.shape.join() !== targets.shape.join()) {
    throw new ShapeError(
      `sigmoidCrossEntropy: logits ${fmt(logits.shape)} and targets ${fmt(targets.shape)} ` +
        `must have the same shape`,
    );
  }
  return tidy(() => reduce(sub(softplus(logits), mul(targets, logits)), r));
}

/**
 * Classification accuracy (a scalar f32 tensor, still on the GPU): the fraction of rows whose
 * argmax logit equals the label (i32 class ids [...] or one-hot f32 [..., C]).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { accuracy } from "./losses.ts";
 * await accuracy(tensor([[1, 0], [0, 1], [1, 0]]), tensor([0, 1, 1], "i32")).item(); // 0.6667
 * ```
 */
export function accuracy(logits: Tensor, labels: Tensor): Tensor {
  checkF32("accuracy", "logits", logits);
  if (logits.rank < 1) throw new ShapeError(`accuracy: logits must have a class axis, got []`);
  const batch = logits.shape.slice(0, -1);
  let ids: Tensor;
  if (labels.dtype === "f32") {
    if (labels.shape.join() !== logits.shape.join()) {
      throw new ShapeError(
        `accuracy: one-hot labels ${fmt(labels.shape)} must match logits ${fmt(logits.shape)}`,
      );
    }
    ids = argmax(labels, -1);
  } else {
    if (labels.shape.join() !== batch.join()) {
      throw new ShapeError(
        `accuracy: class ids ${fmt(labels.shape)} must have shape ${fmt(batch)} ` +
          `(logits ${fmt(logits.shape)} without the class axis)`,
      );
    }
    ids = labels.dtype === "i32" ? labels : astype(labels, "i32");
  }
  const pred = argmax(logits, -1);
  const eq = equal(pred, ids);
  const hit = astype(eq, "f32");
  const acc = mean(hit);
  // Free the intermediates now (accuracy is often called outside any scope).
  for (const t of [pred, eq, hit]) t.dispose();
  if (ids !== labels) ids.dispose();
  return acc;
}
