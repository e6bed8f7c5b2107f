/**
 * Local parallelism (Laskin et al. 2020): train a deep ReLU MLP on MNIST with chunked local
 * updates. The network's blocks are split into K chunks; each chunk has its own linear softmax
 * head and learns only from that head's loss, its input detached, so no gradient crosses a
 * chunk boundary and the chunks could run pipelined on K devices. Prints every head's test
 * accuracy and the cost model's ideal speedup next to ordinary backprop (K = 1).
 *
 * Run: `deno run -A examples/local_parallel.ts [--chunks 4] [--overlap 0] [--depth 8]
 * [--width 128] [--steps 400] [--seed 0]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dispose, random, runtime, type Tensor } from "../src/gpu/mod.ts";
import {
  accuracy,
  activation,
  adam,
  batches,
  dense,
  loadMnist,
  serial,
  softmaxCrossEntropy,
  train,
} from "../src/nn/mod.ts";
import {
  chunkedLocalLoss,
  chunkPlan,
  denseForwardFlops,
  initLocalParams,
  localForward,
  type LocalNetwork,
  pipelineCost,
} from "../src/optim/local/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    chunks: { type: "string", default: "4" },
    overlap: { type: "string", default: "0" },
    depth: { type: "string", default: "8" },
    width: { type: "string", default: "128" },
    steps: { type: "string", default: "400" },
    batch: { type: "string", default: "128" },
    seed: { type: "string", default: "0" },
  },
});
const depth = Number(values.depth), width = Number(values.width);
const steps = Number(values.steps), batchSize = Number(values.batch), seed = Number(values.seed);

console.log(`adapter: ${runtime().summary.description}`);
const data = loadMnist({ train: 8000, test: 2000, scaling: "standardize", oneHot: false, seed });
const block = serial(
  dense(width, { parameterization: "standard", wStd: Math.SQRT2 }),
  activation("relu"),
);
const head = dense(10, { parameterization: "standard" });
const blockFlops = Array.from(
  { length: depth },
  (_, l) => denseForwardFlops(batchSize, l === 0 ? 784 : width, width),
);

for (const K of [1, Number(values.chunks)]) {
  const plan = chunkPlan(depth, { chunks: K, overlap: K === 1 ? 0 : Number(values.overlap) });
  const net: LocalNetwork = {
    blocks: Array.from({ length: depth }, () => block),
    heads: plan.sizes.map(() => head),
  };
  const cost = pipelineCost({
    plan,
    blockFlops,
    headFlops: plan.sizes.map(() => denseForwardFlops(batchSize, width, 10)),
  });
  const [kInit, kData] = random.split(random.key(seed));
  const r = await train({
    params: initLocalParams(net, plan, kInit, [784]),
    // The sum of the chunks' local losses: its gradient is the local update of every chunk.
    loss: (p, b: { x: Tensor; y: Tensor }) =>
      chunkedLocalLoss(net, plan, p, b.x, b.y, softmaxCrossEntropy).total,
    optimizer: adam({ lr: 1e-3 }),
    batches: batches(kData, { x: data.xTrain, y: data.yTrain }, batchSize),
    steps,
    readEvery: Math.max(1, Math.floor(steps / 4)),
    progress: true,
    disposeInitial: true,
  });
  const accs = localForward(net, plan, r.params, data.xTest).map((o) => accuracy(o, data.yTest));
  const headAcc = await Promise.all(accs.map((a) => a.item()));
  console.log(
    `K = ${K} (chunks ${plan.sizes.join("-")}, overlap ${plan.overlap}): head test accuracy ` +
      headAcc.map((a, k) => `h${k + 1} ${(100 * a).toFixed(2)}%`).join(", ") +
      `; ideal pipelined speedup ${cost.idealSpeedup.toFixed(2)}x, compute ` +
      `${cost.computeOverhead.toFixed(2)}x backprop's`,
  );
  dispose([r.params, r.state, accs]);
}
dispose(data);
