/**
 * A trained learned optimizer as an ordinary `src/nn` {@link Optimizer}: it trains any parameter
 * tree with `train`, or meta-trains another learned optimizer as the outer optimizer of
 * `metaTrain` (learned optimizers "training themselves", Metz et al. 2020).
 *
 * The tree's leaves are laid end to end in one `[1, n]` vector (one particle) with `segments` =
 * the leaf sizes, so per-tensor features (normalization, the hierarchical optimizer's
 * per-tensor RNN) see the real tensors. The learned optimizer's state `[1, stateRows, n]` and
 * the step counter live on the GPU; the counter is incremented there, so a training loop never
 * reads back or uploads anything per step (DESIGN.md principle 1).
 *
 * nn's `Optimizer.update(grads, state, params)` carries no loss, so the learned optimizer is
 * called without one (`LoptUpdateInput.loss` absent): loss features take their neutral value
 * (`hierarchicalLopt`: the loss feature is 0 and its running statistics stay as they are). An
 * optimizer meta-trained with loss features thus runs here as if the loss always sat at its
 * running mean.
 *
 * @example
 * ```ts
 * import { tensor, zeros } from "../../gpu/mod.ts";
 * import { asOptimizer } from "./as_optimizer.ts";
 * import { mlpLopt } from "./mlp_lopt.ts";
 * const lopt = mlpLopt({ hidden: 8, layers: 1 });
 * const opt = asOptimizer(lopt, lopt.initThetaHost(0)); // weights from meta-training in practice
 * const params = { w: zeros([2, 3]), b: zeros([3]) };
 * const state = opt.init(params);
 * const grads = { w: tensor([[1, 2, 3], [4, 5, 6]]), b: tensor([1, 0, -1]) };
 * const next = opt.update(grads, state, params); // new trees; the inputs stay intact
 * console.log(next.params.w.shape, await next.state.iteration.read()); // [2, 3] Float32Array [1]
 * opt.dispose();
 * ```
 * @module
 */
import { DtypeError, InvalidArgumentError, ShapeError } from "../../errors.ts";
import {
  add,
  concat,
  reshape,
  runtime,
  slice,
  Tensor,
  tensor,
  treeFlatten,
  zeros,
} from "../../gpu/mod.ts";
import { isRecording } from "../../gpu/tape.ts";
import { keep, scoped } from "../../gpu/tensor.ts";
import type { Params } from "../../nn/layer.ts";
import type { Grads, Optimizer } from "../../nn/optimizers/optimizer.ts";
import { assertFloatTree, assertSameStructure, treePaths } from "../../nn/tree_check.ts";
import type { LearnedOptimizer } from "./learned_optimizer.ts";

/** The state of {@link asOptimizer}'s optimizer: everything on the GPU. */
export interface LoptOptimizerState {
  /** The learned optimizer's per-parameter state `[1, stateRows, n]` (zeros at init). */
  state: Tensor;
  /** Updates applied so far, f32 `[1]` (incremented on the GPU; exact up to 2^24). */
  iteration: Tensor;
}

/** An nn optimizer applying a learned optimizer with fixed weights (see {@link asOptimizer}). */
export interface LoptOptimizer extends Optimizer<LoptOptimizerState> {
  /** The learned optimizer it applies. */
  readonly lopt: LearnedOptimizer;
  /** Frees the weights it uploaded (theta given as a Float32Array); a later update re-uploads. */
  dispose(): void;
}

const WHERE = "asOptimizer";

/**
 * Wraps a learned optimizer with fixed weights `theta` (`[D]` f32 tensor, which stays the
 * caller's, or a Float32Array, uploaded once) as an nn optimizer for any parameter tree.
 *
 * @example
 * ```ts
 * import { random, zeros } from "../../gpu/mod.ts";
 * import { mse } from "../../nn/losses.ts";
 * import { train } from "../../nn/train.ts";
 * import { asOptimizer } from "./as_optimizer.ts";
 * import { gruLopt } from "./gru_lopt.ts";
 * const lopt = gruLopt({ hidden: 4 });
 * const theta = lopt.initTheta(0); // a trained theta in practice
 * const target = random.normal(random.key(1), [5]);
 * const { history } = await train({
 *   params: { w: zeros([5]) },
 *   loss: (p) => mse(p.w, target),
 *   optimizer: asOptimizer(lopt, theta),
 *   batches: { [Symbol.iterator]: function* () { while (true) yield null; } },
 *   steps: 10,
 * });
 * console.log(history.step); // [10]
 * ```
 */
