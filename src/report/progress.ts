/**
 * Progress indicators for long loops, on stderr: a redrawn bar with ETA when stderr is
 * a terminal, plain periodic lines otherwise (logs, CI).
 *
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * const lines: string[] = [];
 * const p = createProgress("sampling", 100, { tty: false, write: (s) => lines.push(s) });
 * for (let i = 0; i < 100; i++) p.tick();
 * p.done();
 * console.log(lines.at(-1)); // "sampling: 100/100 done in 0s\n" (or similar)
 * ```
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { Progress } from "./experiment.ts";

/**
 * Options for {@linkcode createProgress}.
 *
 * @example
 * ```ts
 * import type { ProgressOptions } from "./progress.ts";
 * const opts: ProgressOptions = { tty: false, intervalMs: 5000 };
 * console.log(opts.tty); // false
 * ```
 */
export interface ProgressOptions {
  /** Where text goes (default: synchronous writes to stderr). */
  write?: (text: string) => void;
  /** Draw a redrawn bar (true) or plain lines (false); default: whether stderr is a terminal. */
  tty?: boolean;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
  /** Plain mode: minimum milliseconds between lines (default 10 000). Bar mode redraws at most every 100 ms. */
  intervalMs?: number;
  /** Bar width in characters (default 24). */
  barWidth?: number;
}

const encoder = new TextEncoder();

/**
 * Writes text to stderr synchronously (so progress interleaves correctly with logs).
 *
 * @example
 * ```ts
 * import { writeStderr } from "./progress.ts";
 * writeStderr("");
 * ```
 */
export function writeStderr(text: string): void {
  const bytes = encoder.encode(text);
  let off = 0;
  while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
}

/**
 * Whether stderr is an interactive terminal.
 *
 * @example
 * ```ts
 * import { stderrIsTerminal } from "./progress.ts";
 * console.log(typeof stderrIsTerminal()); // "boolean"
 * ```
 */
export function stderrIsTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

/**
 * Formats seconds as `"42s"`, `"3m05s"` or `"1h02m"`.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * console.log(formatDuration(42.4), formatDuration(185), formatDuration(3720)); // 42s 3m05s 1h02m
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * Starts a progress indicator for a loop of `total` steps (`0` when unknown).
 * In bar mode it redraws one line (`label [████░░░░] 40% 40/100 3s ETA 5s`); in plain
 * mode it prints a line at most every `intervalMs`, and a final `done in` line.
 *
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * let out = "";
 * const p = createProgress("train", 10, { tty: true, write: (s) => (out += s) });
 * p.tick(10);
 * p.done();
 * console.log(out.includes("100%")); // true
 * ```
 */
export function createProgress(
  label: string,
  total: number,
  options: ProgressOptions = {},
): Progress {
  if (!(Number.isFinite(total) && total >= 0)) {
    throw new InvalidArgumentError(
      `progress "${label}": total must be a finite number >= 0, got ${total}`,
    );
  }
  const write = options.write ?? writeStderr;
  const tty = options.tty ?? stderrIsTerminal();
  const now = options.now ?? (() => performance.now());
  const interval = tty ? 100 : options.intervalMs ?? 10_000;
  const barWidth = options.barWidth ?? 24;
  const start = now();
  let count = 0;
  let last = -Infinity;
  let finished = false;

  const status = () => {
    const elapsed = (now() - start) / 1000;
    const parts: string[] = [];
    if (total > 0) {
      const frac = Math.min(1, count / total);
      if (tty) {
        const full = Math.round(frac * barWidth);
        parts.push(`[${"█".repeat(full)}${"░".repeat(barWidth - full)}]`);
      }
      parts.push(`${Math.floor(frac * 100)}%`, `${count}/${total}`, formatDuration(elapsed));
      if (count > 0 && count < total) {
        parts.push(`ETA ${formatDuration((elapsed / count) * (total - count))}`);
      }
    } else {
      parts.push(`${count}`, formatDuration(elapsed));
    }
    return parts.join(" ");
  };

  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - last < interval) return;
    last = t;
    if (tty) write(`\r\x1b[K${label} ${status()}`);
    else write(`${label}: ${status()}\n`);
  };

  if (tty) draw(true);
  else last = start;

  return {
    tick(n = 1) {
      if (finished) return;
      count += n;
      draw(false);
    },
    done() {
      if (finished) return;
      finished = true;
      const elapsed = formatDuration((now() - start) / 1000);
      const counted = total > 0 ? `${count}/${total}` : `${count}`;
      if (tty) write(`\r\x1b[K${label} ${counted} done in ${elapsed}\n`);
      else write(`${label}: ${counted} done in ${elapsed}\n`);
    },
  };
}
