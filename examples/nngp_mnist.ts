/**
 * NNGP / NTK inference on MNIST with infinitely wide fully connected networks, next to one
 * finite network of the same architecture (Lee et al. 2020). Run:
 *
 *   deno run -A examples/nngp_mnist.ts [trainSize] [testSize] [precision]
 *
 * `precision` is the solve's arithmetic: "df64" (default: double-float on the GPU), "f64" (host)
 * or "f32" (GPU; float32 loses accuracy as the training set grows, Lee et al. 2020).
 *
 * The full study (depths, ZCA, finite widths, diagReg sweep, f32 vs f64) is the `nngp-mnist`
 * experiment: `deno task exp nngp-mnist --quick`.
 *
 * @module
 */
import * as stax from "../src/kernels_inf/mod.ts";
import { loadMnistHost } from "../src/nn/datasets/mnist.ts";
import { random, tensor } from "../src/gpu/mod.ts";

const nTrain = Number(Deno.args[0] ?? 1000), nTest = Number(Deno.args[1] ?? 500);
const precision = (Deno.args[2] ?? "df64") as stax.Precision; // validated by gpInference
const data = loadMnistHost({ train: nTrain, test: nTest, seed: 0 });
const xTrain = stax.standardizeRows(tensor(data.xTrain, { shape: [nTrain, 784] }));
const xTest = stax.standardizeRows(tensor(data.xTest, { shape: [nTest, 784] }));
// zero-mean one-hot targets: 0.9 for the class, -0.1 elsewhere
const y = new Float32Array(nTrain * 10).fill(-0.1);
data.labelsTrain.forEach((c, i) => (y[i * 10 + c] = 0.9));
const yTrain = tensor(y, { shape: [nTrain, 10] });

// One description: a finite network and its infinite-width kernels.
const net = stax.serial(
  stax.dense(1024, { wStd: 1.5, bStd: 0.05 }),
  stax.relu(),
  stax.dense(1024, { wStd: 1.5, bStd: 0.05 }),
  stax.relu(),
  stax.dense(10, { wStd: 1.5, bStd: 0.05 }),
);
const kTrain = net.kernel(xTrain); // NNGP and NTK on the GPU
const kTest = net.kernel(xTest, xTrain);
const result = await stax.gpInference({
  kTrainTrain: { nngp: kTrain.nngp, ntk: kTrain.ntk },
  kTestTrain: { nngp: kTest.nngp, ntk: kTest.ntk },
  yTrain,
}, { diagReg: 1e-4, precision });

const accuracy = (pred: ArrayLike<number>) => {
  let right = 0;
  data.labelsTest.forEach((label, i) => {
    let best = 0;
    for (let j = 1; j < 10; j++) if (pred[i * 10 + j] > pred[i * 10 + best]) best = j;
    if (best === label) right++;
  });
  return right / nTest;
};
console.log(`solve: ${result.method}`);
console.log(`NNGP test accuracy: ${accuracy(await result.nngp!.mean.read()).toFixed(4)}`);
console.log(`NTK  test accuracy: ${accuracy(await result.ntk!.mean.read()).toFixed(4)}`);

// The finite network at initialization: its empirical NNGP approaches the kernel as width grows.
const params = net.init(random.key(0), [784]);
const out = net.apply(params, xTest);
console.log(`finite network output shape: [${out.shape}] (train it with src/nn optimizers)`);
