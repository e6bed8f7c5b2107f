/**
 * Toy 2-D data sets for density models, classifiers and score models: two moons, swiss roll,
 * checkerboard, Gaussian mixtures and concentric rings.
 *
 * Samples are generated on the host in f64 from a host stream of the key (`hostRng`), so they
 * are identical on every machine, then rows are shuffled and uploaded. Each generator returns
 * a Tensor f32 [n, 2]; {@link toy2d} returns `{ x, labels }` tensors by name (labels: i32 [n],
 * the moon, ring, mixture component or board cell), and {@link toy2dHost} the host arrays.
 *
 * @example
 * ```ts
 * import { toy2d, twoMoons } from "./toy2d.ts";
 * console.log(twoMoons(0, 100).shape); // [100, 2]
 * const { x, labels } = toy2d("rings", 1, 90);
 * console.log(x.shape, labels.dtype); // [90, 2] "i32"
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, UnknownNameError } from "../../errors.ts";
import { type Tensor, tensor } from "../../gpu/mod.ts";
import { type HostRng, hostRng, type KeyOrSeed, toKey } from "../host_rng.ts";
import { parseOptions } from "../../options.ts";

/** Host samples: `x` row-major [n, 2] and integer `labels` [n]. */
export interface Toy2dHost {
  /** Points, `2n` floats (x0, y0, x1, y1, ...). */
  x: Float32Array;
  /** Which moon / ring / component / cell each point came from. */
  labels: Int32Array;
}

/** Options of {@link twoMoons}. */
export interface MoonsOptions {
  /** Standard deviation of Gaussian noise added to each coordinate (default 0.05). */
  noise?: number;
}
/** Options of {@link swissRoll}. */
export interface SwissRollOptions {
  /** Standard deviation of Gaussian noise (default 0.25, in the unscaled roll's units). */
  noise?: number;
  /** Multiplies the coordinates (default 0.2, so points lie in about [-3, 3]^2). */
  scale?: number;
}
/** Options of {@link checkerboard}. */
export interface CheckerboardOptions {
  /** Squares per side (default 4). */
  cells?: number;
  /** The board covers [-halfWidth, halfWidth]^2 (default 2). */
  halfWidth?: number;
}
/** Options of {@link gaussianMixture} (default: 8 modes on a circle of radius 2, std 0.1). */
export interface MixtureOptions {
  /** Component means, each [x, y]. */
  means?: readonly (readonly number[])[];
  /** Isotropic standard deviation: one for all components or one per component. */
  stds?: number | readonly number[];
  /** Mixture weights (normalised; default uniform). */
  weights?: readonly number[];
}
/** Options of {@link rings}. */
export interface RingsOptions {
  /** Ring radii (default [1, 2, 3]); points are split evenly between rings. */
  radii?: readonly number[];
  /** Standard deviation of radial-and-tangential Gaussian noise (default 0.05). */
  noise?: number;
}

const nonneg = z.number().finite().min(0);
const moonsSchema = z.object({ noise: nonneg.default(0.05) }).strict();
const rollSchema = z.object({
  noise: nonneg.default(0.25),
  scale: z.number().positive().default(0.2),
})
  .strict();
const boardSchema = z.object({
  cells: z.number().int().min(2).default(4),
  halfWidth: z.number().positive().finite().default(2),
}).strict();
const ringSchema = z.object({
  radii: z.array(z.number().positive().finite()).min(1).default([1, 2, 3]),
  noise: nonneg.default(0.05),
}).strict();
const mixSchema = z.object({
  means: z.array(z.array(z.number().finite()).length(2)).min(1).optional(),
  stds: z.union([z.number().positive().finite(), z.array(z.number().positive().finite())])
    .default(0.1),
  weights: z.array(z.number().finite().min(0)).optional(),
}).strict();

