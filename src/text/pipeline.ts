import { z } from "zod";
import type { TextExample } from "./example.ts";
import { examplesEqual, validateExample } from "./example.ts";
import { Filter } from "./filter.ts";
import { parseOptions } from "./options.ts";
import { TaskKindError } from "./task_kind_error.ts";
import type { Transformation } from "./transformation.ts";

/**
 * What one pipeline step did. For a transformation, `perturbationRate` is
 * NL-Augmenter's success rate: outputs that differ from their input over all
 * outputs (an input with no output counts as one failure). For a filter,
 * `kept` examples passed it.
 *
 * @example
 * ```ts
 * import type { StepReport } from "./pipeline.ts";
 * const r: StepReport = { operation: "leet_letters", type: "transformation", inputs: 2, outputs: 2, perturbed: 1, unchanged: 1, skipped: 0, perturbationRate: 0.5, kept: 2 };
 * console.log(r.perturbationRate);
 * ```
 */
export interface StepReport {
  /** Registry name of the operation. */
  operation: string;
  /** Transformation or filter. */
  type: "transformation" | "filter";
  /** Examples that entered the step. */
  inputs: number;
  /** Examples that left it. */
  outputs: number;
  /** Outputs different from their input (transformations). */
  perturbed: number;
  /** Outputs equal to their input (transformations). */
  unchanged: number;
  /** Inputs of a kind the operation does not accept, passed through (onUnsupported "keep") or dropped ("skip"). */
  skipped: number;
  /** perturbed / (perturbed + unchanged), 0 when nothing was produced (transformations). */
  perturbationRate: number;
  /** Examples that passed (filters) or were produced (transformations), not counting skipped ones. */
  kept: number;
}

/**
 * The result of {@link runPipeline}: the final examples and one report per step.
 *
 * @example
 * ```ts
 * import type { PipelineResult } from "./pipeline.ts";
 * const r: PipelineResult = { examples: [], steps: [] };
 * console.log(r.steps.length);
 * ```
 */
export interface PipelineResult {
  /** The examples after the last step. */
  examples: TextExample[];
  /** One report per operation, in order. */
  steps: StepReport[];
}

/**
 * Options of {@link runPipeline}.
 *
 * @example
 * ```ts
 * import type { PipelineOptions } from "./pipeline.ts";
 * const o: PipelineOptions = { outputs: "first", onUnsupported: "keep" };
 * console.log(o.outputs);
 * ```
 */
export interface PipelineOptions {
  /** Keep "all" outputs of each transformation (augmentation; default) or only the "first" (1:1). */
  outputs?: "all" | "first";
  /** An example of a kind an operation lacks: "error" (TaskKindError, default), "keep" it unchanged, or "skip" it. */
  onUnsupported?: "error" | "keep" | "skip";
}

const SCHEMA = z.strictObject({
  outputs: z.enum(["all", "first"]).default("all"),
  onUnsupported: z.enum(["error", "keep", "skip"]).default("error"),
});

/**
 * Applies transformations and filters to a dataset in order: each
 * transformation maps every example to its outputs, each filter keeps the
 * examples that pass; reports the perturbation rate of every transformation and
 * the pass count of every filter. Runs in time linear in the data.
 *
 * @example
 * ```ts
 * import { runPipeline } from "./pipeline.ts";
 * import { LeetLetters } from "./transformations/leet_letters.ts";
 * import { NumericFilter } from "./filters/numeric_filter.ts";
 * const data = [{ kind: "sentence" as const, sentence: "hello" }, { kind: "sentence" as const, sentence: "hmm" }];
 * const r = runPipeline(data, [new LeetLetters({ prob: 1 }), new NumericFilter()]);
 * console.log(r.examples, r.steps[0].perturbationRate, r.steps[1].kept);
 * // [{ kind: "sentence", sentence: "h3110" }] 0.5 1
 * ```
 * @param dataset The examples.
 * @param operations Transformations and filters, applied in order.
 * @param options Output policy and what to do with unsupported kinds.
 * @returns The final examples and per-step reports.
 */
