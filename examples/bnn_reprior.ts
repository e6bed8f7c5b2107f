/**
 * Wide-BNN posterior sampling with repriorisation (Hron et al. 2022) in a few lines: sample a
 * 784 -> 128 -> 10 network on 64 MNIST regression points with the reference's Langevin sampler,
 * in the standard and the repriorised parameterization, and compare the function-space ESS.
 *
 *   deno run -A examples/bnn_reprior.ts
 *
 * @module
 */
import { random } from "../src/gpu/mod.ts";
import { fcNet, mnistRegression, sampleBnn } from "../src/bnn/mod.ts";

const data = mnistRegression({ train: 64, test: 8, downsample: 4 });
const net = fcNet({ inputDim: data.inputDim, width: 128, outputDim: 10 });
for (const parameterization of ["standard", "reprior"] as const) {
  const r = await sampleBnn({
    model: net,
    data: data.train,
    xTest: data.test.x,
    parameterization,
    chains: 2,
    warmup: 60,
    steps: 120,
    thin: 2,
    key: random.key(0), // same prior draw of the initial weights for both
  });
  console.log(
    `${parameterization.padEnd(8)} ESS(f) ${r.essFunctionMedian.toFixed(1)}  ` +
      `accept ${r.acceptProb.toFixed(2)}  step ${r.stepSize.toExponential(1)}  ` +
      `${r.samplingSeconds.toFixed(1)} s`,
  );
}
