import { InvalidArgumentError } from "../../errors.ts";
import { hashString } from "../hash.ts";

/**
 * Sparse rows in compressed-sparse-row form: row i holds columns
 * `indices[indptr[i]..indptr[i+1])` with `values` at the same positions.
 *
 * @example
 * ```ts
 * import type { SparseRows } from "./hashed_features.ts";
 * const m: SparseRows = { rows: 1, cols: 4, indptr: new Int32Array([0, 1]), indices: new Int32Array([2]), values: new Float64Array([1]) };
 * console.log(m.indices[0]);
 * ```
 */
export interface SparseRows {
  /** Number of rows. */
  rows: number;
  /** Number of columns (feature dimension). */
  cols: number;
  /** Row start offsets, length rows + 1. */
  indptr: Int32Array;
  /** Column of each stored value. */
  indices: Int32Array;
  /** The stored values. */
  values: Float64Array;
}

const TOKEN = /[\p{L}\p{N}]+|[$!€£%]/gu;

/**
 * Hashed bag-of-words features (the "hashing trick"): lower-cased word
 * unigrams and bigrams (plus the tokens $ ! € £ %) hashed with FNV-1a into
 * `dim` buckets; counts are damped with log(1 + count) and each row is scaled
 * to unit L2 norm. Deterministic and linear in the text length.
 *
 * @example
 * ```ts
 * import { hashedBagOfWords } from "./hashed_features.ts";
 * const m = hashedBagOfWords(["Win money now!", ""], 64);
 * console.log(m.rows, m.cols, m.indptr[2] - m.indptr[1]); // 2 64 0
 * ```
 * @param texts The documents.
 * @param dim The number of hash buckets.
 * @returns One sparse row per text.
 */
export function hashedBagOfWords(texts: readonly string[], dim: number): SparseRows {
  if (!Number.isInteger(dim) || dim < 1) {
    throw new InvalidArgumentError(`hashedBagOfWords: dim must be a positive integer, got ${dim}`);
  }
  const indptr = new Int32Array(texts.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  texts.forEach((text, row) => {
    const counts = new Map<number, number>();
    const tokens = text.toLowerCase().match(TOKEN) ?? [];
    for (let i = 0; i < tokens.length; i++) {
      const u = hashString(tokens[i]) % dim;
      counts.set(u, (counts.get(u) ?? 0) + 1);
      if (i > 0) {
        const b = hashString(tokens[i - 1] + " " + tokens[i]) % dim;
        counts.set(b, (counts.get(b) ?? 0) + 1);
      }
    }
    const cols = [...counts.keys()].sort((a, b) => a - b);
    let norm = 0;
    const vals = cols.map((c) => {
      const v = Math.log1p(counts.get(c)!);
      norm += v * v;
      return v;
    });
    norm = Math.sqrt(norm) || 1;
    cols.forEach((c, k) => {
      indices.push(c);
      values.push(vals[k] / norm);
    });
    indptr[row + 1] = indices.length;
  });
  return {
    rows: texts.length,
    cols: dim,
    indptr,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
  };
}
