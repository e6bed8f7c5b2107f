/**
 * Reverse-mode automatic differentiation in the JAX style: `grad`, `valueAndGrad`, `vjp`,
 * `jvp`, `hvp`, `stopGradient`, `customVjp`.
 *
 * Functions take a parameter tree (nested records/arrays of tensors) as their first argument.
 * The backward pass is built from the same differentiable ops, so every transform nests
 * (grad of grad, Hessian-vector products, meta-gradients through inner training). Tensors
 * created while computing a gradient are disposed when it returns, except the results (or,
 * inside an outer gradient, handed to it).
 *
 * @example
 * ```ts
 * import { grad } from "./autodiff.ts";
 * import { tensor } from "./tensor.ts";
 * import { mul, sum } from "./mod.ts";
 * const f = (x: import("./tensor.ts").Tensor) => sum(mul(mul(x, x), x)); // sum x^3
 * const g = grad(f)(tensor([1, 2]));
 * console.log(await g.read()); // Float32Array [3, 12]
 * ```
 * @module
 */
import { GradError } from "../errors.ts";
import { fmtShape } from "./shape.ts";
import { liveTrace, popTrace, pushTrace, record, traceDepth, withoutRecording } from "./tape.ts";
import { scoped, Tensor, type Trace } from "./tensor.ts";
import { type MapTree, treeFlatten } from "./tree.ts";
import { add, mul } from "./ops/binary.ts";
import { ones, zeros } from "./ops/creation.ts";
import { sum } from "./ops/reduce.ts";

/** A fresh view of `x` that is a differentiation target of trace `tr`. */
function makeLeaf(x: Tensor, tr: Trace): Tensor {
  if (x.dtype !== "f32") {
    throw new GradError(
      `cannot differentiate with respect to a ${x.dtype} tensor ${fmtShape(x.shape)}; ` +
        `gradients need f32 inputs`,
    );
  }
  const v = x.view(x.shape);
  const outer = liveTrace(x);
  v.node = {
    inputs: [outer ? x : null],
    vjp: (g) => [g],
    trace: outer && outer.depth < tr.depth ? outer : tr,
  };
  return v;
}

/**
 * Cotangents of `targets` given cotangents `cts` of `outputs`, by reverse accumulation over the
 * recorded graph. Unreached targets get zeros.
 */
function backward(
  outputs: readonly Tensor[],
  cts: readonly Tensor[],
  targets: readonly Tensor[],
): Tensor[] {
  const targetIds = new Set(targets.map((t) => t.id));
  // Iterative DFS: post-order of tensors that reach a target.
  const reaches = new Map<number, boolean>();
  const order: Tensor[] = [];
  for (const root of outputs) {
    const stack: { t: Tensor; i: number }[] = [{ t: root, i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const { t } = top;
      if (reaches.has(t.id) && top.i === 0) {
        stack.pop();
        continue;
      }
      if (targetIds.has(t.id)) {
        reaches.set(t.id, true);
        order.push(t);
        stack.pop();
        continue;
      }
      const node = t.node;
      if (!node || !node.trace.active) {
        reaches.set(t.id, false);
        stack.pop();
        continue;
      }
      if (top.i < node.inputs.length) {
        const inp = node.inputs[top.i++];
        if (inp && !reaches.has(inp.id)) stack.push({ t: inp, i: 0 });
        continue;
      }
      const r = node.inputs.some((inp) => inp !== null && reaches.get(inp.id) === true);
      reaches.set(t.id, r);
      if (r) order.push(t);
      stack.pop();
    }
  }
  const grads = new Map<number, Tensor>();
  const accumulate = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t.id);
    grads.set(t.id, prev ? add(prev, g) : g);
  };
  outputs.forEach((o, i) => accumulate(o, cts[i]));
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k];
    if (targetIds.has(t.id)) continue;
    const g = grads.get(t.id);
    if (!g) continue;
    const node = t.node!;
    const gs = node.vjp!(g);
    node.inputs.forEach((inp, i) => {
      const gi = gs[i];
      if (inp && gi && reaches.get(inp.id)) accumulate(inp, gi);
    });
  }
  return targets.map((t) => grads.get(t.id) ?? zeros(t.shape));
}

/** Clears the gradient nodes of results when no outer trace can use them. */
function detach(value: unknown): void {
  if (traceDepth() > 0) return;
  for (const t of treeFlatten(value).leaves) t.node = null;
}

/** Runs `body` inside a new trace and a scope that frees the intermediates. */
function withTrace<R>(body: (tr: Trace) => R): R {
  const nested = traceDepth() > 0;
  const result = scoped(() => {
    const tr = pushTrace();
    try {
      return body(tr);
    } finally {
      popTrace(tr);
    }
  }, !nested);
  detach(result);
  return result;
}

