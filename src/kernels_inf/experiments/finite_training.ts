/**
 * Training finite fully connected networks (built from the same stax description as the
 * kernels) by full-batch gradient descent or minibatch SGD on the MSE loss
 * `0.5 * mean((f - y)^2)`, as an ensemble: E independently initialized members share one
 * batched forward/backward pass (parameters carry a leading member axis). Nothing is read back
 * during training (DESIGN.md principle 1); the caller reads the returned test outputs once.
 *
 * Centred networks (Lee et al. 2020, "Finite Versus Infinite Neural Networks", section 3:
 * "centering") are `f_c(x; theta) = f(x; theta) - f(x; theta_0)` with `theta_0` each member's
 * frozen initialization. Since `f_c - y = f - (y + f(x; theta_0))`, gradient descent on `f_c`
 * with targets y is gradient descent on f with per-member shifted targets
 * `y + f(x_train; theta_0)`; `centered: true` trains that way and returns
 * `f(x; theta) - f(x; theta_0)`. Centring removes the random initial function, the main source
 * of a finite network's prediction variance (what ensembling averages away).
 *
 * @example
 * ```ts
 * import { trainFiniteEnsemble } from "./finite_training.ts";
 * import { dense, relu, serial } from "../mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * const x = random.normal(random.key(0), [16, 4]), y = random.normal(random.key(1), [16, 2]);
 * const net = serial(dense(8), relu(), dense(2));
 * const r = trainFiniteEnsemble(net, x, y, x, { members: 3, steps: 5, lr: 0.5, key: random.key(2) });
 * console.log(r.testOut.shape, r.testOut0.shape); // [3, 16, 2] [3, 16, 2]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import {
  add,
  dispose,
  grad,
  keep,
  mean,
  mul,
  random,
  scope,
  square,
  sub,
  take,
  type Tensor,
  tensor,
} from "../../gpu/mod.ts";
import { sgd } from "../../nn/optimizers.ts";
import type { Params as NnParams } from "../../nn/layer.ts";
import { initEnsemble, type Key, type Layer, type Params } from "../stax/layer.ts";

/**
 * Options of {@link trainFiniteEnsemble}.
 *
 * @example
 * ```ts
 * import type { FiniteTrainOptions } from "./finite_training.ts";
 * import { random } from "../../gpu/mod.ts";
 * const o: FiniteTrainOptions = { members: 4, steps: 100, lr: 1, key: random.key(0) };
 * console.log(o.batchSize); // undefined (full batch)
 * ```
 */
export interface FiniteTrainOptions {
  /** Ensemble members trained together. */
  members: number;
  /** Optimizer steps. */
  steps: number;
  /** Learning rate (per step, on 0.5 * mean squared error). */
  lr: number;
  /** Random key for initialization and minibatches. */
  key: Key;
  /** Minibatch size; 0 or undefined = full-batch gradient descent. */
  batchSize?: number;
  /**
   * Train centred networks `f(x; theta) - f(x; theta_0)` (default false): the outputs
   * `testOut` and `trainOut` are then centred too (`testOut0` stays `f(x_test; theta_0)`).
   */
  centered?: boolean;
  /** Called every `tickEvery` steps (progress only; no GPU reads). */
  onStep?: (step: number) => void;
  /** Stops early when aborted. */
  signal?: AbortSignal;
}

/**
 * Outputs of a trained ensemble on the test inputs, at initialization and after training.
 *
 * @example
 * ```ts
 * import type { FiniteTrainResult } from "./finite_training.ts";
 * const r: Partial<FiniteTrainResult> = { steps: 10 };
 * console.log(r.steps); // 10
 * ```
 */
export interface FiniteTrainResult {
  /** [E, nTest, k] outputs `f(x_test; theta_0)` at initialization. */
  testOut0: Tensor;
  /** [E, nTest, k] outputs after training (centred, `f - f_0`, when `centered`). */
  testOut: Tensor;
  /** [E, nTrain, k] outputs on the training set after training (centred when `centered`). */
  trainOut: Tensor;
  /** Steps actually run (fewer if aborted). */
  steps: number;
}

/**
 * Trains an ensemble of finite networks described by `net` on (xTrain, yTrain) and returns
 * test/train outputs. The loss sums the members' `0.5 * mean((f - y)^2)`, so each member
 * follows its own gradient. `yTrain` is [n, k] (shared) or [E, n, k] (per-member targets);
 * minibatches take the same example rows for every member.
 *
 * @example
 * ```ts
 * import { trainFiniteEnsemble } from "./finite_training.ts";
 * import { dense, serial } from "../mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * const x = random.normal(random.key(0), [8, 3]), y = random.normal(random.key(1), [8, 1]);
 * const r = trainFiniteEnsemble(serial(dense(1)), x, y, x,
 *   { members: 1, steps: 3, lr: 0.1, batchSize: 4, key: random.key(0) });
 * console.log(r.steps); // 3
 * // centred networks predict exactly 0 before training
 * const c = trainFiniteEnsemble(serial(dense(1)), x, y, x,
 *   { members: 2, steps: 0, lr: 0.1, centered: true, key: random.key(0) });
 * console.log((await c.testOut.read()).every((v) => v === 0)); // true
 * ```
 */
