/**
 * A two-layer fully connected network `f(x) = act(x W1 + b1) W2 + b2` with a leading group axis:
 * G independent networks (one per whitening transform of `whitenTrainTest`, say) are trained
 * together by full-batch gradient descent on the squared loss, in batched matmuls, with nothing
 * read back. Its first layer is dense, the model class of Wadia et al. (2021).
 *
 * Initialization (standard parameterization, LeCun fan-in): W1 ~ N(0, wStd^2 / d),
 * W2 ~ N(0, 1 / width), biases 0. The loss summed over groups,
 * `sum_g ||f_g(X_g) - Y||^2 / (2 n)`, has as gradient in each group's parameters that group's
 * own mean-squared-error gradient. Training is full-batch gradient descent, optionally with
 * heavy-ball momentum (`v <- momentum v + g`, `p <- p - lr v`): updates stay linear
 * combinations of gradients, so the first layer still sees the inputs only through their
 * sample-sample second moments, the paper's premise.
 *
 * @example
 * ```ts
 * import { applyGroupMlp, initGroupMlp, trainGroupMlp } from "./group_mlp.ts";
 * import { random } from "../../gpu/mod.ts";
 * const x = random.normal(random.key(0), [2, 16, 5]); // 2 groups of 16 points in 5 dimensions
 * const y = random.normal(random.key(1), [16, 3]);
 * const p0 = initGroupMlp(random.key(2), { groups: 2, inputs: 5, width: 8, outputs: 3 });
 * const p = trainGroupMlp({ params: p0, x, y, steps: 20, lr: 0.1 });
 * console.log(applyGroupMlp(p, x).shape); // [2, 16, 3]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import {
  add,
  dispose,
  grad,
  type Key,
  matmul,
  mul,
  random,
  relu,
  runtime,
  scope,
  square,
  sub,
  sum,
  tanh,
  type Tensor,
  zeros,
} from "../../gpu/mod.ts";

/**
 * Parameters of G two-layer networks.
 *
 * @example
 * ```ts
 * import type { GroupMlpParams } from "./group_mlp.ts";
 * const widthOf = (p: GroupMlpParams) => p.w1.shape[2];
 * console.log(typeof widthOf); // "function"
 * ```
 */
export interface GroupMlpParams {
  /** Every leaf is a tensor (so the parameters form a tree for `grad`). */
  [k: string]: Tensor;
  /** First-layer weights [G, d, width]. */
  w1: Tensor;
  /** First-layer biases [G, 1, width]. */
  b1: Tensor;
  /** Readout weights [G, width, k]. */
  w2: Tensor;
  /** Readout biases [G, 1, k]. */
  b2: Tensor;
}

/**
 * Hidden activations {@link applyGroupMlp} supports.
 *
 * @example
 * ```ts
 * import type { GroupMlpActivation } from "./group_mlp.ts";
 * const a: GroupMlpActivation = "relu";
 * console.log(a); // "relu"
 * ```
 */
export type GroupMlpActivation = "relu" | "tanh";

/**
 * Sizes and initialization of {@link initGroupMlp}.
 *
 * @example
 * ```ts
 * import type { GroupMlpShape } from "./group_mlp.ts";
 * const s: GroupMlpShape = { groups: 1, inputs: 49, width: 64, outputs: 10 };
 * console.log(s.width); // 64
 * ```
 */
export interface GroupMlpShape {
  /** Number of independent networks G. */
  groups: number;
  /** Input features d. */
  inputs: number;
  /** Hidden width. */
  width: number;
  /** Outputs k. */
  outputs: number;
  /** First-layer weight scale: W1 ~ N(0, wStd^2 / d) (default 1). */
  wStd?: number;
}

/**
 * Draws G independent networks' parameters (see the module doc).
 *
 * @example
 * ```ts
 * import { initGroupMlp } from "./group_mlp.ts";
 * import { random } from "../../gpu/mod.ts";
 * const p = initGroupMlp(random.key(0), { groups: 3, inputs: 4, width: 6, outputs: 2 });
 * console.log(p.w1.shape, p.b2.shape); // [3, 4, 6] [3, 1, 2]
 * ```
 */
