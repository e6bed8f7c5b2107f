/**
 * NNGP / NTK inference on MNIST with an infinitely wide convolutional network that ends in global
 * average pooling (CNN-GAP; Novak et al. 2019, Lee et al. 2020). Run:
 *
 *   deno run -A examples/cnn_gap.ts [trainSize] [testSize]
 *
 * Digits are average-pooled to 7x7 so the cross-location kernels ([N1, N2, 49, 49] per layer)
 * stay cheap on a CPU adapter (~30 s for the defaults on 2 cores; a GPU takes well under a
 * second). The fully connected vs CNN-VEC vs CNN-GAP comparison is part of the `nngp-mnist`
 * experiment.
 *
 * @module
 */
import * as stax from "../src/kernels_inf/mod.ts";
import { accuracy, loadMnistInputs } from "../src/kernels_inf/experiments/mnist_inputs.ts";
import { random, reshape } from "../src/gpu/mod.ts";

const nTrain = Number(Deno.args[0] ?? 100), nTest = Number(Deno.args[1] ?? 200);
const data = loadMnistInputs({ train: nTrain, test: nTest, pool: 4, seed: 0 });
const images = (x: typeof data.xTrain, n: number) => reshape(stax.standardizeRows(x), [n, 7, 7, 1]);
const xTrain = images(data.xTrain, nTrain), xTest = images(data.xTest, nTest);

// One description: a finite CNN and its infinite-width kernels. The second convolution has
// stride 2 (7x7 -> 4x4); globalAvgPool makes `kernel` track covariances across locations.
const conv = (stride: number) => stax.conv(256, [3, 3], { stride, wStd: 1.5, bStd: 0.05 });
const net = stax.serial(
  conv(1),
  stax.relu(),
  conv(2),
  stax.relu(),
  conv(1),
  stax.relu(),
  stax.globalAvgPool(),
  stax.dense(10, { wStd: 1.5, bStd: 0.05 }),
);
console.log(`${net.name}\ncross-location kernels: ${net.crossLocations}`);

// Blocks of 50 rows keep one block's [50, 50, 49, 49] kernels at 24 MB.
const kTrain = stax.kernelBatched(net, xTrain, null, { blockSize: 50 });
const kTest = stax.kernelBatched(net, xTest, xTrain, { blockSize: 50 });
const result = await stax.gpInference({
  kTrainTrain: { nngp: kTrain.nngp, ntk: kTrain.ntk },
  kTestTrain: { nngp: kTest.nngp, ntk: kTest.ntk },
  yTrain: data.yTrain,
}, { diagReg: 1e-4, precision: "f64" });

console.log(`${nTrain} training / ${nTest} test digits at 7x7, solve: ${result.method}`);
console.log(
  `CNN-GAP NNGP test accuracy: ${
    accuracy(await result.nngp!.mean.read(), data.labelsTest).toFixed(4)
  }`,
);
console.log(
  `CNN-GAP NTK  test accuracy: ${
    accuracy(await result.ntk!.mean.read(), data.labelsTest).toFixed(4)
  }`,
);

// The finite network: 256 channels per convolution, outputs [N, 10].
const out = net.apply(net.init(random.key(0), [7, 7, 1]), xTest);
console.log(`finite network output shape: [${out.shape}]`);
