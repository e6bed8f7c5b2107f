/**
 * A seeded host-side random stream derived from a gpusci random {@link Key}, for work that must
 * produce numbers synchronously on the CPU (orthogonal initialisation, toy data sets).
 *
 * The stream is xoshiro128** seeded from the key's two words through splitmix32, so the same
 * key gives the same numbers on every machine. It is NOT the GPU Philox stream: `normal(key)`
 * on the GPU and `hostRng(key).normal()` give different numbers by design.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
import type { Key } from "../gpu/random.ts";
 * import { hostRng } from "./host_rng.ts";
 * const r = hostRng(random.key(0));
 * console.log(r.uniform() < 1, Number.isFinite(r.normal())); // true true
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { random } from "../gpu/mod.ts";
import type { Key } from "../gpu/random.ts";

/** A synchronous host random stream. */
export interface HostRng {
  /** A uniform float in [0, 1) (53 random bits). */
  uniform(): number;
  /** A standard normal float (polar Box-Muller, f64). */
  normal(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
}

/** A random key or a non-negative integer seed (turned into `random.key(seed)`). */
export type KeyOrSeed = Key | number;

/**
 * Turns a key-or-seed argument into a key, with a typed error naming `where` otherwise.
 *
 * @example
 * ```ts
 * import { toKey } from "./host_rng.ts";
 * console.log(toKey(3, "demo").words); // [0, 3]
 * ```
 */
export function toKey(k: KeyOrSeed, where: string): Key {
  if (k instanceof random.Key) return k;
  if (typeof k === "number" && Number.isSafeInteger(k) && k >= 0) return random.key(k);
  throw new InvalidArgumentError(
    `${where}: key must be a random Key (random.key(seed)) or a non-negative integer seed, ` +
      `got ${String(k)}`,
  );
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A host random stream from a key (or integer seed).
 *
 * @example
 * ```ts
 * import { hostRng } from "./host_rng.ts";
 * const a = hostRng(7).normal(), b = hostRng(7).normal();
 * console.log(a === b); // true
 * ```
 */
export function hostRng(k: KeyOrSeed): HostRng {
  const key = toKey(k, "hostRng");
  const st = { s: (key.words[0] ^ Math.imul(key.words[1], 0x27d4eb2f)) | 0 };
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) s[i] = splitmix32(st) ^ (i === 1 ? key.words[1] : 0);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  const next32 = (): number => {
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  };
  let spare: number | null = null;
  const uniform = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  return {
    uniform,
    normal(): number {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let u: number, v: number, q: number;
      do {
        u = 2 * uniform() - 1;
        v = 2 * uniform() - 1;
        q = u * u + v * v;
      } while (q >= 1 || q === 0);
      const f = Math.sqrt((-2 * Math.log(q)) / q);
      spare = v * f;
      return u * f;
    },
    int(n: number): number {
      return Math.floor(uniform() * n);
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * mulberry32: a tiny seeded generator of uniform floats in [0, 1) (32-bit state), for host code
 * that needs a reproducible stream from a plain integer seed (random projections, seeded
 * starting points). Use {@link hostRng} where a JAX-style key is at hand.
 *
 * @example
 * ```ts
 * import { mulberry32 } from "./host_rng.ts";
 * const r = mulberry32(7);
 * const a = r(), b = r();
 * console.log(a >= 0 && a < 1, a !== b); // true true
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
