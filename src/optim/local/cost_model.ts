/**
 * An idealized cost model of one training step with sequential backprop versus pipelined local
 * parallelism (Laskin et al. 2020, section 2 and their compute/wall-clock comparisons), in
 * FLOPs (or any additive cost unit).
 *
 * Assumptions (all stated so the numbers can be judged):
 * - A block's (or head's) backward pass costs `backwardFactor` times its forward pass (default
 *   2: for a dense layer the input gradient and the weight gradient are one matmul each).
 * - Backprop trains the plain network: the blocks plus the final head only. On one device, or
 *   on K devices with naive model parallelism (each device waits for the next one's backward
 *   pass: backward locking), a step takes the whole forward plus backward time.
 * - Local parallelism puts chunk k on device k. Device k runs the forward and backward passes
 *   of the blocks its loss reaches (its own plus `overlap` recomputed blocks of chunk k-1) and
 *   of its head. Chunk k needs only chunk k-1's forward output, so in steady state the devices
 *   work on K consecutive minibatches at once and one step takes the slowest device's time
 *   plus `transferCost` (sending one activation to the next device). Pipeline fill and drain
 *   (K - 1 steps per run), memory traffic, kernel launch overhead and the staleness of the
 *   pipelined activations are ignored: the speedup is an upper bound.
 * - For comparison, pipelined backprop (GPipe-style) with M micro-batches per step on the same
 *   K devices: the plain network's chunks are pipeline stages, and a step takes
 *   `(M + K - 1) / M` times the slowest stage (the pipeline bubble; Huang et al. 2019).
 *
 * @example
 * ```ts
 * import { chunkPlan } from "./partition.ts";
 * import { pipelineCost } from "./cost_model.ts";
 * const plan = chunkPlan(8, { chunks: 4 });
 * const c = pipelineCost({ plan, blockFlops: Array(8).fill(100), headFlops: Array(4).fill(10) });
 * console.log(c.backpropStep, c.localParallelStep, c.idealSpeedup.toFixed(3)); // 2430 630 "3.857"
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { type ChunkPlan, reachStart } from "./partition.ts";

/** Inputs of {@link pipelineCost}. */
export interface PipelineCostInput {
  /** The partition (its overlap adds recomputed blocks to each chunk's work). */
  plan: ChunkPlan;
  /** Forward cost of each block for one minibatch (`plan.depth` entries, >= 0). */
  blockFlops: readonly number[];
  /** Forward cost of each chunk's head (K entries, >= 0); the last is the network's output layer. */
  headFlops: readonly number[];
  /** Backward cost / forward cost of every block and head (default 2). */
  backwardFactor?: number;
  /** Cost of handing one chunk's output to the next device, per step (default 0). */
  transferCost?: number;
  /** Micro-batches per step of the pipelined-backprop comparison (default 8). */
  microbatches?: number;
}

/** What {@link pipelineCost} returns (costs per training step, in the units of the input). */
export interface PipelineCost {
  /** Backprop through the plain network on one device (or naive model parallelism). */
  backpropStep: number;
  /** Work of device k under local updates: forward + backward of its reached blocks and head. */
  chunkStep: number[];
  /** Local updates run one chunk after another on a single device: the sum of `chunkStep`. */
  localSequentialStep: number;
  /** Local updates pipelined over K devices: max of `chunkStep` plus the transfer cost. */
  localParallelStep: number;
  /** `backpropStep / localParallelStep`: the ideal wall-clock speedup per step. */
  idealSpeedup: number;
  /** `localSequentialStep / backpropStep`: the extra compute local updates spend (heads, overlap). */
  computeOverhead: number;
  /** `idealSpeedup / K`: the fraction of K devices' time doing useful work. */
  parallelEfficiency: number;
  /** Pipelined backprop on the same K devices with `microbatches` micro-batches per step. */
  pipelinedBackpropStep: number;
}

