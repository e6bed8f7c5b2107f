import { InvalidArgumentError } from "../errors.ts";
import { hashString } from "./hash.ts";

/**
 * The seeded random generator behind every text operation: xoshiro128** with a
 * SplitMix32 seeder, all in 32-bit integer arithmetic (`Math.imul`, `>>>`), so a
 * seed gives the same stream on every run, engine and platform.
 *
 * By design the numbers differ from Python's `random` (Mersenne Twister) used by
 * NL-Augmenter: outputs for a given seed are not the reference's outputs, but they
 * are reproducible here. Operations seed one generator per call from
 * `(seed, hash of the input)`, see {@link TextRng.forInput}.
 *
 * @example
 * ```ts
 * import { TextRng } from "./rng.ts";
 * const a = new TextRng(42);
 * const b = new TextRng(42);
 * console.log(a.nextU32() === b.nextU32()); // true
 * console.log(a.int(10) < 10, a.float() < 1); // true true
 * ```
 */
export class TextRng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * Seeds the generator.
   *
   * @param seed A safe integer (negative allowed).
   * @param stream An extra unsigned 32-bit value mixed into the state (e.g. a text hash).
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError(`TextRng: seed must be a safe integer, got ${seed}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let x = (lo ^ Math.imul(hi, 0x9e3779b1) ^ Math.imul(stream >>> 0, 0x85ebca6b)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /**
   * A generator for one call of an operation: seeded by `seed` and the input text.
   *
   * @example
   * ```ts
   * import { TextRng } from "./rng.ts";
   * const r1 = TextRng.forInput(0, "hello").nextU32();
   * const r2 = TextRng.forInput(0, "hello").nextU32();
   * console.log(r1 === r2); // true
   * ```
   * @param seed The operation's seed.
   * @param text The input text (hashed with FNV-1a).
   * @returns A fresh generator.
   */
  static forInput(seed: number, text: string): TextRng {
    return new TextRng(seed, hashString(text));
  }

  /**
   * A generator with an explicit xoshiro128** state (for known-answer tests and
   * for saving/restoring a stream).
   *
   * @example
   * ```ts
   * import { TextRng } from "./rng.ts";
   * const r = TextRng.fromState([1, 2, 3, 4]);
   * console.log(r.nextU32(), r.nextU32(), r.nextU32()); // 11520 0 5927040
   * ```
   * @param state Four unsigned 32-bit words, not all zero.
   * @returns The generator.
   */
  static fromState(state: readonly [number, number, number, number]): TextRng {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new InvalidArgumentError(
        `TextRng.fromState: state must be four unsigned 32-bit integers, got [${state.join(", ")}]`,
      );
    }
    if (state.every((w) => w === 0)) {
      throw new InvalidArgumentError("TextRng.fromState: state must not be all zero");
    }
    const r = new TextRng(0);
    [r.#s0, r.#s1, r.#s2, r.#s3] = state;
    return r;
  }

  /**
   * The current state, as accepted by {@link TextRng.fromState}.
   *
   * @example
   * ```ts
   * import { TextRng } from "./rng.ts";
   * const a = new TextRng(9);
   * const b = TextRng.fromState(a.state());
   * console.log(a.nextU32() === b.nextU32()); // true
   * ```
   * @returns Four unsigned 32-bit words.
   */
  state(): [number, number, number, number] {
    return [this.#s0, this.#s1, this.#s2, this.#s3];
  }

  /**
   * The next unsigned 32-bit integer.
   *
   * @example
   * ```ts
   * import { TextRng } from "./rng.ts";
   * console.log(new TextRng(1).nextU32() >= 0); // true
   * ```
   * @returns An integer in [0, 2^32).
   */
  nextU32(): number {
    const s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    this.#s2 = (s2 ^ s0) >>> 0;
    this.#s3 = (s3 ^ s1) >>> 0;
    this.#s1 = (s1 ^ this.#s2) >>> 0;
    this.#s0 = (s0 ^ this.#s3) >>> 0;
    this.#s2 = (this.#s2 ^ t) >>> 0;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /**
   * A uniform float in [0, 1) with 32 random bits.
   *
   * @example
   * ```ts
   * import { TextRng } from "./rng.ts";
   * const u = new TextRng(3).float();
   * console.log(u >= 0 && u < 1); // true
   * ```
   * @returns A number in [0, 1).
   */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /**
   * A uniform integer in [0, n) without modulo bias (rejection sampling).
   *
   * @example
   * ```ts
   * import { TextRng } from "./rng.ts";
   * console.log(new TextRng(5).int(6) < 6); // true
   * ```
   * @param n The exclusive upper bound, an integer in [1, 2^32].
   * @returns An integer in [0, n).
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new InvalidArgumentError(`TextRng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /**
   * True with probability `p` (always false for p <= 0, always true for p >= 1,
   * and then no number is drawn).
   *
   * @example
   * ```ts
   * import { TextRng } from "./rng.ts";
   * const r = new TextRng(0);
   * console.log(r.chance(0), r.chance(1)); // false true
   * ```
   * @param p The probability.
   * @returns Whether the event happened.
   */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.float() < p;
  }

  /**
   * A uniformly chosen element.
   *
   * @example
   * ```ts
   * import { TextRng } from "./rng.ts";
   * console.log(["a", "b"].includes(new TextRng(0).pick(["a", "b"]))); // true
   * ```
   * @param items A non-empty array.
   * @returns One of its elements.
   */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new InvalidArgumentError("TextRng.pick: items is empty");
    return items[this.int(items.length)];
  }

  /**
   * Shuffles an array in place (Fisher-Yates) and returns it.
   *
   * @example
   * ```ts
   * import { TextRng } from "./rng.ts";
   * const xs = new TextRng(0).shuffle([1, 2, 3, 4]);
   * console.log(xs.slice().sort().join()); // "1,2,3,4"
   * ```
   * @param items The array to permute.
   * @returns The same array.
   */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
