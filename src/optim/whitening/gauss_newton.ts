/**
 * Damped Gauss-Newton for least-squares models of any parameter tree, matrix-free: the step
 * solves `(J^T J / N + lambda I) delta = J^T (f - y) / N` by a fixed number of conjugate-gradient
 * iterations, where J is the Jacobian of the model's predictions f (N examples) with respect to
 * the parameters, and each Gauss-Newton-vector product is one JVP followed by one VJP (the
 * "Hessian-free" scheme of Martens 2010, with the Gauss-Newton matrix of Schraudolph 2002). The
 * loss is `||f - y||^2 / (2 N)`; `J^T J / N` is its Gauss-Newton matrix, equal to the Hessian
 * for a linear model (where this is damped Newton, see `linear_newton.ts`).
 *
 * Every CG scalar stays on the GPU (no readback per iteration, DESIGN.md principle 1); divisions
 * are guarded so an exactly converged CG keeps a zero update instead of 0/0.
 *
 * Wadia et al. (2021) use this family (Newton / Gauss-Newton with damping lambda) to show that
 * second order optimization of a model with a dense first layer loses the same information as
 * whitening; lambda trades the two off (lambda -> infinity: gradient descent with lr 1/lambda).
 *
 * @example
 * ```ts
 * import { gaussNewtonStep } from "./gauss_newton.ts";
 * import { matmul, random, type Tensor, zeros } from "../../gpu/mod.ts";
 * const x = random.normal(random.key(0), [20, 3]);
 * const y = matmul(x, random.normal(random.key(1), [3, 1]));
 * const predict = (p: { w: Tensor }) => matmul(x, p.w);
 * const p1 = gaussNewtonStep(predict, { w: zeros([3, 1]) }, y, { damping: 0, cgIterations: 6 });
 * console.log(p1.w.shape); // [3, 1]  (a linear model: one undamped step solves least squares)
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import {
  add,
  dispose,
  div,
  jvp,
  type MapTree,
  maximum,
  mul,
  runtime,
  scope,
  sub,
  type Tensor,
  treeDot,
  treeFlatten,
  vjp,
} from "../../gpu/mod.ts";
import { parseOptions } from "../../options.ts";

/**
 * Options of the Gauss-Newton step.
 *
 * @example
 * ```ts
 * import type { GaussNewtonOptions } from "./gauss_newton.ts";
 * const o: GaussNewtonOptions = { damping: 1e-2, cgIterations: 20, lr: 1 };
 * console.log(o.cgIterations); // 20
 * ```
 */
export interface GaussNewtonOptions {
  /** lambda, added to the Gauss-Newton matrix J^T J / N (absolute). */
  damping: number;
  /** Conjugate-gradient iterations per step (exact after as many as there are parameters). */
  cgIterations: number;
  /** Step size (default 1). */
  lr?: number;
  /** Examples N in the loss normalization (default: the predictions' second-to-last axis). */
  examples?: number;
}

const schema = z.strictObject({
  damping: z.number().nonnegative().finite(),
  cgIterations: z.number().int().min(1).max(100_000),
  lr: z.number().positive().finite().default(1),
  examples: z.number().int().min(1).optional(),
});

type Leaves = Tensor[];

const axpy = (a: Leaves, s: Tensor | number, b: Leaves) => a.map((t, i) => add(t, mul(b[i], s)));

/**
 * The damped Gauss-Newton direction delta (shaped like `params`): CG's approximate solution of
 * `(J^T J / N + lambda I) delta = J^T (f - y) / N`, started from 0. `params - lr * delta` is the
 * step.
 *
 * @example
 * ```ts
 * import { gaussNewtonDirection } from "./gauss_newton.ts";
 * import { matmul, tensor, type Tensor } from "../../gpu/mod.ts";
 * const x = tensor([[1, 0], [0, 2]]);
 * const delta = gaussNewtonDirection((p: Tensor) => matmul(x, p), tensor([[0], [0]]), tensor([[1], [2]]), {
 *   damping: 0, cgIterations: 2,
 * });
 * console.log(await delta.read()); // Float32Array [-1, -1]  (w - delta = [1, 1] fits exactly)
 * ```
 */
