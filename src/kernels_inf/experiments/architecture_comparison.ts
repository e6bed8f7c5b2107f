/**
 * The networks of `nngp-mnist` and its architecture comparison, the three of Lee et al. 2020:
 * infinitely wide fully connected networks, CNN-VEC networks (3x3 "same" convolutions, then
 * flatten and a dense readout) and CNN-GAP networks (the same convolutions, then global average
 * pooling and the readout; Novak et al. 2019), of the same depth (the deepest of the experiment's
 * grid) and activation, NNGP and NTK, on the same training subset and the same (pooled) images.
 * Lee et al. find the convolutional kernels ahead of the fully connected ones, and CNN-GAP ahead
 * of CNN-VEC on CIFAR-10; the comparison measures that on MNIST.
 *
 * The CNN-VEC kernel tracks an [N1, N2, P] map per layer (P = H*W locations), so it costs P times
 * the fully connected one, and the CNN-GAP kernel an [N1, N2, P, P] map, P^2 times: they run on
 * their own subset (`cnnTrainSize`) and resolution (`cnnPool`), with block-wise kernel
 * computation (`kernelBatched`, whose default blocks fit the device's storage buffers).
 *
 * @example
 * ```ts
 * import { cnnVecNet } from "./architecture_comparison.ts";
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
import { globalAvgPool } from "../stax/global_avg_pool.ts";
import type { Layer } from "../stax/layer.ts";
import { standardizeRows, zcaWhiten } from "../zca.ts";
import { accuracy, loadMnistInputs } from "./mnist_inputs.ts";

/**
 * A CNN-VEC network: `depth` 3x3 "same" convolutions (each followed by the activation), flatten,
 * a 10-way dense readout; every layer in NTK parameterization with the given W_std and b_std.
 *
 * @example
 * ```ts
 * import { cnnVecNet } from "./architecture_comparison.ts";
 * console.log(cnnVecNet(1, "erf", { wStd: 1, bStd: 0 }).name); // "serial"
 * ```
 */
export function cnnVecNet(
  depth: number,
  act: "relu" | "erf",
  c: { wStd: number; bStd: number },
): Layer {
  return serial(...convStack(depth, act, c), flatten(), dense(10, { wStd: c.wStd, bStd: c.bStd }));
}

/** `depth` 3x3 "same" convolutions, each followed by the activation (NTK parameterization). */
function convStack(depth: number, act: "relu" | "erf", c: { wStd: number; bStd: number }) {
  return Array.from({ length: depth }, () => [
    conv(1, [3, 3], { wStd: c.wStd, bStd: c.bStd }),
    act === "relu" ? relu() : erf(),
  ]).flat();
}

/**
 * A CNN-GAP network: {@link cnnVecNet}'s convolutions, then global average pooling instead of
 * flatten, then the 10-way dense readout.
 *
 * @example
 * ```ts
 * import { cnnGapNet } from "./architecture_comparison.ts";
 * const net = cnnGapNet(2, "relu", { wStd: 1.5, bStd: 0.05 });
 * console.log(net.outputShape([7, 7, 1]), net.crossLocations); // [10] true
 * ```
 */
export function cnnGapNet(
  depth: number,
  act: "relu" | "erf",
  c: { wStd: number; bStd: number },
): Layer {
  return serial(
    ...convStack(depth, act, c),
    globalAvgPool(),
    dense(10, { wStd: c.wStd, bStd: c.bStd }),
  );
}

/**
 * A fully connected network: `depth` dense layers of `width` units (each followed by the
 * activation), a 10-way dense readout, every layer with the given W_std, b_std and
 * parameterization (the width matters to the finite network only, not to its kernels).
 *
 * @example
 * ```ts
 * import { fcNet } from "./architecture_comparison.ts";
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

/**
 * The architectures the comparison knows, in table order.
 *
 * @example
 * ```ts
 * import { ARCHITECTURES } from "./architecture_comparison.ts";
 * console.log(ARCHITECTURES.length); // 3
 * ```
 */
export const ARCHITECTURES = ["fc", "cnn_vec", "cnn_gap"] as const;

/** One of {@link ARCHITECTURES}. */
export type Arch = typeof ARCHITECTURES[number];

/** What {@link compareArchitectures} needs from the experiment config. */
export interface ArchitectureComparisonConfig {
  /** Which architectures to compare (any of {@link ARCHITECTURES}). */
  cnnArchitectures: readonly Arch[];
  /** Training examples of the comparison (the first ones of the split). */
  cnnTrainSize: number;
  /** Pooling of the comparison's images (1: 28x28, 2: 14x14, 4: 7x7). */
  cnnPool: 1 | 2 | 4;
  /** Test examples (the first ones of the split). */
  cnnTestSize: number;
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
  precision: "f32" | "df64" | "f64";
  /** Also compare every architecture on ZCA-whitened images (Lee et al. 2020's preprocessing). */
  cnnZca: boolean;
  /** ZCA regularizer (relative to the trace). */
  zcaReg: number;
}

/** One row of the comparison table. */
export type ArchitectureRow = Record<string, string | number>;

