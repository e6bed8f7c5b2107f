import * as aq from "arquero";
import { z } from "zod";
import { NoAdapterError } from "../../errors.ts";
import type { Experiment, ExperimentContext, ExperimentResult } from "../../report/experiment.ts";
import { ClassificationAdapter } from "../classification_adapter.ts";
import { loadSentimentSentences } from "../datasets/sentiment_sentences.ts";
import { loadSpamAssassin } from "../datasets/spam_assassin.ts";
import type { Filter } from "../filter.ts";
import { AfinnSentimentModel } from "../models/afinn_sentiment_model.ts";
import { BagOfWordsClassifier } from "../models/bag_of_words_classifier.ts";
import { listOperations } from "../registry.ts";
import { evaluateRobustness, type RobustnessResult } from "../robustness.ts";
import type { Transformation } from "../transformation.ts";

const schema = z.strictObject({
  spamEval: z.number().int().min(10).max(6000).default(400),
  spamTrain: z.number().int().min(10).max(6000).default(2000),
  maxChars: z.number().int().min(50).max(20000).default(1000),
  features: z.number().int().min(8).max(1 << 16).default(2000),
  steps: z.number().int().min(0).max(20000).default(300),
  learningRate: z.number().positive().default(8),
  trainer: z.enum(["gpu", "host"]).default("gpu"),
  sentimentEval: z.number().int().min(10).max(3000).default(1000),
  operations: z.array(z.string()).default([]),
});

/**
 * Config of the `augment-robustness` experiment (every field has a default).
 *
 * @example
 * ```ts
 * import type { AugmentRobustnessConfig } from "./augment_robustness.ts";
 * const c: Partial<AugmentRobustnessConfig> = { spamEval: 100, trainer: "host" };
 * console.log(c.trainer);
 * ```
 */
export interface AugmentRobustnessConfig {
  /** SpamAssassin evaluation emails. */
  spamEval: number;
  /** SpamAssassin training emails. */
  spamTrain: number;
  /** Email bodies are cut to this many characters. */
  maxChars: number;
  /** Hashed bag-of-words features of the spam classifier. */
  features: number;
  /** Full-batch gradient steps. */
  steps: number;
  /** Gradient step size. */
  learningRate: number;
  /** Train the spam classifier on the "gpu" (tensor core + autodiff) or the "host" (f64). */
  trainer: "gpu" | "host";
  /** Labelled review sentences for the AFINN sentiment model. */
  sentimentEval: number;
  /** Registry names to run (empty: all). */
  operations: string[];
}

interface Row {
  operation: string;
  type: "transformation" | "filter";
  via: string;
  preserves_label: boolean;
  spam_acc: number;
  spam_delta: number;
  spam_rate: number;
  spam_n: number;
  sentiment_acc: number;
  sentiment_delta: number;
  sentiment_rate: number;
  sentiment_n: number;
  ms: number;
}

/**
 * `augment-robustness`: NL-Augmenter's robustness evaluation (Dhole et al.
 * 2021) on two real models and real data, offline. Every registered
 * transformation and filter runs on (a) a SpamAssassin evaluation split with a
 * hashed bag-of-words logistic-regression classifier trained on the GPU with
 * the gpusci tensor core and autodiff (or on the host, `trainer: "host"`), and
 * (b) labelled review sentences with the AFINN lexicon sentiment model. A
 * transformation reports accuracy on the transformed split, a filter accuracy
 * on the subset it keeps, each with the change in points. Tagging and QA
 * operations run through `ClassificationAdapter`; key-value ones cannot apply
 * to text classification and are listed as skipped.
 *
 * Metrics: `n_transformations`, `n_filters`, `clean_acc`, `worst_drop`,
 * `mean_drop` (spam model; over label-preserving transformations), the same with
 * a `sentiment_` prefix, and per-transformation drops.
 *
 * @example
 * ```ts
 * import { augmentRobustness } from "./augment_robustness.ts";
 * const config = augmentRobustness.schema.parse({
 *   spamEval: 20, spamTrain: 60, features: 64, steps: 20, trainer: "host", sentimentEval: 20,
 *   operations: ["leet_letters", "numeric_filter"],
 * });
 * const ctx = {
 *   seed: 0, quick: true, outDir: "/tmp", adapter: "none", log: () => {},
 *   progress: () => ({ tick() {}, done() {} }), signal: new AbortController().signal,
 * };
 * const r = await augmentRobustness.run(config, ctx);
 * console.log(r.metrics.n_transformations, r.metrics.n_filters); // 1 1
 * ```
 */
