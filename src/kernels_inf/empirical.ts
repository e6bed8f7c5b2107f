/**
 * Empirical kernels of one finite network with fixed parameters (neural-tangents'
 * `empirical_kernel_fn`): the NNGP `f(x1) f(x2)^T / k` and the NTK
 * `sum_p (df(x1)/dp)(df(x2)/dp)^T / k`, both averaged over the k output units (the trace over
 * the output axis). As the width grows they converge to the analytic kernels of the same stax
 * description (Jacot et al. 2018; Lee et al. 2019).
 *
 * The NTK is a Jacobian contraction through reverse-mode autodiff: one VJP per (example,
 * output) gives a row of the Jacobian; the rows are flattened and stacked into J1 [N1, P] and
 * J2 [N2, P] per output, and the kernel is sum_o J1_o J2_o^T / k (one matmul per output). All
 * on the GPU; nothing is read back. Memory is (N1 + N2) * P floats per output unit, so keep N
 * moderate (tests use up to a few dozen examples).
 *
 * @example
 * ```ts
 * import { dense, empiricalNtk, relu, serial } from "./mod.ts";
 * import { random } from "../gpu/mod.ts";
 * const net = serial(dense(256), relu(), dense(1));
 * const params = net.init(random.key(0), [3]);
 * const x = random.normal(random.key(1), [4, 3]);
 * console.log(empiricalNtk(net.apply, params, x).shape); // [4, 4]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import {
  add,
  concat,
  div,
  matmul,
  oneHot,
  reshape,
  scope,
  slice,
  stack,
  type Tensor,
  tensor,
  treeFlatten,
  vjp,
} from "../gpu/mod.ts";
import type { Params } from "./stax/layer.ts";

/** A network's forward pass: parameters and inputs [N, d] (or [N, H, W, C]) to outputs [N, k]. */
export type ApplyNet = (params: Params, x: Tensor) => Tensor;

function outputOf(apply: ApplyNet, params: Params, x: Tensor, where: string): Tensor {
  const y = apply(params, x);
  if (y.rank !== 2 || y.shape[0] !== x.shape[0]) {
    throw new ShapeError(
      `${where}: the network must map [N, ...] to [N, k]; got [${y.shape.join(", ")}] for ` +
        `[${x.shape.join(", ")}] (ensemble parameters are not supported here; end a ` +
        `convolutional network with flatten() and a dense readout)`,
    );
  }
  return y;
}

/**
 * f(x1) f(x2)^T / k for a network with k outputs (x2 = null: x2 = x1).
 *
 * @example
 * ```ts
 * import { dense, empiricalNngp, serial } from "./mod.ts";
 * import { random, tensor } from "../gpu/mod.ts";
 * const net = serial(dense(2));
 * const p = net.init(random.key(0), [1]);
 * console.log(empiricalNngp(net.apply, p, tensor([[1], [2]])).shape); // [2, 2]
 * ```
 */
export function empiricalNngp(
  apply: ApplyNet,
  params: Params,
  x1: Tensor,
  x2: Tensor | null = null,
): Tensor {
  return scope(() => {
    const f1 = outputOf(apply, params, x1, "empiricalNngp");
    const f2 = x2 ? outputOf(apply, params, x2, "empiricalNngp") : f1;
    return div(matmul(f1, f2, { transB: true }), f1.shape[1]);
  });
}

/** Jacobian rows [N, P] of output unit `o`, one VJP per example. */
function jacobianRows(apply: ApplyNet, params: Params, x: Tensor, o: number, k: number): Tensor {
  const n = x.shape[0];
  const rows: Tensor[] = [];
  const ct = oneHot(tensor([o], "i32"), k); // [1, k]
  for (let i = 0; i < n; i++) {
    const xi = slice(x, [[i, i + 1]]);
    const [, g] = vjp((p: Params) => apply(p, xi), params, ct);
    const leaves = treeFlatten(g).leaves;
    rows.push(concat(leaves.map((l) => reshape(l, [l.size])), 0));
  }
  return stack(rows, 0);
}

/**
 * The empirical NTK sum_p J1 J2^T / k of a network with k outputs (x2 = null: x2 = x1).
 *
 * @example
 * ```ts
 * import { dense, empiricalNtk, serial } from "./mod.ts";
 * import { random, tensor } from "../gpu/mod.ts";
 * const net = serial(dense(1, { bStd: 1 })); // f = x w + b: NTK = x x' + 1
 * const p = net.init(random.key(0), [1]);
 * console.log(await empiricalNtk(net.apply, p, tensor([[1], [2]])).toArray()); // [[2, 3], [3, 5]]
 * ```
 */
export function empiricalNtk(
  apply: ApplyNet,
  params: Params,
  x1: Tensor,
  x2: Tensor | null = null,
): Tensor {
  if (x1.rank < 2 || (x2 && x2.shape.slice(1).join() !== x1.shape.slice(1).join())) {
    throw new ShapeError(
      `empiricalNtk: inputs must be [N, d] (or images [N, H, W, C]) with equal feature ` +
        `shapes, got [${x1.shape}]` + (x2 ? ` and [${x2.shape}]` : ""),
    );
  }
  if (treeFlatten(params).leaves.length === 0) {
    throw new InvalidArgumentError("empiricalNtk: the network has no parameters");
  }
  return scope(() => {
    const k = outputOf(apply, params, slice(x1, [[0, 1]]), "empiricalNtk").shape[1];
    let acc: Tensor | null = null;
    for (let o = 0; o < k; o++) {
      const j1 = jacobianRows(apply, params, x1, o, k);
      const j2 = x2 ? jacobianRows(apply, params, x2, o, k) : j1;
      const term = matmul(j1, j2, { transB: true });
      acc = acc ? add(acc, term) : term;
    }
    return div(acc!, k);
  });
}
