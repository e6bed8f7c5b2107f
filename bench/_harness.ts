/**
 * Shared helpers for gpusci benchmarks. Each suite registers `Deno.bench` cases for
 * `deno bench`, and when run as a script with `--report` prints `metric value unit` lines that
 * its peer in bench/peers/ prints too, so bench/device.sh can compute ratios.
 *
 * @module
 */
import { runtime, timeGpu } from "../src/gpu/mod.ts";

/** True when the suite runs as a script to print metrics (`deno run -A bench/x.ts --report`). */
export const reportMode: boolean = Deno.args.includes("--report");

/** Prints one metric line: `name value unit`. */
export function emit(name: string, value: number, unit: string): void {
  console.log(`${name} ${Number(value.toPrecision(5))} ${unit}`);
}

/**
 * Seconds of GPU time per repetition of `fn`, from timestamp queries over `reps` repetitions
 * recorded into one command stream (wall clock over a sync when timestamps are missing).
 */
export async function secondsPerRep(fn: () => void, reps: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) fn();
  await runtime().sync();
  const t = await timeGpu(() => {
    for (let i = 0; i < reps; i++) fn();
  });
  return t.ms / 1e3 / reps;
}

/** Wall-clock seconds per repetition, `reps` repetitions ended by one sync. */
export async function wallPerRep(fn: () => void, reps: number): Promise<number> {
  fn();
  await runtime().sync();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  await runtime().sync();
  return (performance.now() - t0) / 1e3 / reps;
}
