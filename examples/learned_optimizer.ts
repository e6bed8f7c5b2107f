/**
 * Meta-train a per-parameter MLP learned optimizer on noisy, badly scaled linear-regression
 * problems with truncated backprop, compare it with tuned Adam on fresh problems, and read off
 * its momentum, and use it as an ordinary optimizer in `train`; then train a GRU optimizer and
 * analyse its dynamics around the fixed point (Metz et al. 2020; Maheswaranathan et al. 2021).
 *
 * Run: `deno run -A examples/learned_optimizer.ts`
 *
 * @module
 */
import { key } from "../src/gpu/random.ts";
import { adam, type Optimizer } from "../src/nn/optimizers.ts";
import { batches, dense, linearRegression, mse, train } from "../src/nn/mod.ts";
import {
  adamRule,
  asOptimizer,
  evaluateRule,
  gruFixedPointAnalysis,
  gruLopt,
  learnedOptimizerSystem,
  linearRegressionFamily,
  loptRule,
  metaTrain,
  mlpLopt,
  momentumKernel,
  tbptt,
} from "../src/optim/mod.ts";

const family = linearRegressionFamily({ dim: 8, logScaleRange: 1 });
const lopt = mlpLopt({ stepMult: 0.01 }); // 1762 weights
const system = learnedOptimizerSystem(family, lopt, { horizon: 50 });
const estimator = tbptt(system, { particles: 16, truncationLength: 10, maxInitialOffset: 49 });
const { theta } = await metaTrain({
  estimator,
  theta0: lopt.initTheta(0),
  optimizer: adam({ lr: 3e-3 }),
  iterations: 100,
  key: key(1),
  readEvery: 25,
  onProgress: (r) => console.log(`meta-iteration ${r.iteration}: meta-loss ${r.loss.toFixed(3)}`),
});
estimator.dispose();

const learned = theta;
const test = { tasks: 256, steps: 50, key: key(2) };
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const rule of [loptRule(lopt, learned), adamRule({ lr: 0.3 }), adamRule({ lr: 0.1 })]) {
  const r = await evaluateRule(family, rule, test);
  console.log(`${rule.name}: mean log loss ${mean(r.meanLogLoss).toFixed(3)}`);
}
const k = await momentumKernel(lopt, learned);
console.log(
  `momentum kernel: mean lag ${k.meanLag.toFixed(2)} (heavy ball beta ~ ${
    k.effectiveBeta.toFixed(3)
  })`,
);

// The trained optimizer as an ordinary nn optimizer: fit a dense layer (weights and bias, two
// tensors) with `train`, next to Adam.
const data = linearRegression(4, { n: 256, dim: 8 });
const net = dense(1, { parameterization: "standard" });
const optimizers: Optimizer[] = [asOptimizer(lopt, learned), adam({ lr: 0.1 })];
for (const optimizer of optimizers) {
  const { history } = await train({
    params: net.init(key(5), [8]).params,
    loss: (p, b) => mse(net.apply(p, b.x), b.y),
    optimizer,
    batches: batches(6, { x: data.x, y: data.y }, 32),
    steps: 50,
    readEvery: 10,
  });
  console.log(
    `train with ${optimizer.name}: loss ${history.loss.map((l) => l.toFixed(3)).join(" ")}`,
  );
}

// A GRU optimizer: the same training, then fixed point, linearization and update function.
const gru = gruLopt({ hidden: 16 });
const gruEstimator = tbptt(learnedOptimizerSystem(family, gru, { horizon: 50 }), {
  particles: 16,
  truncationLength: 10,
  maxInitialOffset: 49,
});
const trained = await metaTrain({
  estimator: gruEstimator,
  theta0: gru.initTheta(0),
  optimizer: adam({ lr: 3e-3 }),
  iterations: 100,
  key: key(3),
  readEvery: 50,
});
gruEstimator.dispose();
const r = await evaluateRule(family, loptRule(gru, trained.theta), test);
console.log(`gru-lopt: mean log loss ${mean(r.meanLogLoss).toFixed(3)}`);
const a = gruFixedPointAnalysis(gru, await trained.theta.read());
console.log(
  `fixed point residual ${a.residual.toExponential(1)}, spectral radius ${
    a.spectralRadius.toFixed(3)
  } (timescale ${a.timescale.toFixed(1)} steps), update-function saturation ${
    a.saturation.toFixed(3)
  }`,
);