function scalarOutput(y: unknown, where: string): Tensor {
  if (!(y instanceof Tensor)) {
    throw new GradError(`${where}: f must return a Tensor, got ${typeof y}`);
  }
  if (y.size !== 1) {
    throw new GradError(
      `${where}: f must return a scalar (one element), got shape ${fmtShape(y.shape)}`,
    );
  }
  if (y.dtype !== "f32") {
    throw new GradError(`${where}: f must return an f32 scalar, got ${y.dtype}`);
  }
  return y;
}

/**
 * `valueAndGrad(f)(params, ...rest)` returns `[f(params, ...rest), df/dparams]`; `f` must return
 * a scalar. The gradient has the structure of `params`.
 *
 * @example
 * ```ts
 * import { valueAndGrad } from "./autodiff.ts";
 * import { tensor, type Tensor } from "./tensor.ts";
 * import { mul, sum } from "./mod.ts";
 * const [v, g] = valueAndGrad((p: { w: Tensor }) => sum(mul(p.w, p.w)))({ w: tensor([3]) });
 * console.log(await v.item(), await g.w.read()); // 9 Float32Array [6]
 * ```
 */
export function valueAndGrad<P, A extends unknown[]>(
  f: (params: P, ...rest: A) => Tensor,
): (params: P, ...rest: A) => [Tensor, MapTree<P, Tensor>] {
  return (params, ...rest) =>
    withTrace((tr) => {
      const { leaves, rebuild } = treeFlatten(params);
      const xs = leaves.map((l) => makeLeaf(l, tr));
      const y = scalarOutput(f(rebuild(xs) as P, ...rest), "grad");
      const gs = backward([y], [ones(y.shape)], xs);
      return [y, rebuild(gs)] as [Tensor, MapTree<P, Tensor>];
    });
}

/**
 * `grad(f)(params, ...rest)`: the gradient of scalar-valued `f` with respect to `params`.
 *
 * @example
 * ```ts
 * import { grad } from "./autodiff.ts";
 * import { tensor } from "./tensor.ts";
 * import { sin, sum } from "./mod.ts";
 * const dsin = grad((x: import("./tensor.ts").Tensor) => sum(sin(x)));
 * console.log(await dsin(tensor([0])).read()); // Float32Array [1] (cos 0)
 * ```
 */
export function grad<P, A extends unknown[]>(
  f: (params: P, ...rest: A) => Tensor,
): (params: P, ...rest: A) => MapTree<P, Tensor> {
  const vg = valueAndGrad(f);
  return (params, ...rest) => {
    const [v, g] = vg(params, ...rest);
    v.dispose();
    return g;
  };
}

/**
 * Vector-Jacobian product: returns `[f(x), ct^T J_f(x)]` for a cotangent `ct` with the
 * structure of f's output (any tree of tensors).
 *
 * @example
 * ```ts
 * import { vjp } from "./autodiff.ts";
 * import { tensor } from "./tensor.ts";
 * import { mul } from "./mod.ts";
 * const [y, g] = vjp((x: import("./tensor.ts").Tensor) => mul(x, 3), tensor([1, 2]), tensor([1, 10]));
 * console.log(await y.read(), await g.read()); // [3, 6] [3, 30]
 * ```
 */
export function vjp<P, Y>(f: (params: P) => Y, params: P, cotangent: Y): [Y, MapTree<P, Tensor>] {
  return withTrace((tr) => {
    const { leaves, rebuild } = treeFlatten(params);
    const xs = leaves.map((l) => makeLeaf(l, tr));
    const y = f(rebuild(xs) as P);
    const ys = treeFlatten(y).leaves;
    const cts = treeFlatten(cotangent).leaves;
    if (ys.length !== cts.length) {
      throw new GradError(
        `vjp: f returned ${ys.length} tensors but the cotangent has ${cts.length}`,
      );
    }
    ys.forEach((o, i) => {
      if (o.shape.join() !== cts[i].shape.join()) {
        throw new GradError(
          `vjp: output ${i} has shape ${fmtShape(o.shape)} but its cotangent ${
            fmtShape(cts[i].shape)
          }`,
        );
      }
    });
    return [y, rebuild(backward(ys, cts, xs))] as [Y, MapTree<P, Tensor>];
  });
}

/**
 * Jacobian-vector product: returns `[f(x), J_f(x) v]` for a tangent `v` shaped like `params`.
 * Computed by transposing a VJP (reverse over reverse), so it needs no forward-mode rules.
 *
 * @example
 * ```ts
 * import { jvp } from "./autodiff.ts";
 * import { tensor } from "./tensor.ts";
 * import { mul } from "./mod.ts";
 * const [y, t] = jvp((x: import("./tensor.ts").Tensor) => mul(x, x), tensor([3]), tensor([1]));
 * console.log(await y.read(), await t.read()); // [9] [6]
 * ```
 */