export function asOptimizer(
  lopt: LearnedOptimizer,
  theta: Tensor | Float32Array,
): LoptOptimizer {
  checkLopt(lopt);
  const D = lopt.thetaDim;
  const host = theta instanceof Float32Array ? checkHostTheta(theta, lopt) : null;
  if (!host) checkTensorTheta(theta, lopt);
  let uploaded: Tensor | null = null;
  /** theta as one particle's row `[1, D]` (a view; uploaded at most once for a host array). */
  const weights = (): Tensor => {
    if (!host) return reshape(theta as Tensor, [1, D]);
    if (!uploaded || uploaded.disposed || uploaded.runtime !== runtime()) {
      uploaded = keep(tensor(host, { shape: [1, D] }));
    }
    return uploaded;
  };

  return {
    name: `learned(${lopt.name})`,
    lopt,
    init(params) {
      const leaves = flatLeaves(`${WHERE}.init`, params);
      const n = leaves.reduce((a, l) => a + l.size, 0);
      return { state: zeros([1, lopt.stateRows, n]), iteration: zeros([1]) };
    },
    update<P extends Params>(grads: Grads<P>, state: LoptOptimizerState, params: P) {
      const where = `${WHERE}.update`;
      const leaves = flatLeaves(where, params);
      assertSameStructure(where, { params, grads });
      const sizes = leaves.map((l) => l.size);
      const n = sizes.reduce((a, b) => a + b, 0);
      checkState(state, lopt.stateRows, n);
      const g = treeFlatten(grads).leaves;
      // Outside a gradient trace the flattened copies are freed here; inside one they are
      // kept for the backward pass (as `composite` ops do).
      return scoped(() => {
        const out = lopt.update({
          theta: weights(),
          params: flatten(leaves),
          grads: flatten(g),
          state: state.state,
          iteration: state.iteration,
          segments: sizes,
        });
        return {
          params: treeFlatten(params).rebuild(unflatten(out.params, leaves)) as unknown as P,
          state: { state: out.state, iteration: add(state.iteration, 1) },
        };
      }, !isRecording());
    },
    dispose() {
      uploaded?.dispose();
      uploaded = null;
    },
  };
}

function checkLopt(lopt: LearnedOptimizer): void {
  const ok = lopt !== null && typeof lopt === "object" && typeof lopt.update === "function" &&
    Number.isInteger(lopt.thetaDim) && lopt.thetaDim > 0 &&
    Number.isInteger(lopt.stateRows) && lopt.stateRows >= 0;
  if (!ok) {
    throw new InvalidArgumentError(
      `${WHERE}: lopt must be a learned optimizer ({ name, thetaDim, stateRows, update }, e.g. ` +
        `mlpLopt()), got ${lopt === null ? "null" : typeof lopt}`,
    );
  }
}

function checkHostTheta(theta: Float32Array, lopt: LearnedOptimizer): Float32Array {
  if (theta.length !== lopt.thetaDim) {
    throw new ShapeError(
      `${WHERE}: theta has ${theta.length} entries, ${lopt.name} has thetaDim ${lopt.thetaDim}`,
    );
  }
  const bad = theta.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new InvalidArgumentError(
      `${WHERE}: theta[${bad}] = ${theta[bad]}; expected finite weights`,
    );
  }
  return Float32Array.from(theta); // later edits to the caller's array must not leak in
}

function checkTensorTheta(theta: unknown, lopt: LearnedOptimizer): void {
  if (!(theta instanceof Tensor)) {
    throw new InvalidArgumentError(
      `${WHERE}: theta must be a [${lopt.thetaDim}] Tensor or a Float32Array, got ${
        theta === null ? "null" : typeof theta
      }`,
    );
  }
  if (theta.shape.join() !== `${lopt.thetaDim}`) {
    throw new ShapeError(
      `${WHERE}: theta must have shape [${lopt.thetaDim}] (thetaDim of ${lopt.name}), got ` +
        `[${theta.shape}]`,
    );
  }
  if (theta.dtype !== "f32") {
    throw new DtypeError(`${WHERE}: theta is ${theta.dtype}; expected f32`);
  }
}

/** The f32 leaves of a non-empty tree, each holding at least one element. */
function flatLeaves(where: string, params: unknown): Tensor[] {
  assertFloatTree(where, "params", params);
  const leaves = treePaths(params, `${where}: params`);
  if (leaves.length === 0) {
    throw new InvalidArgumentError(`${where}: params has no tensors; expected at least one`);
  }
  const empty = leaves.find((l) => l.tensor.size === 0);
  if (empty) {
    throw new ShapeError(
      `${where}: params.${empty.path || "<root>"} has shape [${empty.tensor.shape}] with no ` +
        `elements; expected every leaf to hold at least one`,
    );
  }
  return leaves.map((l) => l.tensor);
}

function checkState(state: LoptOptimizerState, rows: number, n: number): void {
  if (!state || !(state.state instanceof Tensor) || !(state.iteration instanceof Tensor)) {
    throw new InvalidArgumentError(
      `${WHERE}.update: state must come from this optimizer's init(params) ` +
        `({ state, iteration }), got ${state === null ? "null" : typeof state}`,
    );
  }
  if (state.state.shape.join() !== `1,${rows},${n}`) {
    throw new ShapeError(
      `${WHERE}.update: state.state has shape [${state.state.shape}], expected ` +
        `[1, ${rows}, ${n}] for these params (was the state made by init for another tree?)`,
    );
  }
  if (state.iteration.shape.join() !== "1") {
    throw new ShapeError(
      `${WHERE}.update: state.iteration has shape [${state.iteration.shape}], expected [1]`,
    );
  }
}

/** The leaves laid end to end as one particle's row `[1, n]`. */
function flatten(leaves: readonly Tensor[]): Tensor {
  const rows = leaves.map((l) => reshape(l, [1, l.size]));
  return rows.length === 1 ? rows[0] : concat(rows, 1);
}

/** Splits a `[1, n]` row back into tensors shaped like `like`. */
function unflatten(row: Tensor, like: readonly Tensor[]): Tensor[] {
  if (like.length === 1) return [reshape(row, like[0].shape)];
  let at = 0;
  return like.map((l) => {
    const part = slice(row, [null, [at, at + l.size]]);
    at += l.size;
    return reshape(part, l.shape);
  });
}