export function gaussNewtonDirection<P>(
  predict: (params: P) => Tensor,
  params: P,
  targets: Tensor,
  options: GaussNewtonOptions,
): MapTree<P, Tensor> {
  const o = parseOptions(schema, options, "gaussNewtonDirection");
  const { leaves, rebuild } = treeFlatten(params);
  const f = (ls: Leaves) => predict(rebuild(ls) as P);
  // b = J^T (f - y) / N: the gradient of the loss.
  const { b, N } = scope(() => {
    const pred = predict(params);
    if (pred.shape.join() !== targets.shape.join()) {
      throw new ShapeError(
        `gaussNewtonDirection: predictions [${pred.shape.join(", ")}] and targets ` +
          `[${targets.shape.join(", ")}] differ in shape`,
      );
    }
    const N = o.examples ?? (pred.rank >= 2 ? pred.shape[pred.rank - 2] : 1);
    const [, g] = vjp(f, leaves, sub(pred, targets));
    return { b: g.map((t) => mul(t, 1 / N)), N };
  });
  const gnv = (v: Leaves): Leaves => {
    const [, jv] = jvp(f, leaves, v);
    const [, jtjv] = vjp(f, leaves, jv);
    return jtjv.map((t, i) => add(mul(t, 1 / N), mul(v[i], o.damping)));
  };
  // Conjugate gradient from x = 0: r = b, p = r.
  let state = scope(() => ({
    x: b.map((t) => mul(t, 0)),
    r: b.map((t) => mul(t, 1)),
    p: b.map((t) => mul(t, 1)),
    rs: treeDot(b, b),
  }));
  dispose(b);
  for (let it = 0; it < o.cgIterations; it++) {
    const s = state;
    state = scope(() => {
      const ap = gnv(s.p);
      const alpha = div(s.rs, maximum(treeDot(s.p, ap), 1e-30));
      const x = axpy(s.x, alpha, s.p);
      const r = axpy(s.r, mul(alpha, -1), ap);
      const rs = treeDot(r, r);
      const beta = div(rs, maximum(s.rs, 1e-30));
      return { x, r, p: axpy(r, beta, s.p), rs };
    });
    dispose(s);
    runtime().flush();
  }
  const { x } = state;
  dispose([state.r, state.p, state.rs]);
  return rebuild(x) as MapTree<P, Tensor>;
}

/**
 * One damped Gauss-Newton step: `params - lr * delta` (new tensors; `params` is not disposed).
 *
 * @example
 * ```ts
 * import { gaussNewtonStep } from "./gauss_newton.ts";
 * import { matmul, tensor, type Tensor } from "../../gpu/mod.ts";
 * const x = tensor([[1, 0], [0, 2]]);
 * const w = gaussNewtonStep((p: Tensor) => matmul(x, p), tensor([[0], [0]]), tensor([[1], [2]]), {
 *   damping: 0, cgIterations: 2,
 * });
 * console.log(await w.read()); // Float32Array [1, 1]
 * ```
 */
export function gaussNewtonStep<P>(
  predict: (params: P) => Tensor,
  params: P,
  targets: Tensor,
  options: GaussNewtonOptions,
): MapTree<P, Tensor> {
  const lr = options.lr ?? 1;
  if (!(Number.isFinite(lr) && lr > 0)) {
    throw new InvalidArgumentError(`gaussNewtonStep: option lr = ${lr}: expected a number > 0`);
  }
  const delta = gaussNewtonDirection(predict, params, targets, options);
  const { leaves, rebuild } = treeFlatten(params);
  const dl = treeFlatten(delta).leaves;
  const out = scope(() => leaves.map((t, i) => sub(t, mul(dl[i], lr))));
  dispose(dl);
  return rebuild(out) as MapTree<P, Tensor>;
}

/**
 * `steps` damped Gauss-Newton steps from `params` (not disposed); returns the final parameters.
 * Nothing is read back. `onStep(params, step)`, if given, runs synchronously after every step
 * (do not dispose its argument).
 *
 * @example
 * ```ts
 * import { trainGaussNewton } from "./gauss_newton.ts";
 * import { matmul, tanh, tensor, type Tensor } from "../../gpu/mod.ts";
 * const x = tensor([[0.5], [1], [1.5]]), y = tensor([[0.2], [0.4], [0.5]]);
 * const predict = (p: Tensor) => tanh(matmul(x, p));
 * const w = trainGaussNewton(predict, tensor([[0.1]]), y, { damping: 1e-3, cgIterations: 1 }, 10);
 * console.log(w.shape); // [1, 1]
 * ```
 */
export function trainGaussNewton<P>(
  predict: (params: P) => Tensor,
  params: P,
  targets: Tensor,
  options: GaussNewtonOptions,
  steps: number,
  onStep?: (params: MapTree<P, Tensor>, step: number) => void,
): MapTree<P, Tensor> {
  if (!Number.isInteger(steps) || steps < 0) {
    throw new InvalidArgumentError(`trainGaussNewton: steps must be an integer >= 0, got ${steps}`);
  }
  let p = scope(() => treeFlatten(params).leaves.map((t) => mul(t, 1)));
  const { rebuild } = treeFlatten(params);
  for (let s = 0; s < steps; s++) {
    const next = treeFlatten(
      gaussNewtonStep(predict, rebuild(p) as P, targets, options),
    ).leaves;
    dispose(p);
    p = next;
    onStep?.(rebuild(p) as MapTree<P, Tensor>, s + 1);
  }
  return rebuild(p) as MapTree<P, Tensor>;
}
