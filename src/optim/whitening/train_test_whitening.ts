/**
 * Whitening a train/test split the two ways Wadia et al. (2021) distinguish:
 *
 * - `fit: "train+test"` (the default; the setting of the paper's theorem, whose abstract states
 *   it for "the whitening transform computed on the full (train+test) dataset"): the transform is
 *   fitted on the training inputs together with the test inputs. With n training and b test
 *   points, n + b <= d and full whitening, the whitened (n + b) x (n + b) Gram matrix is a
 *   multiple of the identity: every test point is orthogonal to every training point and has the
 *   same norm, so a model whose first layer is dense cannot relate it to the training data and
 *   its test predictions carry no information about the test labels.
 *
 *   To keep n + b <= d with a test set larger than d, the test points are split into groups of
 *   `groupSize`; each group is whitened together with the whole training set by its own
 *   transform, and a model must then be trained once per group (the returned tensors carry a
 *   leading group axis for exactly that). `groupSize` = the test-set size is one transform.
 *
 * - `fit: "train"` (common practice): one transform fitted on the training inputs alone is
 *   applied to the test inputs. With n <= d the whitened training Gram matrix is still a multiple
 *   of the identity, but test points are not orthogonal to the training set: at `reg = 0` (the
 *   pseudo-inverse) their component outside the training span is dropped, and for a small
 *   `reg > 0` it is amplified by about `1 / sqrt(eps)` instead.
 *
 * Second moments are formed in f64 on the host by default (`precision`, see
 * `whitening_transform.ts`); the whitened inputs are computed by batched GPU matmuls.
 *
 * @example
 * ```ts
 * import { whitenTrainTest } from "./train_test_whitening.ts";
 * import { random } from "../../gpu/mod.ts";
 * const xTrain = random.normal(random.key(0), [5, 16]);
 * const xTest = random.normal(random.key(1), [6, 16]);
 * const s = await whitenTrainTest(xTrain, xTest, { fit: "train+test", groupSize: 3 });
 * console.log(s.groups, s.train.shape, s.test.shape); // 2 [2, 5, 16] [2, 3, 16]
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { dispose, matmul, reshape, scope, sub, sum, type Tensor, tensor } from "../../gpu/mod.ts";
import { parseOptions } from "../../options.ts";
import {
  fitWhitening,
  secondMomentHost,
  whiteningFromMoment,
  type WhiteningOptions,
  whiteningOptionsSchema,
  type WhiteningTransform,
} from "./whitening_transform.ts";

/**
 * Options of {@link whitenTrainTest}: the whitening options plus the fit set and the test
 * grouping.
 *
 * @example
 * ```ts
 * import type { TrainTestWhiteningOptions } from "./train_test_whitening.ts";
 * const o: TrainTestWhiteningOptions = { fit: "train+test", groupSize: 8, reg: 0 };
 * console.log(o.fit); // "train+test"
 * ```
 */
export interface TrainTestWhiteningOptions extends WhiteningOptions {
  /** Fit set: "train+test" (default: the paper's theorem) or "train" (training inputs only). */
  fit?: "train" | "train+test";
  /** Test points per transform with "train+test" (default: all); must divide the test size. */
  groupSize?: number;
}

const schema = whiteningOptionsSchema.extend({
  fit: z.enum(["train", "train+test"]).default("train+test"),
  groupSize: z.number().int().min(1).optional(),
});

/**
 * Whitened inputs with a leading group axis: group g was whitened by `transforms[g]`, and test
 * row j of group g is row `g * groupSize + j` of the original test set.
 *
 * @example
 * ```ts
 * import type { WhitenedSplit } from "./train_test_whitening.ts";
 * const f = (s: WhitenedSplit) => s.groups * s.groupSize;
 * console.log(typeof f); // "function"
 * ```
 */
export interface WhitenedSplit {
  /** Whitened training inputs [groups, n, d]. */
  train: Tensor;
  /** Whitened test inputs [groups, groupSize, d]. */
  test: Tensor;
  /** Number of transforms (1 with `fit: "train"`). */
  groups: number;
  /** Test points per group. */
  groupSize: number;
  /** The fitted transforms (host matrices; their GPU copies are already freed). */
  transforms: WhiteningTransform[];
}

/**
 * Whitens `xTrain` [n, d] and `xTest` [t, d] with transforms fitted on the training set or on the
 * training set plus each group of test points (see the module doc). Dispose `train` and `test`.
 *
 * @example
 * ```ts
 * import { whitenTrainTest } from "./train_test_whitening.ts";
 * import { random } from "../../gpu/mod.ts";
 * const s = await whitenTrainTest(
 *   random.normal(random.key(2), [40, 4]),
 *   random.normal(random.key(3), [10, 4]),
 *   { fit: "train", reg: 0.1 },
 * );
 * console.log(s.groups, s.test.shape); // 1 [1, 10, 4]
 * ```
 */
