/**
 * The networks of `nngp-mnist` and its architecture comparison: infinitely wide fully connected
 * networks vs CNN-VEC networks (stride-1 3x3 "same" convolutions, then flatten and a dense
 * readout; Novak et al. 2019, the CNN-VEC of Lee et al. 2020) of the same depth (the deepest of
 * the experiment's grid) and activation, NNGP and NTK, on the same training subset and the same
 * (pooled) images. Lee et al. find the convolutional kernels ahead of the fully connected ones;
 * the comparison measures that on MNIST.
 *
 * The CNN kernel tracks an [N1, N2, H*W] map per layer, so it costs H*W times the fully
 * connected one: it runs on its own subset (`cnnTrainSize`) and resolution (`cnnPool`), with
 * block-wise kernel computation (`kernelBatched`) so memory stays bounded.
 *
 * @example
 * ```ts
 * import { cnnVecNet } from "./cnn_vec_comparison.ts";
 * const net = cnnVecNet(2, "relu", { wStd: 1.5, bStd: 0.05 });
 * console.log(net.outputShape([7, 7, 1])); // [10]
 * ```
 * @module
 */
import { dispose, reshape, scope, type Tensor } from "../../gpu/mod.ts";
import type { ExperimentContext, MetricValue } from "../../report/experiment.ts";
import { kernelBatched } from "../batched_kernel.ts";
import { gpInference } from "../predict.ts";
import { erf, relu } from "../stax/activations.ts";
import { serial } from "../stax/combinators.ts";
import { conv } from "../stax/conv.ts";
import { dense } from "../stax/dense.ts";
import { flatten } from "../stax/flatten.ts";
import type { Layer } from "../stax/layer.ts";
import { standardizeRows } from "../zca.ts";
import { accuracy, loadMnistInputs } from "./mnist_inputs.ts";

/**
 * A CNN-VEC network: `depth` 3x3 "same" convolutions (each followed by the activation), flatten,
 * a 10-way dense readout; every layer in NTK parameterization with the given W_std and b_std.
 *
 * @example
 * ```ts
 * import { cnnVecNet } from "./cnn_vec_comparison.ts";
 * console.log(cnnVecNet(1, "erf", { wStd: 1, bStd: 0 }).name); // "serial"
 * ```
 */
export function cnnVecNet(
  depth: number,
  act: "relu" | "erf",
  c: { wStd: number; bStd: number },
): Layer {
  const layers: Layer[] = [];
  for (let i = 0; i < depth; i++) {
    layers.push(conv(1, [3, 3], { wStd: c.wStd, bStd: c.bStd }));
    layers.push(act === "relu" ? relu() : erf());
  }
  layers.push(flatten(), dense(10, { wStd: c.wStd, bStd: c.bStd }));
  return serial(...layers);
}

/**
 * A fully connected network: `depth` dense layers of `width` units (each followed by the
 * activation), a 10-way dense readout, every layer with the given W_std, b_std and
 * parameterization (the width matters to the finite network only, not to its kernels).
 *
 * @example
 * ```ts
 * import { fcNet } from "./cnn_vec_comparison.ts";
 * console.log(fcNet(2, "erf", { wStd: 1.5, bStd: 0.05 }).outputShape([784])); // [10]
 * ```
 */
export function fcNet(
  depth: number,
  act: "relu" | "erf",
  c: { wStd: number; bStd: number },
  width = 512,
  parameterization: "ntk" | "standard" = "ntk",
): Layer {
  const layers: Layer[] = [];
  for (let i = 0; i < depth; i++) {
    layers.push(dense(width, { wStd: c.wStd, bStd: c.bStd, parameterization }));
    layers.push(act === "relu" ? relu() : erf());
  }
  layers.push(dense(10, { wStd: c.wStd, bStd: c.bStd, parameterization }));
  return serial(...layers);
}

/** What {@link compareArchitectures} needs from the experiment config. */
export interface ArchitectureComparisonConfig {
  /** Training examples of the comparison (the first ones of the split). */
  cnnTrainSize: number;
  /** Pooling of the comparison's images (1: 28x28, 2: 14x14, 4: 7x7). */
  cnnPool: 1 | 2 | 4;
  /** Test examples. */
  testSize: number;
  /** Hidden-layer counts of the experiment's grid (the deepest is compared). */
  depths: number[];
  /** Activation of both architectures. */
  refActivation: "relu" | "erf";
  /** Weight std. */
  wStd: number;
  /** Bias std. */
  bStd: number;
  /** Relative diagonal regularizer. */
  diagReg: number;
  /** Solve precision. */
  precision: "f32" | "f64";
}

