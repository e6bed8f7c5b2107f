/**
 * `vjp` / `valueAndGrad` that also hand back auxiliary tensors computed inside the function
 * (JAX's `has_aux=True`), without differentiating through them.
 *
 * Truncated backprop needs the state at the end of the truncation: it is computed inside the
 * differentiated function, and is returned here detached (no gradient node), so the next
 * truncation starts from a constant (the truncation boundary of TBPTT).
 *
 * @example
 * ```ts
 * import { mul, sum, tensor, type Tensor } from "../gpu/mod.ts";
 * import { valueAndGradWithAux } from "./grad_with_aux.ts";
 * const { value, grad, aux } = valueAndGradWithAux((x: Tensor) => {
 *   const y = mul(x, x);
 *   return { value: sum(y), aux: y };
 * }, tensor([1, 2]));
 * console.log(await value.item(), await grad.read(), await aux.read()); // 5 [2, 4] [1, 4]
 * ```
 * @module
 */
import { keep, type Tensor, treeFlatten, valueAndGrad, vjp } from "../gpu/mod.ts";
import type { MapTree } from "../gpu/tree.ts";

function detach<A>(aux: A): A {
  for (const t of treeFlatten(aux).leaves) t.node = null;
  return aux;
}

/**
 * Value, gradient and detached auxiliary output of `f` at `params`.
 *
 * @example
 * ```ts
 * import { sum, tensor, type Tensor } from "../gpu/mod.ts";
 * import { valueAndGradWithAux } from "./grad_with_aux.ts";
 * const r = valueAndGradWithAux((x: Tensor) => ({ value: sum(x), aux: { n: x } }), tensor([3]));
 * console.log(r.aux.n.node === null); // true
 * ```
 */
export function valueAndGradWithAux<P, A>(
  f: (params: P) => { value: Tensor; aux: A },
  params: P,
): { value: Tensor; grad: MapTree<P, Tensor>; aux: A } {
  let aux: A | undefined;
  const [value, grad] = valueAndGrad((p: P) => {
    const r = f(p);
    aux = keep(r.aux);
    return r.value;
  })(params);
  return { value, grad, aux: detach(aux as A) };
}

/**
 * `vjp` of `f` (output `y`, any tree) with cotangent `ct`, plus a detached auxiliary output.
 *
 * @example
 * ```ts
 * import { mul, tensor, type Tensor } from "../gpu/mod.ts";
 * import { vjpWithAux } from "./grad_with_aux.ts";
 * const r = vjpWithAux((x: Tensor) => ({ y: mul(x, 3), aux: x }), tensor([1, 2]), tensor([1, 1]));
 * console.log(await r.grad.read()); // Float32Array [3, 3]
 * ```
 */
export function vjpWithAux<P, Y, A>(
  f: (params: P) => { y: Y; aux: A },
  params: P,
  ct: Y,
): { y: Y; grad: MapTree<P, Tensor>; aux: A } {
  let aux: A | undefined;
  const [y, grad] = vjp(
    (p: P) => {
      const r = f(p);
      aux = keep(r.aux);
      return r.y;
    },
    params,
    ct,
  );
  return { y, grad, aux: detach(aux as A) };
}
