/**
 * What a BNN sampling run records every `thin` steps, as one `[C, P]` tensor per record (the
 * paper's measures of mixing, Hron et al. 2022 Sec. 5): the network outputs on test inputs
 * (function space, `[C, nTest * k]`) and fixed random projections of the weights
 * (`[C, projections]`; unit-norm Gaussian directions drawn once from a fixed key, as the
 * reference's `n_proj`). For the repriorised parameterization both are computed from the weights
 * theta = T(phi) (see `reprior.ts`), so the two parameterizations are measured on the same
 * quantities.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { bnnRecorder } from "./recorder.ts";
 * const net = fcNet({ inputDim: 2, width: 4, outputDim: 3 });
 * const rec = bnnRecorder(net, tensor([[0, 1], [1, 1]]), { projections: 5 });
 * const q = net.init(random.key(0), 2);
 * console.log(rec.record(q).shape, rec.functionDims, rec.projectionDims); // [2, 11] 6 5
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { add, concat, matmul, random, reshape, type Tensor } from "../gpu/mod.ts";
import { keep } from "../gpu/tensor.ts";
import type { ChainParams } from "./chain_params.ts";
import type { RegressionData } from "./log_density.ts";
import type { BnnModel } from "./models/model.ts";
import { repriorMap } from "./reprior.ts";
import type { Precision } from "./linalg/numeric_wgsl.ts";

/** Options of {@link bnnRecorder}. */
export interface RecorderOptions {
  /** Number of random weight projections (default 10; 0 for none). */
  projections?: number;
  /** Key of the projection directions (default key(1), the reference's constant). */
  projectionKey?: random.Key;
  /** Map repriorised parameters to weights first (training data, noise std, precision). */
  reprior?: { data: RegressionData; noiseStd: number; precision?: Precision };
}

/** A recorder: `record(q) -> [C, functionDims + projectionDims]`, plus layout and cleanup. */
export interface BnnRecorder {
  /** Maps chain parameters to the recorded values. */
  record(q: ChainParams): Tensor;
  /** Leading columns: network outputs, test point major (`nTest * k`). */
  readonly functionDims: number;
  /** Trailing columns: weight projections. */
  readonly projectionDims: number;
  /** Frees the projection directions. */
  dispose(): void;
}

/**
 * Builds a recorder for `model` with test inputs `xTest` `[nTest, inputDim]`.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { bnnRecorder } from "./recorder.ts";
 * const net = fcNet({ inputDim: 1, width: 3, outputDim: 1 });
 * const r = bnnRecorder(net, tensor([[1]]), { projections: 0 });
 * console.log(r.functionDims + r.projectionDims); // 1
 * r.dispose();
 * ```
 */
export function bnnRecorder(
  model: BnnModel,
  xTest: Tensor,
  options: RecorderOptions = {},
): BnnRecorder {
  const nProj = options.projections ?? 10;
  if (!Number.isInteger(nProj) || nProj < 0) {
    throw new InvalidArgumentError(
      `bnnRecorder: projections must be a non-negative integer, got ${nProj}`,
    );
  }
  const names = Object.keys(model.paramShapes).sort();
  const sizes = names.map((n) => model.paramShapes[n].reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const keys = random.split(options.projectionKey ?? random.key(1), names.length);
  // Gaussian directions with variance 1/total: each projection has unit expected norm.
  const dirs = nProj === 0
    ? []
    : keep(names.map((_, i) => random.normal(keys[i], [sizes[i], nProj], 0, 1 / Math.sqrt(total))));
  const nTest = xTest.shape[0];
  const k = model.outputDim;
  return {
    functionDims: nTest * k,
    projectionDims: nProj,
    record(q: ChainParams): Tensor {
      const C = q[names[0]].shape[0];
      const theta = options.reprior
        ? repriorMap(model, q, options.reprior.data, options.reprior.noiseStd, {
          precision: options.reprior.precision,
        })
        : q;
      const f = reshape(model.apply(theta, xTest), [C, nTest * k]);
      if (nProj === 0) return f;
      let proj: Tensor | null = null;
      names.forEach((n, i) => {
        const p = matmul(reshape(theta[n], [C, sizes[i]]), dirs[i]);
        proj = proj ? add(proj, p) : p;
      });
      return concat([f, proj!], 1);
    },
    dispose() {
      for (const d of dirs) d.dispose();
    },
  };
}