export function trainFiniteEnsemble(
  net: Layer,
  xTrain: Tensor,
  yTrain: Tensor,
  xTest: Tensor,
  options: FiniteTrainOptions,
): FiniteTrainResult {
  const { members, steps, lr, key } = options;
  if (!Number.isInteger(members) || members < 1) {
    throw new InvalidArgumentError(`trainFiniteEnsemble: members must be >= 1, got ${members}`);
  }
  if (!Number.isInteger(steps) || steps < 0) {
    throw new InvalidArgumentError(`trainFiniteEnsemble: steps must be >= 0, got ${steps}`);
  }
  checkShapes(net, xTrain, yTrain, xTest, members);
  const n = xTrain.shape[0];
  const batch = options.batchSize && options.batchSize < n ? options.batchSize : 0;
  const centered = options.centered ?? false;
  const [kInit, kBatch] = random.split(key);
  let params = keep(initEnsemble(net, kInit, [xTrain.shape[1]], members));
  const testOut0 = keep(scope(() => net.apply(params, xTest)));
  // Centred: f_c - y = f - (y + f_0), so train f on the per-member shifted targets y + f_0.
  const trainOut0 = centered ? keep(scope(() => net.apply(params, xTrain))) : null;
  const targets = trainOut0 ? keep(add(yTrain, trainOut0)) : yTrain;
  // Example axis of the targets: 0 for shared [n, k], 1 for per-member [E, n, k].
  const yAxis = targets.rank === 3 ? 1 : 0;
  const opt = sgd({ lr });
  let state = opt.init(params as NnParams);
  const loss = (p: Params, x: Tensor, y: Tensor) =>
    mul(mean(square(sub(net.apply(p, x), y))), 0.5 * members);
  const g = grad(loss);
  const perm = batch ? random.permutationHost(kBatch, n) : null;
  let cursor = 0, epoch = 0;
  let done = 0;
  for (let s = 0; s < steps; s++) {
    if (options.signal?.aborted) break;
    let xb = xTrain, yb = targets, idx: Tensor | null = null;
    if (batch && perm) {
      if (cursor + batch > n) {
        epoch++;
        const p2 = random.permutationHost(random.foldIn(kBatch, epoch), n);
        perm.set(p2);
        cursor = 0;
      }
      idx = tensor(perm.subarray(cursor, cursor + batch), { shape: [batch], dtype: "i32" });
      cursor += batch;
      xb = take(xTrain, idx, 0);
      yb = take(targets, idx, yAxis);
    }
    const next = scope(() => {
      const gr = g(params, xb, yb);
      return opt.update(gr, state, params as NnParams);
    });
    dispose(params);
    dispose(state);
    params = keep(next.params as Params);
    state = keep(next.state);
    if (idx) dispose([idx, xb, yb]);
    done++;
    options.onStep?.(s + 1);
  }
  const p = params;
  const testOut = keep(scope(() => {
    const f = net.apply(p, xTest);
    return centered ? sub(f, testOut0) : f;
  }));
  const trainOut = keep(scope(() => {
    const f = net.apply(p, xTrain);
    return trainOut0 ? sub(f, trainOut0) : f;
  }));
  dispose(params);
  dispose(state);
  if (trainOut0) dispose([targets, trainOut0]);
  return { testOut0, testOut, trainOut, steps: done };
}

function checkShapes(
  net: Layer,
  xTrain: Tensor,
  yTrain: Tensor,
  xTest: Tensor,
  members: number,
): void {
  const fmt = (t: Tensor) => `[${t.shape.join(", ")}]`;
  if (xTrain.rank !== 2 || xTest.rank !== 2 || xTest.shape[1] !== xTrain.shape[1]) {
    throw new ShapeError(
      `trainFiniteEnsemble: xTrain and xTest must be [n, d] and [t, d], got ${fmt(xTrain)} and ` +
        `${fmt(xTest)}`,
    );
  }
  const n = xTrain.shape[0];
  const out = net.outputShape([xTrain.shape[1]]);
  const k = Array.isArray(out) && typeof out[0] === "number" ? out[0] as number : NaN;
  const ok = yTrain.rank === 2
    ? yTrain.shape[0] === n && yTrain.shape[1] === k
    : yTrain.rank === 3 && yTrain.shape[0] === members && yTrain.shape[1] === n &&
      yTrain.shape[2] === k;
  if (!ok) {
    throw new ShapeError(
      `trainFiniteEnsemble: yTrain must be [${n}, ${k}] or [${members}, ${n}, ${k}] (members, ` +
        `examples, outputs) for xTrain ${fmt(xTrain)}, got ${fmt(yTrain)}`,
    );
  }
}
