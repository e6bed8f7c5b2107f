/**
 * Stochastic gradient descent with optional (heavy-ball or Nesterov) momentum and L2 weight
 * decay, PyTorch/optax conventions:
 *
 * ```
 * d    = g + weightDecay * p
 * buf' = momentum * buf + d                 (buf starts at 0, so buf_1 = d)
 * u    = nesterov ? d + momentum * buf' : buf'      (u = d without momentum)
 * p'   = p - lr(t) * u
 * ```
 *
 * One fused GPU dispatch per parameter leaf; inside an open gradient trace the same update runs
 * as differentiable ops instead (for meta-gradients through training).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { sgd } from "./sgd.ts";
 * const opt = sgd({ lr: 0.1, momentum: 0.9 });
 * const p = { w: tensor([1]) };
 * const s0 = opt.init(p);
 * const { params, state } = opt.update({ w: tensor([2]) }, s0, p);
 * console.log(await params.w.read(), state.count); // Float32Array [0.8] 1
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import { add, mul, sub, type Tensor, treeFlatten, zerosLike } from "../../gpu/mod.ts";
import { isRecording } from "../../gpu/tape.ts";
import type { Params } from "../layer.ts";
import { assertFloatTree, assertSameStructure } from "../tree_check.ts";
import { parseOptions } from "../../options.ts";
import type { Grads, Optimizer } from "./optimizer.ts";
import { checkLearningRate, type LearningRate, learningRateAt } from "./schedules.ts";
import { runUpdate, sgdKernel } from "./update_kernels.ts";

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Learning rate: a number or a schedule `step -> lr`. */
  lr: LearningRate;
  /** Momentum coefficient in [0, 1) (default 0: plain SGD). */
  momentum?: number;
  /** Nesterov momentum (default false; needs momentum > 0). */
  nesterov?: boolean;
  /** L2 weight decay added to the gradient (default 0). */
  weightDecay?: number;
}

/** SGD state: the update count and the momentum buffer (null without momentum). */
export interface SgdState {
  /** Number of updates applied so far. */
  count: number;
  /** Momentum buffers shaped like the params, or null when momentum is 0. */
  trace: Params | null;
}

const schema = z.object({
  lr: z.any(),
  momentum: z.number().min(0).lt(1).default(0),
  nesterov: z.boolean().default(false),
  weightDecay: z.number().min(0).finite().default(0),
}).strict();

/**
 * Creates an SGD optimizer.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { sgd } from "./sgd.ts";
 * const opt = sgd({ lr: 0.5 });
 * const p = tensor([1, 1]);
 * const { params } = opt.update(tensor([1, -1]), opt.init(p), p);
 * console.log(await params.read()); // Float32Array [0.5, 1.5]
 * ```
 */
export function sgd(options: SgdOptions): Optimizer<SgdState> {
  const o = parseOptions(schema, options, "sgd");
  const lr = checkLearningRate("sgd", o.lr);
  if (o.nesterov && o.momentum === 0) {
    throw new InvalidArgumentError("sgd: option nesterov = true needs momentum > 0, got 0");
  }
  const useMomentum = o.momentum > 0;
  return {
    name: `sgd(lr=${typeof lr === "number" ? lr : "schedule"}, momentum=${o.momentum}${
      o.nesterov ? ", nesterov" : ""
    })`,
    init(params) {
      assertFloatTree("sgd.init", "params", params);
      const trace = useMomentum
        ? treeFlatten(params).rebuild(
          treeFlatten(params).leaves.map((t) => zerosLike(t)),
        ) as Params
        : null;
      return { count: 0, trace };
    },
    update<P extends Params>(grads: Grads<P>, state: SgdState, params: P) {
      checkState(state, useMomentum);
      assertFloatTree("sgd.update", "params", params);
      const trees: Record<string, unknown> = { params, grads };
      if (useMomentum) trees["state.trace"] = state.trace;
      assertSameStructure("sgd.update", trees);
      const eta = learningRateAt("sgd", lr, state.count);
      const ps = treeFlatten(params);
      const gs = treeFlatten(grads).leaves;
      const bs = useMomentum ? treeFlatten(state.trace).leaves : [];
      const newP: Tensor[] = [], newB: Tensor[] = [];
      const fused = !isRecording();
      ps.leaves.forEach((x, i) => {
        const g = gs[i];
        if (fused) {
          const ins = useMomentum ? [x, g, bs[i]] : [x, g];
          const outs = runUpdate(sgdKernel(useMomentum, o.nesterov), ins, {
            lr: eta,
            wd: o.weightDecay,
            mu: o.momentum,
          });
          newP.push(outs[0]);
          if (useMomentum) newB.push(outs[1]);
          return;
        }
        const d = o.weightDecay === 0 ? g : add(g, mul(x, o.weightDecay));
        let u = d;
        if (useMomentum) {
          const b = add(mul(bs[i], o.momentum), d);
          newB.push(b);
          u = o.nesterov ? add(d, mul(b, o.momentum)) : b;
        }
        newP.push(sub(x, mul(u, eta)));
      });
      return {
        params: ps.rebuild(newP) as unknown as P,
        state: {
          count: state.count + 1,
          trace: useMomentum ? ps.rebuild(newB) as Params : null,
        },
      };
    },
  };
}

function checkState(state: SgdState, momentum: boolean): void {
  if (!state || typeof state.count !== "number" || (momentum && !state.trace)) {
    throw new InvalidArgumentError(
      `sgd.update: state must come from this optimizer's init(params) ` +
        `(${momentum ? "{ count, trace }" : "{ count }"}), got ${
          state === null ? "null" : typeof state
        }`,
    );
  }
}
