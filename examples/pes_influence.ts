/**
 * Persistent evolution strategies on the influence-balancing task (Vicol et al. 2021):
 * truncated backprop with K = 1 follows a biased gradient and drives theta away from the
 * optimum; PES with K = 1 (500 antithetic pairs) converges to theta_true = -1/6.
 *
 * Run: `deno run -A examples/pes_influence.ts`
 *
 * @module
 */
import { key } from "../src/gpu/random.ts";
import { sgd } from "../src/nn/optimizers.ts";
import { influenceBalancing, metaTrain, pes, tbptt } from "../src/optim/mod.ts";

const task = influenceBalancing(); // n = 23 state, 10 positive / 13 negative influences
console.log(`theta_true = ${task.optimalTheta().toFixed(4)}`);

for (
  const estimator of [
    tbptt(task, { truncationLength: 1 }),
    pes(task, { truncationLength: 1, particles: 1000, sigma: 0.1 }),
  ]
) {
  const t0 = performance.now();
  const { theta, history } = await metaTrain({
    estimator,
    theta0: [0.5],
    optimizer: sgd({ lr: 1.5e-4 }),
    iterations: 1000,
    key: key(0),
    readEvery: 250,
    onProgress: (r) =>
      console.log(`  ${estimator.name} iteration ${r.iteration}: theta ${r.theta[0].toFixed(4)}`),
  });
  const th = (await theta.read())[0];
  console.log(
    `${estimator.name}: theta ${th.toFixed(4)}, long-run loss ${
      task.steadyStateLoss(th).toExponential(2)
    } ` +
      `(${history.length} reads, ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  estimator.dispose();
  theta.dispose();
}