/** One row of the comparison table. */
export type ArchitectureRow = Record<string, string | number>;

/**
 * Solves NNGP and NTK inference for a fully connected and a CNN-VEC network of the grid's
 * deepest depth on the same subset and images; returns the table rows, metrics
 * (`cnn_vec_nngp_acc`, `cnn_vec_ntk_acc`, `fc_subset_nngp_acc`, `fc_subset_ntk_acc`,
 * `cnn_vec_gain`: the better CNN-VEC minus the better fully connected accuracy) and a note.
 *
 * @example
 * ```ts ignore
 * import { compareArchitectures } from "./cnn_vec_comparison.ts";
 * // const { rows, metrics, note } = await compareArchitectures(config, ctx);
 * ```
 */
export async function compareArchitectures(
  c: ArchitectureComparisonConfig,
  ctx: ExperimentContext,
): Promise<{ rows: ArchitectureRow[]; metrics: Record<string, MetricValue>; note: string }> {
  const side = 28 / c.cnnPool;
  const n = c.cnnTrainSize, nTe = c.testSize;
  const data = loadMnistInputs({ train: n, test: nTe, pool: c.cnnPool, seed: ctx.seed });
  const flat = { train: standardizeRows(data.xTrain), test: standardizeRows(data.xTest) };
  const img = (x: Tensor, m: number) => scope(() => reshape(x, [m, side, side, 1]));
  const images = { train: img(flat.train, n), test: img(flat.test, nTe) };
  const rows: ArchitectureRow[] = [];
  const depth = Math.max(...c.depths);
  const p = ctx.progress("architectures", 2);
  try {
    {
      for (const arch of ["fc", "cnn_vec"] as const) {
        if (ctx.signal.aborted) break;
        const t0 = performance.now();
        const net = arch === "fc"
          ? fcNet(depth, c.refActivation, c)
          : cnnVecNet(depth, c.refActivation, c);
        const x = arch === "fc" ? flat : images;
        const tt = kernelBatched(net, x.train, null, { blockSize: 256 });
        const te = kernelBatched(net, x.test, x.train, { blockSize: 256 });
        const r = await gpInference({
          kTrainTrain: { nngp: tt.nngp, ntk: tt.ntk },
          kTestTrain: { nngp: te.nngp, ntk: te.ntk },
          yTrain: data.yTrain,
        }, { diagReg: c.diagReg, precision: c.precision });
        const [mn, mt] = await Promise.all([r.nngp!.mean.read(), r.ntk!.mean.read()]);
        dispose([r.nngp!.mean, r.ntk!.mean, tt, te]);
        rows.push({
          architecture: arch,
          depth,
          activation: c.refActivation,
          inputs: `${side}x${side}`,
          train: n,
          nngp_acc: accuracy(mn, data.labelsTest),
          ntk_acc: accuracy(mt, data.labelsTest),
          seconds: (performance.now() - t0) / 1000,
        });
        p.tick();
      }
    }
  } finally {
    p.done();
    dispose([
      flat.train,
      flat.test,
      images.train,
      images.test,
      data.xTrain,
      data.xTest,
      data.yTrain,
    ]);
  }
  const best = (arch: string) =>
    Math.max(
      ...rows.filter((r) => r.architecture === arch)
        .flatMap((r) => [r.nngp_acc as number, r.ntk_acc as number]),
    );
  const at = (arch: string, f: string) =>
    (rows.find((r) => r.architecture === arch)?.[f] as number) ?? NaN;
  const gain = best("cnn_vec") - best("fc");
  const metrics: Record<string, MetricValue> = {
    cnn_vec_nngp_acc: at("cnn_vec", "nngp_acc"),
    cnn_vec_ntk_acc: at("cnn_vec", "ntk_acc"),
    fc_subset_nngp_acc: at("fc", "nngp_acc"),
    fc_subset_ntk_acc: at("fc", "ntk_acc"),
    cnn_vec_gain: gain,
  };
  const note = `Architectures (${n} training examples, ${side}x${side} images, ` +
    `${c.refActivation}, ${depth} hidden layers): CNN-VEC kernel accuracy (NNGP / NTK, the better) ` +
    `${best("cnn_vec").toFixed(3)} vs fully connected ${best("fc").toFixed(3)} (` +
    (gain > 0
      ? "the convolutional kernel is ahead, as Lee et al. 2020 find"
      : "the convolutional kernel is NOT ahead here") +
    `; two standard errors of an accuracy near ${best("fc").toFixed(2)} on ${nTe} test ` +
    `examples: ${(2 * Math.sqrt(best("fc") * (1 - best("fc")) / nTe)).toFixed(3)}).`;
  return { rows, metrics, note };
}
