/**
 * The local losses of chunked local backpropagation and overlapping local updates (Laskin et
 * al. 2020, section 2) and their gradients.
 *
 * Chunk k computes `loss_k = loss(head_k(blocks[from_k .. ends[k]](stopGradient(h_{from_k}))), y)`
 * with `from_k = max(0, starts[k] - overlap)` and `h_l` the input of block l in the ordinary
 * forward pass. Training minimizes the sum of the local losses: because every chunk starts
 * from a stop-gradient, the gradient of the sum with respect to chunk k's parameters is the
 * gradient of the losses that reach them, with the chunk input held constant; no gradient
 * crosses a chunk boundary, which is what lets the chunks run in parallel (no backward
 * locking). With overlap m, chunk k recomputes the last m blocks of chunk k-1 from their
 * detached input, so those blocks get gradient from loss_{k-1} and loss_k (the extra forward
 * and backward work is counted by `pipelineCost`). With one chunk this is ordinary backprop.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../../gpu/mod.ts";
 * import { activation, dense, serial, softmaxCrossEntropy } from "../../nn/mod.ts";
 * import { chunkPlan } from "./partition.ts";
 * import { initLocalParams } from "./local_network.ts";
 * import { localValueAndGrad } from "./chunked_loss.ts";
 * const block = serial(dense(8, { parameterization: "standard" }), activation("relu"));
 * const plan = chunkPlan(4, { chunks: 2 });
 * const net = { blocks: Array(4).fill(block), heads: Array(2).fill(dense(3)) };
 * const params = initLocalParams(net, plan, random.key(0), [5]);
 * const x = random.normal(random.key(1), [6, 5]);
 * const y = tensor(Int32Array.of(0, 1, 2, 0, 1, 2), { dtype: "i32" });
 * const step = localValueAndGrad(net, plan, softmaxCrossEntropy);
 * const { losses, grads } = step(params, x, y);
 * console.log(losses.length, grads.blocks.length, grads.heads.length); // 2 4 2
 * ```
 * @module
 */
import { add, stopGradient, type Tensor } from "../../gpu/mod.ts";
import type { MapTree } from "../../gpu/tree.ts";
import { tidy } from "../../nn/tidy.ts";
import { valueAndGradWithAux } from "../grad_with_aux.ts";
import { checkLocalNetwork, type LocalNetwork, type LocalParams } from "./local_network.ts";
import type { ChunkPlan } from "./partition.ts";
import type { Params } from "../../nn/layer.ts";

/** A loss of a head's output against targets, e.g. `softmaxCrossEntropy` (a scalar). */
export type HeadLoss<Y> = (output: Tensor, targets: Y) => Tensor;

/** What {@link chunkedLocalLoss} returns. */
export interface ChunkedLocalLoss {
  /** Sum of the local losses: its gradient is the local-update gradient of every parameter. */
  total: Tensor;
  /** The local loss of each chunk's head (`losses[K - 1]` is the network's own loss). */
  losses: Tensor[];
}

/**
 * Computes every chunk's local loss with stop-gradients at the chunk inputs (see the module
 * doc). Differentiable: take `grad` of `total` (or of one entry of `losses`) inside any
 * gradient transform, or pass `(p, b) => chunkedLocalLoss(...).total` to `train`.
 *
 * @example
 * ```ts
 * import { grad, random, tensor } from "../../gpu/mod.ts";
 * import { dense, mse } from "../../nn/mod.ts";
 * import { chunkPlan } from "./partition.ts";
 * import { initLocalParams } from "./local_network.ts";
 * import { chunkedLocalLoss } from "./chunked_loss.ts";
 * const plan = chunkPlan(2, { chunks: 2 });
 * const net = { blocks: [dense(3), dense(3)], heads: [dense(1), dense(1)] };
 * const p = initLocalParams(net, plan, random.key(0), [2]);
 * const x = random.normal(random.key(1), [4, 2]), y = tensor([[1], [0], [1], [0]]);
 * // Loss 1 gives no gradient to block 0: its input is detached.
 * const g = grad((q: typeof p) => chunkedLocalLoss(net, plan, q, x, y, mse).losses[1])(p);
 * console.log(await g.blocks[0].w.read()); // all zeros
 * ```
 */
export function chunkedLocalLoss<Y, B extends Params, H extends Params>(
  net: LocalNetwork<B, H>,
  plan: ChunkPlan,
  params: LocalParams<B, H>,
  x: Tensor,
  targets: Y,
  loss: HeadLoss<Y>,
): ChunkedLocalLoss {
  checkLocalNetwork("chunkedLocalLoss", net, plan, params);
  return tidy(() => {
    // inputs[l] = input of block l on the forward pass (inputs[0] = x).
    const inputs: Tensor[] = [x];
    const losses: Tensor[] = [];
    plan.ends.forEach((end, k) => {
      const start = plan.starts[k];
      const from = Math.max(0, start - plan.overlap);
      // The truncation point: loss k sees h_from as a constant.
      let h = stopGradient(inputs[from]);
      for (let l = from; l < end; l++) {
        h = net.blocks[l].apply(params.blocks[l], h);
        // Blocks before `start` belong to chunk k-1, whose forward already produced them.
        if (l >= start) inputs[l + 1] = h;
      }
      losses.push(loss(net.heads[k].apply(params.heads[k], h), targets));
    });
    // A fresh tensor even for K = 1, so `total` and `losses[0]` can be disposed separately.
    let total = add(losses[0], 0);
    for (let k = 1; k < losses.length; k++) total = add(total, losses[k]);
    return { total, losses };
  });
}

/** What the function returned by {@link localValueAndGrad} returns. */
export interface LocalStep<B extends Params = Params, H extends Params = Params> {
  /** Sum of the local losses. */
  total: Tensor;
  /** Each chunk's local loss (detached). */
  losses: Tensor[];
  /** Local-update gradient of every parameter (the structure of the params). */
  grads: { blocks: MapTree<B, Tensor>[]; heads: MapTree<H, Tensor>[] };
}

/**
 * `(params, x, targets) -> { total, losses, grads }`: the local losses and the gradient every
 * parameter receives under local updates, as an optimizer step needs them.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../../gpu/mod.ts";
 * import { dense, mse } from "../../nn/mod.ts";
 * import { chunkPlan } from "./partition.ts";
 * import { initLocalParams } from "./local_network.ts";
 * import { localValueAndGrad } from "./chunked_loss.ts";
 * const plan = chunkPlan(2, { chunks: 1 }); // one chunk: ordinary backprop
 * const net = { blocks: [dense(3), dense(3)], heads: [dense(1)] };
 * const p = initLocalParams(net, plan, random.key(0), [2]);
 * const r = localValueAndGrad(net, plan, mse)(p, random.normal(random.key(1), [4, 2]), tensor([[1], [0], [1], [0]]));
 * console.log(r.grads.blocks[0].w.shape); // [2, 3]
 * ```
 */
export function localValueAndGrad<Y, B extends Params, H extends Params>(
  net: LocalNetwork<B, H>,
  plan: ChunkPlan,
  loss: HeadLoss<Y>,
): (params: LocalParams<B, H>, x: Tensor, targets: Y) => LocalStep<B, H> {
  checkLocalNetwork("localValueAndGrad", net, plan);
  return (params, x, targets) => {
    const r = valueAndGradWithAux((p: LocalParams<B, H>) => {
      const { total, losses } = chunkedLocalLoss(net, plan, p, x, targets, loss);
      return { value: total, aux: losses };
    }, params);
    const grads = r.grad as unknown as LocalStep<B, H>["grads"];
    return { total: r.value, losses: r.aux, grads };
  };
}