function checkCosts(name: string, v: readonly number[], n: number): void {
  if (!Array.isArray(v) || v.length !== n) {
    throw new InvalidArgumentError(
      `pipelineCost: ${name} must be an array of ${n} costs, got ${
        Array.isArray(v) ? `${v.length} entries` : typeof v
      }`,
    );
  }
  v.forEach((c, i) => {
    if (typeof c !== "number" || !Number.isFinite(c) || c < 0) {
      throw new InvalidArgumentError(
        `pipelineCost: ${name}[${i}] = ${c}; expected a finite cost >= 0`,
      );
    }
  });
}

/**
 * Per-step costs of backprop and of local parallelism under the module doc's assumptions.
 *
 * @example
 * ```ts
 * import { chunkPlan } from "./partition.ts";
 * import { pipelineCost } from "./cost_model.ts";
 * const one = pipelineCost({ plan: chunkPlan(4, { chunks: 1 }), blockFlops: [1, 1, 1, 1], headFlops: [1] });
 * console.log(one.idealSpeedup, one.computeOverhead); // 1 1
 * ```
 */
export function pipelineCost(input: PipelineCostInput): PipelineCost {
  const { plan } = input;
  const K = plan.sizes.length;
  checkCosts("blockFlops", input.blockFlops, plan.depth);
  checkCosts("headFlops", input.headFlops, K);
  const beta = input.backwardFactor ?? 2;
  const transfer = input.transferCost ?? 0;
  const M = input.microbatches ?? 8;
  if (!Number.isFinite(beta) || beta < 0) {
    throw new InvalidArgumentError(
      `pipelineCost: backwardFactor = ${beta}; expected a finite number >= 0`,
    );
  }
  if (!Number.isFinite(transfer) || transfer < 0) {
    throw new InvalidArgumentError(
      `pipelineCost: transferCost = ${transfer}; expected a finite number >= 0`,
    );
  }
  if (!Number.isInteger(M) || M < 1) {
    throw new InvalidArgumentError(
      `pipelineCost: microbatches = ${M}; expected a positive integer`,
    );
  }
  const fb = 1 + beta;
  const sum = (from: number, to: number) => {
    let s = 0;
    for (let l = from; l < to; l++) s += input.blockFlops[l];
    return s;
  };
  const finalHead = input.headFlops[K - 1];
  const backpropStep = fb * (sum(0, plan.depth) + finalHead);
  const chunkStep = plan.ends.map((end, k) =>
    fb * (sum(reachStart(plan, k), end) + input.headFlops[k])
  );
  const localSequentialStep = chunkStep.reduce((a, b) => a + b, 0);
  const slowest = Math.max(...chunkStep);
  const localParallelStep = slowest + (K > 1 ? transfer : 0);
  // GPipe stages: the plain network's chunks without aux heads or overlap.
  const stage = plan.ends.map((end, k) =>
    fb * (sum(plan.starts[k], end) + (k === K - 1 ? finalHead : 0))
  );
  const pipelinedBackpropStep = (M + K - 1) / M * Math.max(...stage) + (K > 1 ? transfer : 0);
  const idealSpeedup = localParallelStep > 0 ? backpropStep / localParallelStep : 1;
  return {
    backpropStep,
    chunkStep,
    localSequentialStep,
    localParallelStep,
    idealSpeedup,
    computeOverhead: backpropStep > 0 ? localSequentialStep / backpropStep : 1,
    parallelEfficiency: idealSpeedup / K,
    pipelinedBackpropStep,
  };
}

/**
 * Forward FLOPs of a dense layer on a minibatch: `2 * batch * inDim * outDim` (the matmul;
 * the bias add and the activation are O(batch * outDim) and left out).
 *
 * @example
 * ```ts
 * import { denseForwardFlops } from "./cost_model.ts";
 * console.log(denseForwardFlops(128, 784, 256)); // 51380224
 * ```
 */
export function denseForwardFlops(batch: number, inDim: number, outDim: number): number {
  for (const [k, v] of Object.entries({ batch, inDim, outDim })) {
    if (!Number.isInteger(v) || v < 1) {
      throw new InvalidArgumentError(`denseForwardFlops: ${k} = ${v}; expected a positive integer`);
    }
  }
  return 2 * batch * inDim * outDim;
}
