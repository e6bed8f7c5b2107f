/**
 * Training finite fully connected networks (built from the same stax description as the
 * kernels) by full-batch gradient descent or minibatch SGD on the MSE loss
 * `0.5 * mean((f - y)^2)`, as an ensemble: E independently initialized members share one
 * batched forward/backward pass (parameters carry a leading member axis). Nothing is read back
 * during training (DESIGN.md principle 1); the caller reads the returned test outputs once.
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
import { InvalidArgumentError } from "../../errors.ts";
import {
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
  /** [E, nTest, k] outputs at initialization (for centering). */
  testOut0: Tensor;
  /** [E, nTest, k] outputs after training. */
  testOut: Tensor;
  /** [E, nTrain, k] outputs on the training set after training. */
  trainOut: Tensor;
  /** Steps actually run (fewer if aborted). */
  steps: number;
}

/**
 * Trains an ensemble of finite networks described by `net` on (xTrain, yTrain) and returns
 * test/train outputs. The loss sums the members' `0.5 * mean((f - y)^2)`, so each member
 * follows its own gradient.
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
  const n = xTrain.shape[0];
  const batch = options.batchSize && options.batchSize < n ? options.batchSize : 0;
  const [kInit, kBatch] = random.split(key);
  let params = keep(initEnsemble(net, kInit, [xTrain.shape[1]], members));
  const testOut0 = keep(net.apply(params, xTest));
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
    let xb = xTrain, yb = yTrain, idx: Tensor | null = null;
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
      yb = take(yTrain, idx, 0);
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
  const testOut = keep(net.apply(params, xTest));
  const trainOut = keep(net.apply(params, xTrain));
  dispose(params);
  dispose(state);
  return { testOut0, testOut, trainOut, steps: done };
}