export function initGroupMlp(key: Key, s: GroupMlpShape): GroupMlpParams {
  const wStd = s.wStd ?? 1;
  for (const f of ["groups", "inputs", "width", "outputs"] as const) {
    if (!Number.isInteger(s[f]) || s[f] < 1) {
      throw new InvalidArgumentError(`initGroupMlp: ${f} must be an integer >= 1, got ${s[f]}`);
    }
  }
  if (!(Number.isFinite(wStd) && wStd > 0)) {
    throw new InvalidArgumentError(`initGroupMlp: wStd must be a finite number > 0, got ${wStd}`);
  }
  const [k1, k2] = random.split(key);
  const { groups: G, inputs: d, width: h, outputs: k } = s;
  return {
    w1: random.normal(k1, [G, d, h], 0, wStd / Math.sqrt(d)),
    b1: zeros([G, 1, h]),
    w2: random.normal(k2, [G, h, k], 0, 1 / Math.sqrt(h)),
    b2: zeros([G, 1, k]),
  };
}

function checkInputs(where: string, p: GroupMlpParams, x: Tensor): void {
  const [G, d] = p.w1.shape;
  const ok = (x.rank === 2 && x.shape[1] === d) ||
    (x.rank === 3 && x.shape[2] === d && (x.shape[0] === G || x.shape[0] === 1));
  if (!ok) {
    throw new ShapeError(
      `${where}: expected x [n, ${d}] or [${G}, n, ${d}] for W1 [${p.w1.shape.join(", ")}], ` +
        `got [${x.shape.join(", ")}]`,
    );
  }
}

/**
 * The G networks' outputs [G, n, k] on inputs [G, n, d] (group g sees x[g]) or [n, d] (shared).
 *
 * @example
 * ```ts
 * import { applyGroupMlp, initGroupMlp } from "./group_mlp.ts";
 * import { random } from "../../gpu/mod.ts";
 * const p = initGroupMlp(random.key(0), { groups: 2, inputs: 3, width: 4, outputs: 1 });
 * console.log(applyGroupMlp(p, random.normal(random.key(1), [5, 3]), "tanh").shape); // [2, 5, 1]
 * ```
 */
export function applyGroupMlp(
  p: GroupMlpParams,
  x: Tensor,
  activation: GroupMlpActivation = "relu",
): Tensor {
  checkInputs("applyGroupMlp", p, x);
  const act = activation === "relu" ? relu : tanh;
  return add(matmul(act(add(matmul(x, p.w1), p.b1)), p.w2), p.b2);
}

/**
 * `sum_g ||pred_g - y_g||^2 / (2 n)` for predictions [G, n, k] and targets [n, k] or [G, n, k]:
 * each group's mean (over examples) of half the squared error, summed over groups.
 *
 * @example
 * ```ts
 * import { groupSquaredLoss } from "./group_mlp.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * console.log(await groupSquaredLoss(tensor([[[1], [3]]]), tensor([[0], [0]])).item()); // 2.5
 * ```
 */
export function groupSquaredLoss(pred: Tensor, y: Tensor): Tensor {
  const n = pred.shape[pred.rank - 2];
  if (
    pred.rank !== 3 || (y.rank !== 2 && y.rank !== 3) ||
    y.shape.join() !== pred.shape.slice(3 - y.rank).join()
  ) {
    throw new ShapeError(
      `groupSquaredLoss: expected pred [G, n, k] and y [n, k] or [G, n, k], got ` +
        `[${pred.shape.join(", ")}] and [${y.shape.join(", ")}]`,
    );
  }
  return mul(sum(square(sub(pred, y))), 0.5 / n);
}

/**
 * Options of {@link trainGroupMlp}.
 *
 * @example
 * ```ts
 * import type { TrainGroupMlpOptions } from "./group_mlp.ts";
 * const f = (o: TrainGroupMlpOptions) => o.lr;
 * console.log(typeof f); // "function"
 * ```
 */
