/**
 * MCMC draws on the host: the `Draws` layout (one array per chain), validation, and splitting
 * each chain in two halves (the "split" of split-R-hat and split-ESS, Vehtari et al. 2021).
 *
 * @example
 * ```ts
 * import { splitChains } from "./chains.ts";
 * const halves = splitChains([[1, 2, 3, 4, 5]]);
 * console.log(halves.map((c) => Array.from(c))); // [[1, 2], [4, 5]]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";

/** Draws of one scalar quantity: `draws[chain][iteration]`, every chain the same length. */
export type Draws = readonly ArrayLike<number>[];

/**
 * Checks that `draws` holds at least one chain, all chains of equal length >= `minDraws`, and
 * returns them as Float64Arrays.
 *
 * @example
 * ```ts
 * import { checkDraws } from "./chains.ts";
 * console.log(checkDraws([[1, 2, 3, 4]], "ess").length); // 1
 * ```
 */
export function checkDraws(draws: Draws, where: string, minDraws = 4): Float64Array[] {
  if (!Array.isArray(draws) || draws.length === 0) {
    throw new InvalidArgumentError(
      `${where}: draws must be a non-empty array of chains, got ${
        Array.isArray(draws) ? "[]" : typeof draws
      }`,
    );
  }
  const n = draws[0].length;
  const out = draws.map((c, i) => {
    if (c.length !== n) {
      throw new InvalidArgumentError(
        `${where}: draws[${i}] has ${c.length} draws but draws[0] has ${n}; chains must be equal`,
      );
    }
    return Float64Array.from(c);
  });
  if (n < minDraws) {
    throw new InvalidArgumentError(
      `${where}: each chain needs at least ${minDraws} draws, got ${n}`,
    );
  }
  return out;
}

/**
 * Splits every chain into its first and last `floor(n / 2)` draws (the middle draw of an odd
 * chain is dropped), doubling the number of chains.
 *
 * @example
 * ```ts
 * import { splitChains } from "./chains.ts";
 * console.log(splitChains([[1, 2, 3, 4], [5, 6, 7, 8]]).length); // 4
 * ```
 */
export function splitChains(draws: Draws): Float64Array[] {
  const out: Float64Array[] = [];
  for (const c of draws) {
    const half = Math.floor(c.length / 2);
    const x = Float64Array.from(c);
    out.push(x.slice(0, half), x.slice(x.length - half));
  }
  return out;
}

/**
 * Reshapes a flat `[chains, draws, dims]` row-major array into per-component `Draws`
 * (`result[d][chain][iteration]`), e.g. a block of samples read back from the GPU.
 *
 * @example
 * ```ts
 * import { componentDraws } from "./chains.ts";
 * // 1 chain, 2 draws, 2 dims
 * const d = componentDraws(new Float32Array([1, 10, 2, 20]), [1, 2, 2]);
 * console.log(Array.from(d[1][0])); // [10, 20]
 * ```
 */
export function componentDraws(
  flat: ArrayLike<number>,
  shape: readonly [number, number, number],
): Float64Array[][] {
  const [C, N, P] = shape;
  if (flat.length !== C * N * P) {
    throw new InvalidArgumentError(
      `componentDraws: shape [${shape.join(", ")}] holds ${
        C * N * P
      } values but got ${flat.length}`,
    );
  }
  const out: Float64Array[][] = [];
  for (let p = 0; p < P; p++) {
    const chains: Float64Array[] = [];
    for (let c = 0; c < C; c++) {
      const x = new Float64Array(N);
      for (let i = 0; i < N; i++) x[i] = flat[(c * N + i) * P + p];
      chains.push(x);
    }
    out.push(chains);
  }
  return out;
}