/**
 * Solves NNGP and NTK inference for a fully connected, a CNN-VEC and a CNN-GAP network of the
 * grid's deepest depth on the same subset and images; returns the table rows, metrics
 * (`cnn_vec_nngp_acc`, `cnn_vec_ntk_acc`, `cnn_gap_nngp_acc`, `cnn_gap_ntk_acc`,
 * `fc_subset_nngp_acc`, `fc_subset_ntk_acc`, `cnn_vec_gain` and `cnn_gap_gain`: the better
 * CNN accuracy minus the better fully connected one; with `cnnZca` also `fc_zca_gain`,
 * `cnn_vec_zca_gain`, `cnn_gap_zca_gain`: ZCA-whitened minus standardized images, per
 * architecture) and a note.
 *
 * @example
 * ```ts ignore
 * import { compareArchitectures } from "./architecture_comparison.ts";
 * // const { rows, metrics, note } = await compareArchitectures(config, ctx);
 * ```
 */
export async function compareArchitectures(
  c: ArchitectureComparisonConfig,
  ctx: ExperimentContext,
): Promise<{ rows: ArchitectureRow[]; metrics: Record<string, MetricValue>; note: string }> {
  const side = 28 / c.cnnPool;
  const n = c.cnnTrainSize, nTe = c.cnnTestSize;
  const data = loadMnistInputs({ train: n, test: nTe, pool: c.cnnPool, seed: ctx.seed });
  const flat = { train: standardizeRows(data.xTrain), test: standardizeRows(data.xTest) };
  const img = (x: Tensor, m: number) => scope(() => reshape(x, [m, side, side, 1]));
  const inputs = [{
    name: "standardized",
    flat,
    images: { train: img(flat.train, n), test: img(flat.test, nTe) },
  }];
  if (c.cnnZca) {
    // whitened over whole (pooled) images, then reshaped back to images
    const z = await zcaWhiten(data.xTrain, data.xTest, { zcaReg: c.zcaReg });
    z.whitening.dispose();
    const zf = { train: z.train, test: z.test! };
    inputs.push({
      name: "zca",
      flat: zf,
      images: { train: img(zf.train, n), test: img(zf.test, nTe) },
    });
  }
  const rows: ArchitectureRow[] = [];
  const depth = Math.max(...c.depths);
  const archs = ARCHITECTURES.filter((a) => c.cnnArchitectures.includes(a));
  const runs = inputs.flatMap((prep) => archs.map((arch) => ({ prep, arch })));
  const p = ctx.progress("architectures", runs.length);
  try {
    {
      for (const { prep, arch } of runs) {
        if (ctx.signal.aborted) break;
        const t0 = performance.now();
        const net = { fc: fcNet, cnn_vec: cnnVecNet, cnn_gap: cnnGapNet }[arch](
          depth,
          c.refActivation,
          c,
        );
        const x = arch === "fc" ? prep.flat : prep.images;
        // kernelBatched's default blocks fit the device's buffers (P^2 entries per pair for GAP)
        const tt = kernelBatched(net, x.train, null);
        const te = kernelBatched(net, x.test, x.train);
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
          preprocessing: prep.name,
          train: n,
          test: nTe,
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
      ...inputs.flatMap((i) => [i.flat.train, i.flat.test, i.images.train, i.images.test]),
      data.xTrain,
      data.xTest,
      data.yTrain,
    ]);
  }
  const best = (arch: string, prep = "standardized") =>
    Math.max(
      ...rows.filter((r) => r.architecture === arch && r.preprocessing === prep)
        .flatMap((r) => [r.nngp_acc as number, r.ntk_acc as number]),
    );
  const at = (arch: string, f: string) =>
    (rows.find((r) => r.architecture === arch && r.preprocessing === "standardized")?.[
      f
    ] as number) ?? NaN;
  const metrics: Record<string, MetricValue> = {};
  for (const a of archs) {
    const key = a === "fc" ? "fc_subset" : a;
    metrics[`${key}_nngp_acc`] = at(a, "nngp_acc");
    metrics[`${key}_ntk_acc`] = at(a, "ntk_acc");
    if (a !== "fc" && archs.includes("fc")) metrics[`${a}_gain`] = best(a) - best("fc");
    if (c.cnnZca) metrics[`${a}_zca_gain`] = best(a, "zca") - best(a);
  }
  const label = { fc: "fully connected", cnn_vec: "CNN-VEC", cnn_gap: "CNN-GAP" };
  const ahead = (a: Arch, b: Arch) =>
    archs.includes(a) && archs.includes(b)
      ? ` ${label[a]} is ${best(a) > best(b) ? "" : "NOT "}ahead of ${label[b]}.`
      : "";
  const b0 = best(archs[0]);
  const note = `Architectures (${n} training examples, ${side}x${side} images, ` +
    `${c.refActivation}, ${depth} hidden layers), kernel accuracy (NNGP / NTK, the better): ` +
    archs.map((a) => `${label[a]} ${best(a).toFixed(3)}`).join(", ") + "." +
    ahead("cnn_vec", "fc") + ahead("cnn_gap", "cnn_vec") +
    ` (Lee et al. 2020 find CNN-GAP ahead of CNN-VEC ahead of fully connected, on CIFAR-10); ` +
    `two standard errors of an accuracy near ${b0.toFixed(2)} on ${nTe} test examples: ` +
    `${(2 * Math.sqrt(b0 * (1 - b0) / nTe)).toFixed(3)}.` +
    (c.cnnZca
      ? ` ZCA-whitened images (zcaReg ${c.zcaReg}) change the best accuracy by ` +
        archs.map((a) => `${label[a]} ${(best(a, "zca") - best(a)).toFixed(3)}`).join(", ") +
        "."
      : "");
  return { rows, metrics, note };
}
