/**
 * Timing GPU work: timestamp queries when the adapter offers them, wall clock otherwise.
 *
 * @example
 * ```ts
 * import { timeGpu } from "./timing.ts";
 * import { matmul, ones } from "./mod.ts";
 * const a = ones([256, 256]);
 * const t = await timeGpu(() => matmul(a, a).dispose());
 * console.log(t.ms > 0, t.method); // true "timestamp" (or "wall")
 * ```
 * @module
 */
import { runtime } from "./runtime.ts";

/** The result of {@link timeGpu}. */
export interface GpuTiming {
  /** Milliseconds of GPU time between the start and the end of `fn`'s work. */
  ms: number;
  /** "timestamp" (GPU timestamp queries) or "wall" (host clock around a full sync). */
  method: "timestamp" | "wall";
}

/**
 * Times the GPU work that `fn` records. With timestamp queries the figure excludes the
 * ~10 ms sync; the wall-clock fallback includes one sync, so time many repetitions inside `fn`.
 *
 * @example
 * ```ts
 * import { timeGpu } from "./timing.ts";
 * import { add, ones } from "./mod.ts";
 * const x = ones([1 << 16]);
 * const { ms } = await timeGpu(() => { for (let i = 0; i < 10; i++) add(x, x).dispose(); });
 * ```
 */
export async function timeGpu(fn: () => void): Promise<GpuTiming> {
  const rt = runtime();
  if (rt.device.features.has("timestamp-query")) {
    const qs = rt.device.createQuerySet({ type: "timestamp", count: 2 });
    try {
      const start = performance.now();
      rt.writeTimestamp(qs, 0);
      fn();
      rt.writeTimestamp(qs, 1);
      const [t0, t1] = await rt.readTimestamps(qs, 2);
      if (t1 > t0) return { ms: Number(t1 - t0) / 1e6, method: "timestamp" };
      // Timestamps unusable on this adapter: report the wall time of this same run.
      return { ms: performance.now() - start, method: "wall" };
    } finally {
      qs.destroy();
    }
  }
  await rt.sync();
  const start = performance.now();
  fn();
  await rt.sync();
  return { ms: performance.now() - start, method: "wall" };
}
