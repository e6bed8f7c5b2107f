/**
 * Local parallelism (Laskin, Metz, Nabarro, Saroufim, Noune, Luschi, Sohl-Dickstein & Abbeel
 * 2020, "Parallel Training of Deep Networks with Local Updates"): global backprop is replaced
 * by truncated, chunk-wise backprop. A deep network's blocks are split into K consecutive
 * chunks ({@link chunkPlan}); each chunk gets an auxiliary head and is trained only on its own
 * head's loss, with its input detached ({@link chunkedLocalLoss}, {@link localValueAndGrad}).
 * No gradient crosses a chunk boundary, so no chunk waits for the backward pass of a later one
 * and the chunks can be pipelined over K devices ({@link pipelineCost} models the ideal
 * speedup). K = 1 is ordinary backprop; K = depth is greedy layer-wise training; `overlap > 0`
 * gives overlapping local updates, where each chunk's loss also reaches the last blocks of the
 * previous chunk.
 *
 * The `local-parallel-mnist` experiment trains a deep MLP on MNIST for K in {1, 2, 4, 8} and
 * with overlap, and reports accuracy against the modeled speedup.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../../gpu/mod.ts";
 * import { activation, adam, dense, serial, softmaxCrossEntropy } from "../../nn/mod.ts";
 * import { chunkPlan, initLocalParams, localValueAndGrad, pipelineCost } from "./mod.ts";
 *
 * const depth = 4;
 * const block = serial(dense(16, { parameterization: "standard", wStd: Math.SQRT2 }), activation("relu"));
 * const plan = chunkPlan(depth, { chunks: 2 }); // two chunks of two blocks
 * const net = { blocks: Array(depth).fill(block), heads: Array(2).fill(dense(10)) };
 * let params = initLocalParams(net, plan, random.key(0), [8]);
 * const x = random.normal(random.key(1), [32, 8]);
 * const y = tensor(Int32Array.from({ length: 32 }, (_, i) => i % 10), { dtype: "i32" });
 *
 * const opt = adam({ lr: 1e-2 });
 * const state = opt.init(params);
 * const { losses, grads } = localValueAndGrad(net, plan, softmaxCrossEntropy)(params, x, y);
 * params = opt.update(grads, state, params).params;
 * console.log(losses.length); // 2 (one local loss per chunk)
 *
 * const cost = pipelineCost({ plan, blockFlops: [8 * 16, 16 * 16, 16 * 16, 16 * 16], headFlops: [160, 160] });
 * console.log(cost.idealSpeedup > 1); // true
 * ```
 * @module
 */
export {
  checkChunkIndex,
  type ChunkPlan,
  chunkPlan,
  type ChunkPlanOptions,
  equalChunkSizes,
  reachedBlocks,
  reachStart,
} from "./partition.ts";
export {
  checkLocalNetwork,
  initLocalParams,
  localForward,
  type LocalNetwork,
  type LocalParams,
} from "./local_network.ts";
export {
  type ChunkedLocalLoss,
  chunkedLocalLoss,
  type HeadLoss,
  type LocalStep,
  localValueAndGrad,
} from "./chunked_loss.ts";
export {
  denseForwardFlops,
  type PipelineCost,
  pipelineCost,
  type PipelineCostInput,
} from "./cost_model.ts";
