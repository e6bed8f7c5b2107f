/**
 * Whitening erases what a dense first layer can generalize from (Wadia et al. 2021): 20 MNIST
 * digits in d = 49 features (centre crop 21x21, 3x3 average pooling), a linear model trained by
 * gradient descent to convergence, tested on 100 digits. Raw inputs generalize; inputs whitened
 * together with each group of 20 test digits (20 + 20 <= 49 points) leave every test digit
 * orthogonal to the training set, and test accuracy drops to chance. Last, one undamped Newton
 * step on the raw inputs lands exactly where gradient descent converges (with n <= d, the
 * interpolant nearest the initialization), skipping the path gradient descent takes there.
 *
 * Run: `deno run -A examples/whitening.ts`
 *
 * @module
 */
import { matmul, random, type Tensor, tensor } from "../src/gpu/mod.ts";
import { loadMnistHost } from "../src/nn/datasets/mnist.ts";
import {
  fitWhiteningHost,
  linearLeastSquaresCheckpoints,
  newtonPreconditioner,
  whitenTrainTest,
} from "../src/optim/mod.ts";

const n = 20, t = 100, d = 49;
const h = loadMnistHost({ train: n, test: t, seed: 0 });
// centre crop 21x21, then 3x3 average pooling -> 7x7
const pool = (x: Float32Array, rows: number) =>
  Float32Array.from({ length: rows * d }, (_, i) => {
    const r = Math.floor(i / d), cell = i % d, cy = Math.floor(cell / 7), cx = cell % 7;
    let s = 0;
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) s += x[r * 784 + (3 + 3 * cy + a) * 28 + 3 + 3 * cx + b];
    }
    return s / 9;
  });
const xTrain = tensor(pool(h.xTrain, n), { shape: [n, d] });
const xTest = tensor(pool(h.xTest, t), { shape: [t, d] });
const yTrain = tensor(
  Float32Array.from(
    { length: n * 10 },
    (_, i) => (h.labelsTrain[Math.floor(i / 10)] === i % 10 ? 0.9 : -0.1),
  ),
  { shape: [n, 10] },
);
const accuracy = (pred: ArrayLike<number>) => {
  let c = 0;
  for (let i = 0; i < t; i++) {
    let best = 0;
    for (let j = 1; j < 10; j++) if (pred[i * 10 + j] > pred[i * 10 + best]) best = j;
    if (best === h.labelsTest[i]) c++;
  }
  return c / t;
};
const w0 = random.normal(random.key(1), [d, 10], 0, 1 / Math.sqrt(d));

/** The largest eigenvalue of x^T x / n over the groups of x [G?, n, d] (sets the GD step). */
async function lmax(x: Tensor): Promise<number> {
  const v = await x.read(), [rows, cols] = x.shape.slice(-2), G = v.length / (rows * cols);
  let top = 0;
  for (let g = 0; g < G; g++) {
    // the fitted transform carries the spectrum of the group's second-moment matrix
    const e = fitWhiteningHost(v.subarray(g * rows * cols, (g + 1) * rows * cols), rows, cols);
    top = Math.max(top, e.eigenvalues[cols - 1]);
  }
  return top;
}

/** Gradient descent (step 1 / l_max) to convergence: 2^20 exact steps by repeated squaring. */
async function gdTestAccuracy(train: Tensor, test: Tensor): Promise<number> {
  const [w] = await linearLeastSquaresCheckpoints({
    x: train,
    y: yTrain,
    w0,
    lr: 1 / await lmax(train),
    checkpoints: [2 ** 20],
  });
  const acc = accuracy(await matmul(test, w).read());
  w.dispose();
  return acc;
}

console.log(`raw inputs:      test accuracy ${await gdTestAccuracy(xTrain, xTest)}`);
const s = await whitenTrainTest(xTrain, xTest, { fit: "train+test", groupSize: 20 });
console.log(`whitened inputs: test accuracy ${await gdTestAccuracy(s.train, s.test)} (chance 0.1)`);

// Newton (undamped) jumps in one step to where gradient descent converges.
const p = await newtonPreconditioner(xTrain);
const [wNewton] = await linearLeastSquaresCheckpoints({
  x: xTrain,
  y: yTrain,
  w0,
  lr: 1,
  preconditioner: p.host,
  checkpoints: [1],
});
console.log(`Newton, 1 step:  test accuracy ${accuracy(await matmul(xTest, wNewton).read())}`);