export async function whitenTrainTest(
  xTrain: Tensor,
  xTest: Tensor,
  options: TrainTestWhiteningOptions = {},
): Promise<WhitenedSplit> {
  const where = "whitenTrainTest";
  const o = parseOptions(schema, options, where);
  const { fit, groupSize: gs, ...wopts } = o;
  if (xTrain.rank !== 2 || xTest.rank !== 2 || xTrain.shape[1] !== xTest.shape[1]) {
    throw new ShapeError(
      `${where}: expected xTrain [n, d] and xTest [t, d] with the same d, got ` +
        `[${xTrain.shape.join(", ")}] and [${xTest.shape.join(", ")}]`,
    );
  }
  const [n, d] = xTrain.shape, t = xTest.shape[0];
  if (n < 1 || t < 1) {
    throw new ShapeError(
      `${where}: xTrain and xTest need at least one row, got n = ${n}, t = ${t}`,
    );
  }
  if (fit === "train") {
    const w = await fitWhitening(xTrain, wopts);
    const out = scope(() => ({
      train: reshape(w.apply(xTrain), [1, n, d]),
      test: reshape(w.apply(xTest), [1, t, d]),
    }));
    w.dispose();
    return { ...out, groups: 1, groupSize: t, transforms: [w] };
  }
  const b = gs ?? t;
  if (t % b !== 0) {
    throw new InvalidArgumentError(
      `${where}: option groupSize = ${b} must divide the number of test points ${t}`,
    );
  }
  const G = t / b, m = n + b;
  // Per group: C_g = (X^T X + T_g^T T_g) / m (minus mu_g mu_g^T with `center`), from sums formed
  // in f64 on the host (default) or by f32 GPU matmuls, read back once either way.
  const { xx, tt, sx, st } = wopts.precision === "f64"
    ? await hostSums(xTrain, xTest, G, b, wopts.center)
    : await gpuSums(xTrain, xTest, G, b, wopts.center);
  const transforms: WhiteningTransform[] = [];
  const wAll = new Float32Array(G * d * d);
  const muAll = wopts.center ? new Float32Array(G * d) : null;
  for (let g = 0; g < G; g++) {
    const C = new Float64Array(d * d);
    for (let i = 0; i < d * d; i++) C[i] = (xx[i] + tt[g * d * d + i]) / m;
    let mu: Float64Array | null = null;
    if (sx && st) {
      mu = new Float64Array(d);
      for (let j = 0; j < d; j++) mu[j] = (sx[j] + st[g * d + j]) / m;
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) C[i * d + j] -= mu[i] * mu[j];
      muAll!.set(mu, g * d);
    }
    const w = whiteningFromMoment(C, d, wopts, mu);
    transforms.push(w);
    wAll.set(w.matrix, g * d * d);
  }
  const out = scope(() => {
    const W = tensor(wAll, { shape: [G, d, d] });
    const mus = muAll ? tensor(muAll, { shape: [G, 1, d] }) : null;
    const t3 = reshape(xTest, [G, b, d]);
    return {
      train: matmul(mus ? sub(xTrain, mus) : xTrain, W),
      test: matmul(mus ? sub(t3, mus) : t3, W),
    };
  });
  return { ...out, groups: G, groupSize: b, transforms };
}

interface Sums {
  /** X^T X, d x d. */
  xx: ArrayLike<number>;
  /** T_g^T T_g per group, G x d x d. */
  tt: ArrayLike<number>;
  /** Column sums of X (with centring). */
  sx: ArrayLike<number> | null;
  /** Column sums of each test group, G x d (with centring). */
  st: ArrayLike<number> | null;
}

async function hostSums(
  x: Tensor,
  t: Tensor,
  G: number,
  b: number,
  center: boolean,
): Promise<Sums> {
  const [xs, ts] = await Promise.all([x.read(), t.read()]);
  const [n, d] = x.shape;
  const xx = secondMomentHost(xs, n, d).map((v) => v * n);
  const tt = new Float64Array(G * d * d);
  for (let g = 0; g < G; g++) {
    const c = secondMomentHost(ts.subarray(g * b * d, (g + 1) * b * d), b, d);
    for (let i = 0; i < d * d; i++) tt[g * d * d + i] = c[i] * b;
  }
  if (!center) return { xx, tt, sx: null, st: null };
  const sx = new Float64Array(d), st = new Float64Array(G * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sx[j] += xs[i * d + j];
  for (let i = 0; i < G * b; i++) {
    for (let j = 0; j < d; j++) st[Math.floor(i / b) * d + j] += ts[i * d + j];
  }
  return { xx, tt, sx, st };
}

async function gpuSums(x: Tensor, t: Tensor, G: number, b: number, center: boolean): Promise<Sums> {
  const d = x.shape[1];
  const parts = scope(() => {
    const t3 = reshape(t, [G, b, d]);
    return {
      xx: matmul(x, x, { transA: true }),
      tt: matmul(t3, t3, { transA: true }),
      sx: center ? sum(x, 0) : null,
      st: center ? sum(t3, 1) : null,
    };
  });
  const [xx, tt, sx, st] = await Promise.all([
    parts.xx.read(),
    parts.tt.read(),
    parts.sx ? parts.sx.read() : null,
    parts.st ? parts.st.read() : null,
  ]);
  dispose(parts);
  return { xx, tt, sx, st };
}
