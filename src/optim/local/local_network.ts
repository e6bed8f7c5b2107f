/**
 * A network prepared for local parallelism (Laskin et al. 2020): a sequence of blocks (any
 * `src/nn` layers, e.g. `serial(dense(256), activation("relu"))`) plus one auxiliary head per
 * chunk of a {@link ChunkPlan}; head k reads the output of chunk k's last block. The last
 * chunk's head is the network's own output layer, so with one chunk the network is the plain
 * network trained by ordinary backprop.
 *
 * `initLocalParams` derives block l's key from (key, l) and the key of a head from the block
 * it is attached to, so networks with different partitions share the initialization of every
 * block and of the final head (a fair comparison across K).
 *
 * @example
 * ```ts
 * import { activation, dense, serial } from "../../nn/mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * import { chunkPlan } from "./partition.ts";
 * import { initLocalParams, localForward } from "./local_network.ts";
 * const block = serial(dense(16, { parameterization: "standard" }), activation("relu"));
 * const plan = chunkPlan(4, { chunks: 2 });
 * const net = { blocks: Array(4).fill(block), heads: Array(2).fill(dense(3)) };
 * const params = initLocalParams(net, plan, random.key(0), [8]);
 * const outs = localForward(net, plan, params, random.normal(random.key(1), [5, 8]));
 * console.log(outs.length, outs[1].shape); // 2 [5, 3]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { random, type Tensor } from "../../gpu/mod.ts";
import type { Key } from "../../gpu/random.ts";
import type { Layer, Params } from "../../nn/layer.ts";
import { tidy } from "../../nn/tidy.ts";
import type { ChunkPlan } from "./partition.ts";

/** Blocks and per-chunk heads (see the module doc). */
export interface LocalNetwork<B extends Params = Params, H extends Params = Params> {
  /** The network's blocks, applied in order (`plan.depth` of them). */
  readonly blocks: readonly Layer<B>[];
  /** One head per chunk; `heads[K - 1]` is the network's output layer. */
  readonly heads: readonly Layer<H>[];
}

/** Parameters of a {@link LocalNetwork}: one tree per block and one per head. */
export interface LocalParams<B extends Params = Params, H extends Params = Params> {
  /** Index signature so the record is a parameter tree (`Params`). */
  [k: string]: B[] | H[];
  /** Block parameters, `plan.depth` entries. */
  blocks: B[];
  /** Head parameters, one per chunk. */
  heads: H[];
}

/**
 * Throws InvalidArgumentError unless `net` (and `params`, when given) match `plan`.
 *
 * @example
 * ```ts
 * import { dense } from "../../nn/mod.ts";
 * import { chunkPlan } from "./partition.ts";
 * import { checkLocalNetwork } from "./local_network.ts";
 * try {
 *   checkLocalNetwork("demo", { blocks: [dense(2)], heads: [] }, chunkPlan(1, { chunks: 1 }));
 * } catch (e) {
 *   console.log((e as Error).message); // demo: net.heads has 0 layers; expected 1 ...
 * }
 * ```
 */
export function checkLocalNetwork<B extends Params, H extends Params>(
  where: string,
  net: LocalNetwork<B, H>,
  plan: ChunkPlan,
  params?: LocalParams<B, H>,
): void {
  const K = plan.sizes.length;
  if (!net || !Array.isArray(net.blocks) || !Array.isArray(net.heads)) {
    throw new InvalidArgumentError(
      `${where}: net must be { blocks: Layer[], heads: Layer[] }, got ${String(net)}`,
    );
  }
  if (net.blocks.length !== plan.depth) {
    throw new InvalidArgumentError(
      `${where}: net.blocks has ${net.blocks.length} layers; expected the plan's depth ` +
        `${plan.depth}`,
    );
  }
  if (net.heads.length !== K) {
    throw new InvalidArgumentError(
      `${where}: net.heads has ${net.heads.length} layers; expected ${K} (one per chunk of ` +
        `the plan)`,
    );
  }
  if (params === undefined) return;
  if (!params || !Array.isArray(params.blocks) || params.blocks.length !== plan.depth) {
    throw new InvalidArgumentError(
      `${where}: params.blocks must be an array of ${plan.depth} parameter trees, got ${
        Array.isArray(params?.blocks) ? `${params.blocks.length}` : typeof params?.blocks
      }`,
    );
  }
  if (!Array.isArray(params.heads) || params.heads.length !== K) {
    throw new InvalidArgumentError(
      `${where}: params.heads must be an array of ${K} parameter trees, got ${
        Array.isArray(params.heads) ? `${params.heads.length}` : typeof params.heads
      }`,
    );
  }
}

/**
 * Initializes the blocks (in order, each on the previous output shape) and the heads (on the
 * output shape of their chunk's last block). See the module doc for the key derivation.
 *
 * @example
 * ```ts
 * import { dense } from "../../nn/mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * import { chunkPlan } from "./partition.ts";
 * import { initLocalParams } from "./local_network.ts";
 * const net = { blocks: [dense(4), dense(6)], heads: [dense(2), dense(2)] };
 * const p = initLocalParams(net, chunkPlan(2, { chunks: 2 }), random.key(0), [3]);
 * console.log(p.heads[0].w.shape, p.heads[1].w.shape); // [4, 2] [6, 2]
 * ```
 */
export function initLocalParams<B extends Params, H extends Params>(
  net: LocalNetwork<B, H>,
  plan: ChunkPlan,
  key: Key,
  inShape: readonly number[],
): LocalParams<B, H> {
  checkLocalNetwork("initLocalParams", net, plan);
  const kBlocks = random.foldIn(key, 0), kHeads = random.foldIn(key, 1);
  const blocks: B[] = [];
  const shapes: number[][] = [];
  let shape = [...inShape];
  net.blocks.forEach((b, l) => {
    const r = b.init(random.foldIn(kBlocks, l), shape);
    blocks.push(r.params);
    shape = r.outShape;
    shapes.push(shape);
  });
  const heads = net.heads.map((h, k) => {
    const last = plan.ends[k] - 1;
    return h.init(random.foldIn(kHeads, last), shapes[last]).params;
  });
  return { blocks, heads };
}

/**
 * Every head's output for input `x` (one forward pass through the blocks), e.g. for
 * evaluation; entry K - 1 is the network's output. Nothing is detached (plain inference).
 *
 * @example
 * ```ts
 * import { dense } from "../../nn/mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * import { chunkPlan } from "./partition.ts";
 * import { initLocalParams, localForward } from "./local_network.ts";
 * const net = { blocks: [dense(4)], heads: [dense(2)] };
 * const plan = chunkPlan(1, { chunks: 1 });
 * const p = initLocalParams(net, plan, random.key(0), [3]);
 * console.log(localForward(net, plan, p, random.normal(random.key(1), [7, 3]))[0].shape); // [7, 2]
 * ```
 */
export function localForward<B extends Params, H extends Params>(
  net: LocalNetwork<B, H>,
  plan: ChunkPlan,
  params: LocalParams<B, H>,
  x: Tensor,
): Tensor[] {
  checkLocalNetwork("localForward", net, plan, params);
  return tidy(() => {
    const outs: Tensor[] = [];
    let h = x;
    plan.ends.forEach((end, k) => {
      for (let l = plan.starts[k]; l < end; l++) h = net.blocks[l].apply(params.blocks[l], h);
      outs.push(net.heads[k].apply(params.heads[k], h));
    });
    return outs;
  });
}