export const augmentRobustness: Experiment<AugmentRobustnessConfig> = {
  name: "augment-robustness",
  module: "text",
  description:
    "Every NL-Augmenter-style transformation and filter vs a GPU-trained spam classifier and an AFINN sentiment model",
  claim:
    "Label-preserving rule-based perturbations (typos, casing, leetspeak, ciphers, lexical swaps) " +
    "lower a classifier's accuracy by amounts that differ widely between transformations, and " +
    "filters expose subpopulations whose accuracy differs from the whole (Dhole et al. 2021).",
  schema,
  presets: {
    quick: { spamEval: 200, spamTrain: 1000, features: 256, steps: 150, sentimentEval: 300 },
    full: { spamEval: 500, spamTrain: 2000, features: 2000, steps: 300, sentimentEval: 1000 },
  },
  keyMetric: "worst_drop",
  run,
};

async function run(
  config: AugmentRobustnessConfig,
  ctx: ExperimentContext,
): Promise<ExperimentResult> {
  const notes: string[] = [];
  const t0 = performance.now();
  const spam = loadSpamAssassin({
    seed: ctx.seed,
    evalSize: config.spamEval,
    trainSize: config.spamTrain,
    maxChars: config.maxChars,
  });
  const sentiment = loadSentimentSentences({ seed: ctx.seed, evalSize: config.sentimentEval }).eval;
  ctx.log(
    `text: ${spam.train.length} train / ${spam.eval.length} eval emails, ${sentiment.length} review sentences`,
  );

  let trainer = config.trainer;
  if (trainer === "gpu" && ctx.adapter === "none") {
    trainer = "host";
    notes.push("No WebGPU adapter: the spam classifier was trained on the host (f64) instead.");
  }
  const bar = ctx.progress(`train spam classifier (${trainer})`, config.steps);
  let clf: BagOfWordsClassifier;
  try {
    clf = await BagOfWordsClassifier.train(spam.train, {
      features: config.features,
      steps: config.steps,
      learningRate: config.learningRate,
      trainer,
      onStep: () => bar.tick(),
      signal: ctx.signal,
    });
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    notes.push(`GPU unavailable (${e.message}); trained on the host (f64) instead.`);
    clf = await BagOfWordsClassifier.train(spam.train, {
      features: config.features,
      steps: config.steps,
      learningRate: config.learningRate,
    });
  }
  bar.done();
  ctx.log(
    `text: classifier trained (${clf.trainedOn}) in ${Math.round(performance.now() - t0)} ms`,
  );

  const afinn = new AfinnSentimentModel();
  const spamPred = await clf.predict(spam.eval.map((e) => e.sentence));
  const sentPred = await afinn.predict(sentiment.map((e) => e.sentence));

  const wanted = new Set(config.operations);
  const entries = listOperations().filter((e) => wanted.size === 0 || wanted.has(e.info.name));
  const unknown = [...wanted].filter((n) => !entries.some((e) => e.info.name === n));
  if (unknown.length > 0) notes.push(`Unknown operation names ignored: ${unknown.join(", ")}.`);
  const rows: Row[] = [];
  const skipped: string[] = [];
  let spamClean = NaN, sentClean = NaN;
  const ops = ctx.progress("operations", entries.length);
  for (const entry of entries) {
    if (ctx.signal.aborted) break;
    const t = performance.now();
    const op = entry.create({ ...entry.exampleOptions, seed: ctx.seed });
    let applied: Transformation | Filter = op;
    let via = "sentence_and_target";
    if (!op.supports("sentence_and_target")) {
      if (
        entry.type === "transformation" &&
        (op.supports("tagging") || op.supports("question_answer"))
      ) {
        const adapter = new ClassificationAdapter(op as Transformation);
        applied = adapter;
        via = adapter.via;
      } else {
        skipped.push(`${entry.info.name} (${entry.info.kinds.join(", ")})`);
        ops.tick();
        continue;
      }
    }
    const rs: RobustnessResult = await evaluateRobustness(clf, spam.eval, applied, {
      originalPredictions: spamPred,
    });
    const rt: RobustnessResult = await evaluateRobustness(afinn, sentiment, applied, {
      originalPredictions: sentPred,
    });
    spamClean = rs.originalScore;
    sentClean = rt.originalScore;
    rows.push({
      operation: entry.info.name,
      type: entry.type,
      via,
      preserves_label: rs.preservesLabel,
      spam_acc: round(rs.perturbedScore),
      spam_delta: round(rs.delta),
      spam_rate: round(rs.perturbationRate, 3),
      spam_n: rs.nPerturbed,
      sentiment_acc: round(rt.perturbedScore),
      sentiment_delta: round(rt.delta),
      sentiment_rate: round(rt.perturbationRate, 3),
      sentiment_n: rt.nPerturbed,
      ms: Math.round(performance.now() - t),
    });
    ops.tick();
  }
  ops.done();

  const transforms = rows.filter((r) => r.type === "transformation");
  const preserving = transforms.filter((r) => r.preserves_label);
  const worst = (key: "spam_delta" | "sentiment_delta") =>
    preserving.reduce<Row | undefined>(
      (w, r) => (w === undefined || r[key] < w[key] ? r : w),
      undefined,
    );
  const mean = (key: "spam_delta" | "sentiment_delta") =>
    preserving.length === 0 ? 0 : -preserving.reduce((s, r) => s + r[key], 0) / preserving.length;
  const worstSpam = worst("spam_delta"), worstSent = worst("sentiment_delta");
  const filters = rows.filter((r) => r.type === "filter");
  // Subsets under 10 examples give accuracies of 0 or 100 by chance; they are not compared.
  const finiteFilterDeltas = filters.filter((r) => r.spam_n >= 10).map((r) => r.spam_delta)
    .filter(Number.isFinite);
  if (skipped.length > 0) {
    notes.push(`Not applicable to text classification (skipped): ${skipped.join("; ")}.`);
  }
  const changing = transforms.filter((r) => !r.preserves_label).map((r) => r.operation);
  if (changing.length > 0) {
    notes.push(
      `Label-changing transformations (${
        changing.join(", ")
      }) are shown but left out of worst_drop and mean_drop.`,
    );
  }
  notes.push(
    `Email bodies are cut to their first ${config.maxChars} characters (headers and HTML removed); ` +
      `spam classifier: ${config.features} hashed word uni+bigram features, logistic regression, ` +
      `${config.steps} full-batch steps (${clf.trainedOn}).`,
    "Accuracies are in percent; deltas are in points (negative = worse). A filter's accuracy is that of the original predictions on the subset it keeps (n = subset size; empty subsets show NaN).",
    "Operations are seeded with the run seed; outputs come from the text module's own generator and differ from NL-Augmenter's Python outputs by design.",
  );

  const table = aq.from(rows);
  const chartValues = transforms.flatMap((r) => [
    { operation: r.operation, model: "spam (bag-of-words LR)", drop: -r.spam_delta },
    { operation: r.operation, model: "sentiment (AFINN)", drop: -r.sentiment_delta },
  ]);
  // largest drop for either model first, so a transformation that hurts one model is on top
  const worstOf = (r: (typeof transforms)[number]) => Math.min(r.spam_delta, r.sentiment_delta);
  const order = [...transforms].sort((a, b) => worstOf(a) - worstOf(b)).map((r) => r.operation);
  return {
    metrics: {
      n_transformations: transforms.length,
      n_filters: filters.length,
      n_skipped: skipped.length,
      clean_acc: round(spamClean),
      worst_drop: worstSpam ? round(-worstSpam.spam_delta) : 0,
      worst_transformation: worstSpam?.operation ?? "",
      mean_drop: round(mean("spam_delta")),
      sentiment_clean_acc: round(sentClean),
      sentiment_worst_drop: worstSent ? round(-worstSent.sentiment_delta) : 0,
      sentiment_worst_transformation: worstSent?.operation ?? "",
      sentiment_mean_drop: round(mean("sentiment_delta")),
      filter_max_abs_delta: finiteFilterDeltas.length === 0
        ? 0
        : round(Math.max(...finiteFilterDeltas.map(Math.abs))),
      trainer: clf.trainedOn,
      spam_eval_size: spam.eval.length,
      sentiment_eval_size: sentiment.length,
      drop_by_transformation: Object.fromEntries(
        transforms.map((r) => [r.operation, -r.spam_delta]),
      ),
    },
    tables: [{
      name: "robustness",
      title: "Accuracy after each transformation / on each filtered subset",
      table,
    }],
    charts: [{
      name: "drops",
      title: "Accuracy drop per transformation (points)",
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        width: 420,
        data: { values: chartValues },
        mark: "bar",
        encoding: {
          y: {
            field: "operation",
            type: "nominal",
            sort: order,
            title: null,
            axis: { labelLimit: 0 },
          },
          x: { field: "drop", type: "quantitative", title: "accuracy drop (points)" },
          color: {
            field: "model",
            type: "nominal",
            title: "model",
            legend: { labelLimit: 0, orient: "top" },
          },
          yOffset: { field: "model", type: "nominal" },
        },
      },
    }],
    notes,
  };
}

function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
