/**
 * WGSL for the GPU copy of the episode clock (see `episode_clock.ts`): each particle's step
 * index `t0 [n]` (u32) lives on the GPU so that no per-truncation upload (and no flush of the
 * command stream) is needed. One kernel, four modes:
 *
 * - `advance`: `t' = (t0 + K) % T` (`t0 + K` when T is 0, i.e. infinite), `[n]` u32.
 * - `time`: the index before step k, as f32, tiled to all `P` particles (`t0[p % n]`).
 * - `endMask`: 1 where the episode ends at step k (`(t0 + k + 1) % T == 0`), f32 `[P]`.
 * - `ended`: 1 where the episode ends anywhere in steps `0..K-1`, f32 `[n]`.
 *
 * @example
 * ```ts
 * import { clockKernel } from "./clock.ts";
 * console.log(clockKernel("advance").code.includes("array<u32>")); // true
 * ```
 * @module
 */
import { ENTRY, LINEAR_INDEX } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";

/** The clock kernel modes (see the module doc). */
export type ClockMode = "advance" | "time" | "endMask" | "ended";

/**
 * The clock kernel for `mode`. Params: [n, P, k (or K), T (0 = infinite)]; input t0 `[n]`.
 *
 * @example
 * ```ts
 * import { clockKernel } from "./clock.ts";
 * console.log(clockKernel("time").outputs); // 1
 * ```
 */
export function clockKernel(mode: ClockMode): KernelSpec {
  const outType = mode === "advance" ? "u32" : "f32";
  const count = mode === "advance" || mode === "ended" ? "p.n" : "p.P";
  let body: string;
  switch (mode) {
    case "advance":
      body = "out[i] = select(t + p.k, (t + p.k) % p.T, p.T != 0u);";
      break;
    case "time":
      body = "out[i] = f32(select(t + p.k, (t + p.k) % p.T, p.T != 0u));";
      break;
    case "endMask":
      body = "out[i] = select(0.0, 1.0, p.T != 0u && (t + p.k + 1u) % p.T == 0u);";
      break;
    case "ended":
      body = "out[i] = select(0.0, 1.0, p.T != 0u && p.T - 1u - t < p.k);";
      break;
  }
  const code = `struct Params { n: u32, P: u32, k: u32, T: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> t0: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<${outType}>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= ${count}) { return; }
  let t = t0[i % p.n];
  ${body}
}`;
  return { code, inputs: 1, outputs: 1 };
}