export interface TrainGroupMlpOptions {
  /** Initial parameters (not disposed). */
  params: GroupMlpParams;
  /** Inputs [G, n, d] or [n, d]. */
  x: Tensor;
  /** Targets [n, k] or [G, n, k]. */
  y: Tensor;
  /** Gradient-descent steps. */
  steps: number;
  /** Learning rate. */
  lr: number;
  /** Hidden activation (default "relu"). */
  activation?: GroupMlpActivation;
  /** Heavy-ball momentum in [0, 1) (default 0: plain gradient descent). */
  momentum?: number;
  /** Step counts (increasing, at most `steps`) after which `onCheckpoint` runs. */
  checkpoints?: number[];
  /**
   * Called synchronously with the current parameters (do not dispose them) after each step in
   * `checkpoints`, e.g. to record predictions on the GPU for one readback at the end.
   */
  onCheckpoint?: (params: GroupMlpParams, step: number) => void;
  /** Submit the recorded GPU work every this many steps (default 8). */
  flushEvery?: number;
}

/**
 * Full-batch gradient descent on {@link groupSquaredLoss}; returns the final parameters (new
 * tensors). Nothing is read back.
 *
 * @example
 * ```ts
 * import { applyGroupMlp, groupSquaredLoss, initGroupMlp, trainGroupMlp } from "./group_mlp.ts";
 * import { random } from "../../gpu/mod.ts";
 * const x = random.normal(random.key(0), [32, 4]), y = random.normal(random.key(1), [32, 2]);
 * const p0 = initGroupMlp(random.key(2), { groups: 1, inputs: 4, width: 32, outputs: 2 });
 * const p = trainGroupMlp({ params: p0, x, y, steps: 100, lr: 0.2 });
 * const [l0, l1] = await Promise.all([p0, p].map((q) => groupSquaredLoss(applyGroupMlp(q, x), y).item()));
 * console.log(l1 < l0); // true
 * ```
 */
export function trainGroupMlp(o: TrainGroupMlpOptions): GroupMlpParams {
  const where = "trainGroupMlp";
  if (!Number.isInteger(o.steps) || o.steps < 0) {
    throw new InvalidArgumentError(`${where}: steps must be an integer >= 0, got ${o.steps}`);
  }
  if (!(Number.isFinite(o.lr) && o.lr > 0)) {
    throw new InvalidArgumentError(`${where}: lr must be a finite number > 0, got ${o.lr}`);
  }
  const flushEvery = o.flushEvery ?? 8;
  if (!Number.isInteger(flushEvery) || flushEvery < 1) {
    throw new InvalidArgumentError(
      `${where}: flushEvery must be an integer >= 1, got ${flushEvery}`,
    );
  }
  const momentum = o.momentum ?? 0;
  if (!(momentum >= 0 && momentum < 1)) {
    throw new InvalidArgumentError(`${where}: momentum must be in [0, 1), got ${momentum}`);
  }
  const checkpoints = new Set(o.checkpoints ?? []);
  checkInputs(where, o.params, o.x);
  const act = o.activation ?? "relu";
  const g = grad((q: GroupMlpParams) => groupSquaredLoss(applyGroupMlp(q, o.x, act), o.y));
  const names = ["w1", "b1", "w2", "b2"] as const;
  let p = scope(() =>
    Object.fromEntries(names.map((k) => [k, mul(o.params[k], 1)]))
  ) as GroupMlpParams;
  let v: GroupMlpParams | null = null;
  for (let step = 0; step < o.steps; step++) {
    const prev = p, prevV = v;
    const next = scope(() => {
      const d = g(prev);
      const vel = momentum > 0 && prevV
        ? Object.fromEntries(names.map((k) => [k, add(mul(prevV[k], momentum), d[k])]))
        : d;
      return {
        p: Object.fromEntries(names.map((k) => [k, sub(prev[k], mul(vel[k], o.lr))])),
        v: momentum > 0 ? vel : null,
      };
    });
    p = next.p as GroupMlpParams;
    v = next.v as GroupMlpParams | null;
    dispose([prev, prevV]);
    if (checkpoints.has(step + 1)) o.onCheckpoint?.(p, step + 1);
    if ((step + 1) % flushEvery === 0) runtime().flush();
  }
  dispose(v);
  return p;
}
