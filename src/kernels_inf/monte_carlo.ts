/**
 * Monte Carlo kernels: averages of empirical kernels over random initializations (neural-
 * tangents' `monte_carlo_kernel_fn`). The NNGP estimate averages `f(x1) f(x2)^T / k` over
 * `samples` draws of the parameters; members are drawn `batch` at a time as one ensemble (a
 * leading parameter axis), so a batch costs one batched forward pass. With width n and S
 * samples the estimate has a finite-width bias O(1/n) and a Monte Carlo error O(1/sqrt(S k)),
 * so it converges to the analytic kernel as both grow. The NTK estimate averages
 * `empiricalNtk` over draws (one network at a time; costly, keep N small). Inputs may be rows
 * `[N, d]` or images `[N, H, W, C]`; the network must output rows `[N, k]` (a convolutional
 * network ends with `flatten()` and a dense readout).
 *
 * @example
 * ```ts
 * import { dense, monteCarloKernel, relu, serial } from "./mod.ts";
 * import { random } from "../gpu/mod.ts";
 * const net = serial(dense(512), relu(), dense(16));
 * const x = random.normal(random.key(0), [3, 4]);
 * const k = monteCarloKernel(net, random.key(1), x, null, { samples: 8 });
 * console.log(k.nngp.shape, k.ntk); // [3, 3] null
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { add, dispose, div, matmul, random, scope, sum, type Tensor } from "../gpu/mod.ts";
import { empiricalNtk } from "./empirical.ts";
import { initEnsemble, type Key, type Layer, type Params } from "./stax/layer.ts";

/**
 * Options of {@link monteCarloKernel}.
 *
 * @example
 * ```ts
 * import type { MonteCarloOptions } from "./monte_carlo.ts";
 * const o: MonteCarloOptions = { samples: 64, batch: 16, ntk: false };
 * console.log(o.samples); // 64
 * ```
 */
export interface MonteCarloOptions {
  /** Number of random initializations (default 32). */
  samples?: number;
  /** Initializations evaluated together as one ensemble (default min(samples, 16)). */
  batch?: number;
  /** Also estimate the NTK (default false; one empirical NTK per sample). */
  ntk?: boolean;
}

const schema = z.strictObject({
  samples: z.number().int().positive().default(32),
  batch: z.number().int().positive().optional(),
  ntk: z.boolean().default(false),
});

/** The ensemble's outputs [E, N, k]; outputs with more axes (e.g. images) are rejected. */
function ensembleOutput(net: Layer, params: Params, x: Tensor): Tensor {
  const y = net.apply(params, x);
  if (y.rank !== 3) {
    throw new ShapeError(
      `monteCarloKernel: ${net.name} maps inputs [${x.shape.join(", ")}] to ` +
        `[${y.shape.join(", ")}] per ensemble; expected [E, N, k] (end a convolutional ` +
        `network with flatten() and a dense readout)`,
    );
  }
  return y;
}

/**
 * Monte Carlo NNGP (and optionally NTK) of a stax network for inputs x1, x2 (x2 = null: x1).
 *
 * @example
 * ```ts
 * import { dense, erf, monteCarloKernel, serial } from "./mod.ts";
 * import { random } from "../gpu/mod.ts";
 * const net = serial(dense(256), erf(), dense(4));
 * const x = random.normal(random.key(0), [2, 3]);
 * const k = monteCarloKernel(net, random.key(2), x, null, { samples: 4, ntk: true });
 * console.log(k.ntk!.shape); // [2, 2]
 * ```
 */
export function monteCarloKernel(
  net: Layer,
  key: Key,
  x1: Tensor,
  x2: Tensor | null = null,
  options: MonteCarloOptions = {},
): { nngp: Tensor; ntk: Tensor | null } {
  const r = schema.safeParse(options);
  if (!r.success) {
    const iss = r.error.issues[0];
    throw new InvalidArgumentError(
      `monteCarloKernel: option ${iss.path.join(".")}: ${iss.message}`,
    );
  }
  const { samples, ntk: wantNtk } = r.data;
  const batch = Math.min(samples, r.data.batch ?? 16);
  if (x1.rank < 2 || (x2 && x2.shape.slice(1).join() !== x1.shape.slice(1).join())) {
    throw new ShapeError(
      `monteCarloKernel: inputs must be [N, ...features] with equal feature shapes, got ` +
        `[${x1.shape.join(", ")}]` + (x2 ? ` and [${x2.shape.join(", ")}]` : ""),
    );
  }
  const inShape = x1.shape.slice(1);
  let nngp: Tensor | null = null;
  let ntk: Tensor | null = null;
  for (let s0 = 0, b = 0; s0 < samples; s0 += batch, b++) {
    const members = Math.min(batch, samples - s0);
    const next = scope(() => {
      const params = initEnsemble(net, random.foldIn(key, b), inShape, members);
      const f1 = ensembleOutput(net, params, x1); // [E, N1, k]
      const f2 = x2 ? ensembleOutput(net, params, x2) : f1;
      const k = f1.shape[f1.rank - 1];
      const s = div(sum(matmul(f1, f2, { transB: true }), 0), k);
      return nngp ? add(nngp, s) : s;
    });
    nngp?.dispose();
    nngp = next;
  }
  if (wantNtk) {
    for (let s = 0; s < samples; s++) {
      const next = scope(() => {
        const params = net.init(random.foldIn(random.foldIn(key, 0x6e746b), s), inShape);
        const t = empiricalNtk(net.apply, params, x1, x2);
        dispose(params);
        return ntk ? add(ntk, t) : t;
      });
      ntk?.dispose();
      ntk = next;
    }
  }
  const out = scope(() => ({
    nngp: div(nngp!, samples),
    ntk: ntk ? div(ntk, samples) : null,
  }));
  nngp!.dispose();
  (ntk as Tensor | null)?.dispose();
  return out;
}