export function runPipeline(
  dataset: readonly TextExample[],
  operations: readonly (Transformation | Filter)[],
  options: PipelineOptions = {},
): PipelineResult {
  const o = parseOptions(SCHEMA, options, "runPipeline");
  if (!Array.isArray(dataset)) {
    throw new TypeError(`runPipeline: dataset must be an array of examples`);
  }
  dataset.forEach((e, i) => validateExample(e, `runPipeline: dataset[${i}]`));
  let current: TextExample[] = [...dataset];
  const steps: StepReport[] = [];
  for (const op of operations) {
    const report: StepReport = {
      operation: op.name,
      type: op instanceof Filter ? "filter" : "transformation",
      inputs: current.length,
      outputs: 0,
      perturbed: 0,
      unchanged: 0,
      skipped: 0,
      perturbationRate: 0,
      kept: 0,
    };
    const next: TextExample[] = [];
    for (const example of current) {
      if (!op.supports(example.kind)) {
        if (o.onUnsupported === "error") {
          throw new TaskKindError(op.name, example.kind, op.info.kinds);
        }
        report.skipped++;
        if (o.onUnsupported === "keep") next.push(example);
        continue;
      }
      if (op instanceof Filter) {
        if (op.filter(example)) {
          next.push(example);
          report.kept++;
        }
        continue;
      }
      const outs = (op as Transformation).generate(example);
      const used = o.outputs === "first" ? outs.slice(0, 1) : outs;
      if (used.length === 0) report.unchanged++;
      for (const out of used) {
        if (examplesEqual(out, example)) report.unchanged++;
        else report.perturbed++;
        next.push(out);
        report.kept++;
      }
    }
    report.outputs = next.length;
    const total = report.perturbed + report.unchanged;
    report.perturbationRate = total === 0 ? 0 : report.perturbed / total;
    steps.push(report);
    current = next;
  }
  return { examples: current, steps };
}

/**
 * Applies one transformation to every example, keeping all outputs, and
 * returns the outputs with the step report (a one-step {@link runPipeline}).
 *
 * @example
 * ```ts
 * import { applyTransformation } from "./pipeline.ts";
 * import { ContractionExpansion } from "./transformations/contraction_expansion.ts";
 * const r = applyTransformation(new ContractionExpansion(), [{ kind: "sentence", sentence: "I'm in" }, { kind: "sentence", sentence: "Hi" }]);
 * console.log(r.report.perturbationRate); // 0.5
 * ```
 * @param transformation The transformation.
 * @param dataset The examples.
 * @returns The outputs and the report.
 */
export function applyTransformation(
  transformation: Transformation,
  dataset: readonly TextExample[],
): { examples: TextExample[]; report: StepReport } {
  const r = runPipeline(dataset, [transformation]);
  return { examples: r.examples, report: r.steps[0] };
}

/**
 * Splits a dataset by a filter into the examples that pass and those that do not.
 *
 * @example
 * ```ts
 * import { applyFilter } from "./pipeline.ts";
 * import { NumericFilter } from "./filters/numeric_filter.ts";
 * const r = applyFilter(new NumericFilter(), [{ kind: "sentence", sentence: "1 cat" }, { kind: "sentence", sentence: "a dog" }]);
 * console.log(r.kept.length, r.rejected.length); // 1 1
 * ```
 * @param filter The filter.
 * @param dataset The examples.
 * @returns Passing and failing examples, in input order.
 */
export function applyFilter(
  filter: Filter,
  dataset: readonly TextExample[],
): { kept: TextExample[]; rejected: TextExample[] } {
  const kept: TextExample[] = [];
  const rejected: TextExample[] = [];
  for (const e of dataset) (filter.filter(e) ? kept : rejected).push(e);
  return { kept, rejected };
}
