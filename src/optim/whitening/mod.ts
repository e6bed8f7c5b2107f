/**
 * Whitening and second order optimization (Wadia, Duckworth, Schoenholz, Dyer & Sohl-Dickstein,
 * ICML 2021, "Whitening and second order optimization both make information in the dataset
 * unusable during training, and can reduce or prevent generalization").
 *
 * A model whose first layer is dense and is trained by gradient descent sees its inputs only
 * through the sample-sample second-moment (Gram) matrix of the training inputs and its relation
 * to the test inputs. Whitening erases that matrix: fitted on the training and test inputs
 * together, with no more points than features, it makes their Gram matrix a multiple of the
 * identity, so no test point is closer to one training point than to another and the test
 * predictions carry no information about the labels. Newton's method on a linear model is
 * gradient descent on inputs whitened with the training set; damping (or a regularized
 * whitening) trades the two off.
 *
 * - `fitWhitening`, `fitWhiteningHost`, `whiteningFromMoment`: regularized ZCA transforms fitted
 *   on one set and applied to another (`reg = 0`: full whitening; `reg -> infinity`: raw data).
 * - `whitenTrainTest`: a train/test split whitened on train+test (in groups of test points, the
 *   paper's theorem) or on train alone.
 * - `newtonPreconditioner`, `trainLinearLeastSquares`, `linearLeastSquaresCheckpoints`: damped
 *   Newton / gradient descent for linear least squares (the latter exact at any step count by
 *   repeated squaring).
 * - `gaussNewtonStep`, `trainGaussNewton`: damped, matrix-free (CG) Gauss-Newton for any
 *   least-squares model.
 * - `initGroupMlp`, `applyGroupMlp`, `trainGroupMlp`: G independent two-layer networks trained
 *   together (one per whitening transform).
 *
 * The experiment `whitening-generalization` (`src/optim/experiments/whitening_generalization.ts`)
 * measures test accuracy against training-set size on MNIST for all of them.
 *
 * @example
 * ```ts
 * import { fitWhitening, newtonPreconditioner, trainLinearLeastSquares, whitenTrainTest } from "./mod.ts";
 * import { matmul, random, zeros } from "../../gpu/mod.ts";
 * // 6 training and 4 test points in 16 dimensions, whitened together: test rows end up
 * // orthogonal to every training row.
 * const xTrain = random.normal(random.key(0), [6, 16]), xTest = random.normal(random.key(1), [4, 16]);
 * const s = await whitenTrainTest(xTrain, xTest, { fit: "train+test" });
 * const cross = await matmul(s.test, s.train, { transB: true }).read(); // [1, 4, 6]
 * console.log(Math.max(...cross.map(Math.abs)) < 1e-3); // true
 *
 * // Damped Newton on a linear model = gradient descent on inputs whitened by (C + lambda I)^(-1/2).
 * const y = random.normal(random.key(2), [6, 1]);
 * const p = await newtonPreconditioner(xTrain, { damping: 0.5, dampingMode: "absolute" });
 * const a = await fitWhitening(xTrain, { reg: 0.5, regMode: "absolute", normalize: false });
 * const wNewton = trainLinearLeastSquares({ x: xTrain, y, w0: zeros([16, 1]), steps: 3, lr: 1, preconditioner: p.matrix });
 * const wGd = trainLinearLeastSquares({ x: a.apply(xTrain), y, w0: zeros([16, 1]), steps: 3, lr: 1 });
 * const [u, v] = await Promise.all([matmul(xTest, wNewton).read(), matmul(a.apply(xTest), wGd).read()]);
 * console.log(u.every((t, i) => Math.abs(t - v[i]) < 1e-4)); // true: same test predictions
 * ```
 * @module
 */
export {
  fitWhitening,
  fitWhiteningHost,
  secondMomentHost,
  whiteningFromMoment,
  type WhiteningOptions,
  WhiteningTransform,
} from "./whitening_transform.ts";
export {
  type TrainTestWhiteningOptions,
  type WhitenedSplit,
  whitenTrainTest,
} from "./train_test_whitening.ts";
export {
  type HostPreconditioner,
  type LinearCheckpointOptions,
  linearLeastSquaresCheckpoints,
  type LinearLeastSquaresOptions,
  type NewtonDampingOptions,
  newtonPreconditioner,
  newtonPreconditionerHost,
  trainLinearLeastSquares,
} from "./linear_newton.ts";
export {
  gaussNewtonDirection,
  type GaussNewtonOptions,
  gaussNewtonStep,
  trainGaussNewton,
} from "./gauss_newton.ts";
export {
  applyGroupMlp,
  type GroupMlpActivation,
  type GroupMlpParams,
  type GroupMlpShape,
  groupSquaredLoss,
  initGroupMlp,
  trainGroupMlp,
  type TrainGroupMlpOptions,
} from "./group_mlp.ts";