export function jvp<P, Y>(f: (params: P) => Y, params: P, tangent: P): [Y, MapTree<Y, Tensor>] {
  return withTrace((outer) => {
    const inner = pushTrace();
    let y: Y, gx: Tensor[], us: Tensor[];
    try {
      const { leaves, rebuild } = treeFlatten(params);
      const xs = leaves.map((l) => makeLeaf(l, inner));
      y = f(rebuild(xs) as P);
      const ys = treeFlatten(y).leaves;
      us = ys.map((o) => {
        const u = zeros(o.shape);
        u.node = { inputs: [], vjp: null, trace: outer };
        return u;
      });
      gx = backward(ys, us, xs);
    } finally {
      popTrace(inner);
    }
    const vs = treeFlatten(tangent).leaves;
    if (vs.length !== gx.length) {
      throw new GradError(`jvp: params have ${gx.length} tensors but the tangent has ${vs.length}`);
    }
    const jv = backward(gx, vs, us);
    for (const t of treeFlatten(y).leaves) t.node = null;
    return [y, treeFlatten(y).rebuild(jv)] as [Y, MapTree<Y, Tensor>];
  });
}

/**
 * Sum over leaves of the elementwise product of two trees of the same structure (a scalar).
 *
 * @example
 * ```ts
 * import { treeDot } from "./autodiff.ts";
 * import { tensor } from "./tensor.ts";
 * await treeDot({ a: tensor([1, 2]) }, { a: tensor([3, 4]) }).item(); // 11
 * ```
 */
export function treeDot<T>(a: T, b: T): Tensor {
  const la = treeFlatten(a).leaves, lb = treeFlatten(b).leaves;
  if (la.length !== lb.length) {
    throw new GradError(`treeDot: trees have ${la.length} and ${lb.length} leaves`);
  }
  let acc: Tensor | null = null;
  la.forEach((x, i) => {
    const d = sum(mul(x, lb[i]));
    acc = acc ? add(acc, d) : d;
  });
  return acc ?? zeros([]);
}

/**
 * Hessian-vector product H_f(x) v of scalar `f`, as grad of <grad f, v>.
 *
 * @example
 * ```ts
 * import { hvp } from "./autodiff.ts";
 * import { tensor } from "./tensor.ts";
 * import { mul, sum } from "./mod.ts";
 * // f = sum x^3 -> H = diag(6x)
 * const hv = hvp((x: import("./tensor.ts").Tensor) => sum(mul(mul(x, x), x)), tensor([1, 2]), tensor([1, 1]));
 * console.log(await hv.read()); // Float32Array [6, 12]
 * ```
 */
export function hvp<P>(f: (params: P) => Tensor, params: P, v: P): MapTree<P, Tensor> {
  const g = grad(f);
  return grad((x: P) => treeDot(g(x), v as unknown as MapTree<P, Tensor>))(params);
}

/**
 * The same values as `x`, treated as a constant by every gradient transform.
 *
 * @example
 * ```ts
 * import { grad, stopGradient } from "./autodiff.ts";
 * import { tensor } from "./tensor.ts";
 * import { mul, sum } from "./mod.ts";
 * const g = grad((x: import("./tensor.ts").Tensor) => sum(mul(x, stopGradient(x))))(tensor([3]));
 * console.log(await g.read()); // Float32Array [3]
 * ```
 */
export function stopGradient(x: Tensor): Tensor {
  return x.view(x.shape);
}

/**
 * Wraps `f` with a user-defined backward rule `bwd(g, inputs, output)` returning one cotangent
 * (or null) per input. `f` itself runs unrecorded.
 *
 * @example
 * ```ts
 * import { customVjp, grad } from "./autodiff.ts";
 * import { tensor } from "./tensor.ts";
 * import { floor, sum } from "./mod.ts";
 * // straight-through floor: identity gradient
 * const stFloor = customVjp((x) => floor(x), (g) => [g]);
 * console.log(await grad((x: import("./tensor.ts").Tensor) => sum(stFloor(x)))(tensor([1.5])).read()); // [1]
 * ```
 */
export function customVjp<A extends Tensor[]>(
  f: (...inputs: A) => Tensor,
  bwd: (g: Tensor, inputs: A, output: Tensor) => readonly (Tensor | null)[],
): (...inputs: A) => Tensor {
  return (...inputs: A) => {
    let out = withoutRecording(() => f(...inputs));
    if (inputs.includes(out)) out = out.view(out.shape);
    return record(out, inputs, (g) => bwd(g, inputs, out));
  };
}