function checkN(where: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${where}: n must be a positive integer, got ${String(n)}`);
  }
  return n;
}

/** Fills `n` points from `sample(i)` and shuffles the rows with the same stream. */
function build(
  r: HostRng,
  n: number,
  sample: (i: number) => [number, number, number],
): Toy2dHost {
  const x = new Float32Array(2 * n), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b, c] = sample(i);
    x[2 * i] = a, x[2 * i + 1] = b, labels[i] = c;
  }
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [x[2 * i], x[2 * j]] = [x[2 * j], x[2 * i]];
    [x[2 * i + 1], x[2 * j + 1]] = [x[2 * j + 1], x[2 * i + 1]];
    [labels[i], labels[j]] = [labels[j], labels[i]];
  }
  return { x, labels };
}

const GENERATORS = {
  /** sklearn's make_moons: upper arc (cos t, sin t), lower arc (1 - cos t, 0.5 - sin t). */
  moons(r: HostRng, n: number, opts: unknown): Toy2dHost {
    const o = parseOptions(moonsSchema, opts, "twoMoons");
    const half = Math.ceil(n / 2);
    return build(r, n, (i) => {
      const t = Math.PI * r.uniform();
      const upper = i < half;
      const a = upper ? Math.cos(t) : 1 - Math.cos(t);
      const b = upper ? Math.sin(t) : 0.5 - Math.sin(t);
      return [a + o.noise * r.normal(), b + o.noise * r.normal(), upper ? 0 : 1];
    });
  },
  /** The 2-D swiss roll: t = 1.5 pi (1 + 2u), (t cos t, t sin t) + noise, times `scale`. */
  swissRoll(r: HostRng, n: number, opts: unknown): Toy2dHost {
    const o = parseOptions(rollSchema, opts, "swissRoll");
    return build(r, n, () => {
      const t = 1.5 * Math.PI * (1 + 2 * r.uniform());
      return [
        o.scale * (t * Math.cos(t) + o.noise * r.normal()),
        o.scale * (t * Math.sin(t) + o.noise * r.normal()),
        0,
      ];
    });
  },
  /** Uniform on the squares (i + j even) of a cells x cells board on [-h, h]^2. */
  checkerboard(r: HostRng, n: number, opts: unknown): Toy2dHost {
    const o = parseOptions(boardSchema, opts, "checkerboard");
    const black: [number, number][] = [];
    for (let i = 0; i < o.cells; i++) {
      for (let j = 0; j < o.cells; j++) if ((i + j) % 2 === 0) black.push([i, j]);
    }
    const w = (2 * o.halfWidth) / o.cells;
    return build(r, n, () => {
      const c = r.int(black.length);
      const [i, j] = black[c];
      return [-o.halfWidth + (i + r.uniform()) * w, -o.halfWidth + (j + r.uniform()) * w, c];
    });
  },
  /** A mixture of isotropic Gaussians. */
  gaussianMixture(r: HostRng, n: number, opts: unknown): Toy2dHost {
    const o = parseOptions(mixSchema, opts, "gaussianMixture");
    const means = o.means ??
      Array.from({ length: 8 }, (_, k) => [
        2 * Math.cos((2 * Math.PI * k) / 8),
        2 * Math.sin((2 * Math.PI * k) / 8),
      ]);
    const K = means.length;
    const stds = typeof o.stds === "number" ? new Array(K).fill(o.stds) : o.stds;
    if (stds.length !== K) {
      throw new InvalidArgumentError(
        `gaussianMixture: option stds has ${stds.length} entries but means has ${K}`,
      );
    }
    const weights = o.weights ?? new Array(K).fill(1);
    if (weights.length !== K) {
      throw new InvalidArgumentError(
        `gaussianMixture: option weights has ${weights.length} entries but means has ${K}`,
      );
    }
    const total = weights.reduce((a, b) => a + b, 0);
    if (!(total > 0)) {
      throw new InvalidArgumentError(
        `gaussianMixture: option weights must have a positive sum, got [${weights.join(", ")}]`,
      );
    }
    const cdf: number[] = [];
    weights.reduce((acc, w, k) => (cdf[k] = acc + w / total), 0);
    return build(r, n, () => {
      const u = r.uniform();
      let k = cdf.findIndex((c) => u < c);
      if (k < 0) k = K - 1;
      return [means[k][0] + stds[k] * r.normal(), means[k][1] + stds[k] * r.normal(), k];
    });
  },
  /** Concentric circles of the given radii with Gaussian noise. */
  rings(r: HostRng, n: number, opts: unknown): Toy2dHost {
    const o = parseOptions(ringSchema, opts, "rings");
    const R = o.radii.length;
    return build(r, n, (i) => {
      const k = i % R;
      const t = 2 * Math.PI * r.uniform();
      const rad = o.radii[k];
      return [
        rad * Math.cos(t) + o.noise * r.normal(),
        rad * Math.sin(t) + o.noise * r.normal(),
        k,
      ];
    });
  },
};

/** Names accepted by {@link toy2d} and {@link toy2dHost}. */
export type Toy2dName = "moons" | "swissRoll" | "checkerboard" | "gaussianMixture" | "rings";

/** Every name {@link toy2d} accepts. */
export const TOY2D_NAMES: readonly Toy2dName[] = Object.keys(GENERATORS) as Toy2dName[];

/**
 * Host samples of a named toy set (`options` are those of the named generator).
 *
 * @example
 * ```ts
 * import { toy2dHost } from "./toy2d.ts";
 * const { x, labels } = toy2dHost("gaussianMixture", 0, 4, { means: [[0, 0], [5, 5]] });
 * console.log(x.length, labels.length); // 8 4
 * ```
 */
export function toy2dHost(
  name: Toy2dName,
  key: KeyOrSeed,
  n: number,
  options: MoonsOptions | SwissRollOptions | CheckerboardOptions | MixtureOptions | RingsOptions =
    {},
): Toy2dHost {
  const gen = Object.hasOwn(GENERATORS, name) ? GENERATORS[name] : undefined;
  if (!gen) {
    throw new UnknownNameError(
      `toy2d: unknown dataset ${JSON.stringify(name)}; expected one of: ${TOY2D_NAMES.join(", ")}`,
    );
  }
  const k = toKey(key, `toy2d(${name})`);
  return gen(hostRng(k), checkN(`toy2d(${name})`, n), options);
}

/**
 * A named toy set on the GPU: `x` f32 [n, 2] and `labels` i32 [n].
 *
 * @example
 * ```ts
 * import { toy2d } from "./toy2d.ts";
 * const { x, labels } = toy2d("moons", 0, 64, { noise: 0.1 });
 * console.log(x.shape, labels.shape); // [64, 2] [64]
 * ```
 */
export function toy2d(
  name: Toy2dName,
  key: KeyOrSeed,
  n: number,
  options: MoonsOptions | SwissRollOptions | CheckerboardOptions | MixtureOptions | RingsOptions =
    {},
): { x: Tensor; labels: Tensor } {
  const h = toy2dHost(name, key, n, options);
  return {
    x: tensor(h.x, { shape: [n, 2] }),
    labels: tensor(h.labels, { shape: [n], dtype: "i32" }),
  };
}

const points = (name: Toy2dName, key: KeyOrSeed, n: number, o: object): Tensor =>
  tensor(toy2dHost(name, key, n, o).x, { shape: [n, 2] });

/**
 * Two interleaving half circles (sklearn's make_moons), f32 [n, 2].
 *
 * @example
 * ```ts
 * import { twoMoons } from "./toy2d.ts";
 * twoMoons(0, 10, { noise: 0.1 }).shape; // [10, 2]
 * ```
 */
export function twoMoons(key: KeyOrSeed, n: number, options: MoonsOptions = {}): Tensor {
  return points("moons", key, n, options);
}

/**
 * Two interleaving half circles with their moon index: `{ x: f32 [n, 2], labels: i32 [n] }`.
 *
 * @example
 * ```ts
 * import { twoMoonsLabeled } from "./toy2d.ts";
 * twoMoonsLabeled(0, 10).labels.dtype; // "i32"
 * ```
 */
export function twoMoonsLabeled(
  key: KeyOrSeed,
  n: number,
  options: MoonsOptions = {},
): { x: Tensor; labels: Tensor } {
  return toy2d("moons", key, n, options);
}

/**
 * The 2-D swiss roll, f32 [n, 2].
 *
 * @example
 * ```ts
 * import { swissRoll } from "./toy2d.ts";
 * swissRoll(0, 10).shape; // [10, 2]
 * ```
 */
export function swissRoll(key: KeyOrSeed, n: number, options: SwissRollOptions = {}): Tensor {
  return points("swissRoll", key, n, options);
}

/**
 * Uniform points on the dark squares of a checkerboard, f32 [n, 2].
 *
 * @example
 * ```ts
 * import { checkerboard } from "./toy2d.ts";
 * checkerboard(0, 10, { cells: 4, halfWidth: 2 }).shape; // [10, 2]
 * ```
 */
export function checkerboard(
  key: KeyOrSeed,
  n: number,
  options: CheckerboardOptions = {},
): Tensor {
  return points("checkerboard", key, n, options);
}

/**
 * A Gaussian mixture in 2-D, f32 [n, 2] (default: 8 modes on a circle of radius 2, std 0.1).
 *
 * @example
 * ```ts
 * import { gaussianMixture } from "./toy2d.ts";
 * gaussianMixture(0, 10, { means: [[-1, 0], [1, 0]], stds: 0.2, weights: [1, 3] }).shape; // [10, 2]
 * ```
 */
export function gaussianMixture(key: KeyOrSeed, n: number, options: MixtureOptions = {}): Tensor {
  return points("gaussianMixture", key, n, options);
}

/**
 * Concentric noisy circles, f32 [n, 2].
 *
 * @example
 * ```ts
 * import { rings } from "./toy2d.ts";
 * rings(0, 30, { radii: [1, 2] }).shape; // [30, 2]
 * ```
 */
export function rings(key: KeyOrSeed, n: number, options: RingsOptions = {}): Tensor {
  return points("rings", key, n, options);
}
