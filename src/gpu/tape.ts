/**
 * Gradient recording: the trace stack and `record`, which every differentiable op calls.
 *
 * Recording is free when no `grad`/`vjp` is running: `record` returns immediately. While a
 * trace is active, an op whose inputs depend on an active trace attaches a {@link GradNode} to
 * its output. The backward pass is itself built from recorded ops, so it can be differentiated
 * again (grad of grad, Hessian-vector products).
 *
 * @example
 * ```ts
 * import { isRecording } from "./tape.ts";
 * console.log(isRecording()); // false outside grad()
 * ```
 * @module
 */
import type { GradNode, Tensor, Trace } from "./tensor.ts";

const traces: Trace[] = [];
let paused = 0;

/** True while some gradient trace is open and recording is not paused. */
export function isRecording(): boolean {
  return traces.length > 0 && paused === 0;
}

/** @internal Opens a new trace (innermost). */
export function pushTrace(): Trace {
  const t: Trace = { depth: traces.length, active: true };
  traces.push(t);
  return t;
}

/** @internal Closes the innermost trace. */
export function popTrace(t: Trace): void {
  const top = traces.pop();
  if (top !== t) throw new Error("gpusci internal error: gradient traces closed out of order");
  t.active = false;
}

/** Number of open traces. */
export function traceDepth(): number {
  return traces.length;
}

/** The active trace of a tensor's node, or null if it is a constant for every open trace. */
export function liveTrace(t: Tensor): Trace | null {
  const tr = t.node?.trace;
  return tr && tr.active ? tr : null;
}

/**
 * Attaches a gradient node to `out` if any input depends on an open trace. `vjp` maps the
 * cotangent of `out` to cotangents of each input (same order; null where none).
 *
 * @example
 * ```ts
 * import { record } from "./tape.ts";
 * // inside an op implementation:
 * // return record(out, [x], (g) => [mul(g, y)]);
 * ```
 */
export function record(
  out: Tensor,
  inputs: readonly Tensor[],
  vjp: (g: Tensor) => readonly (Tensor | null)[],
): Tensor {
  if (traces.length === 0 || paused > 0 || out.dtype !== "f32") return out;
  let best: Trace | null = null;
  const ins = inputs.map((x) => {
    const tr = liveTrace(x);
    if (!tr) return null;
    if (!best || tr.depth < best.depth) best = tr;
    return x;
  });
  if (!best) return out;
  out.node = { inputs: ins, vjp, trace: best } satisfies GradNode;
  return out;
}

/**
 * Runs `fn` without recording gradient nodes (used by `customVjp` and `stopGradient`).
 *
 * @example
 * ```ts
 * import { withoutRecording } from "./tape.ts";
 * const v = withoutRecording(() => 42);
 * ```
 */
export function withoutRecording<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}
