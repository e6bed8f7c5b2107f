import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import type { SentenceAndTargetExample } from "../example.ts";
import { parseOptions } from "../options.ts";
import { hashedBagOfWords } from "./hashed_features.ts";
import {
  type LogisticModel,
  predictLogistic,
  trainLogisticRegression,
} from "./logistic_regression.ts";
import type { TextClassifier } from "./text_classifier.ts";

/**
 * Options of {@link BagOfWordsClassifier.train}.
 *
 * @example
 * ```ts
 * import type { BagOfWordsOptions } from "./bag_of_words_classifier.ts";
 * const o: BagOfWordsOptions = { features: 2000, steps: 300 };
 * console.log(o.features);
 * ```
 */
export interface BagOfWordsOptions {
  /** Hash buckets (default 2000). */
  features?: number;
  /** Full-batch gradient steps (default 300). */
  steps?: number;
  /** Step size (default 8). */
  learningRate?: number;
  /** L2 penalty (default 1e-4). */
  l2?: number;
  /** The label predicted for p > 0.5 (default: the second label in sorted order). */
  positiveLabel?: string;
  /** "host" (f64 on the CPU, default) or "gpu" (f32 with the gpusci tensor core and autodiff). */
  trainer?: "host" | "gpu";
  /** Called after each GPU step (GPU trainer only). */
  onStep?: (step: number) => void;
  /** Stops GPU training early. */
  signal?: AbortSignal;
}

const SCHEMA = z.strictObject({
  features: z.number().int().min(1).max(1 << 22).default(2000),
  steps: z.number().int().min(0).max(100000).default(300),
  learningRate: z.number().positive().default(8),
  l2: z.number().min(0).default(1e-4),
  positiveLabel: z.string().optional(),
  trainer: z.enum(["host", "gpu"]).default("host"),
  onStep: z.custom<(step: number) => void>((v) => typeof v === "function").optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
});

/**
 * A binary text classifier: hashed word uni+bigram features and logistic
 * regression trained by full-batch gradient descent, either on the host in f64
 * (`trainLogisticRegression`) or on the GPU with the gpusci tensor core and
 * autodiff (`trainLogisticRegressionGpu`, loaded only when asked for, so
 * importing this class does not open a GPU device).
 *
 * @example
 * ```ts
 * import { BagOfWordsClassifier } from "./bag_of_words_classifier.ts";
 * const train = [
 *   { kind: "sentence_and_target" as const, sentence: "win free money now", target: "spam" },
 *   { kind: "sentence_and_target" as const, sentence: "free prize, click now", target: "spam" },
 *   { kind: "sentence_and_target" as const, sentence: "meeting moved to monday", target: "ham" },
 *   { kind: "sentence_and_target" as const, sentence: "notes from the project meeting", target: "ham" },
 * ];
 * const clf = await BagOfWordsClassifier.train(train, { features: 256, steps: 200 });
 * console.log(await clf.predict(["free money", "project meeting"])); // ["spam", "ham"]
 * ```
 */
export class BagOfWordsClassifier implements TextClassifier {
  /** Model name. */
  readonly name: string;
  /** The two labels, [negative, positive]. */
  readonly labels: readonly string[];
  /** The trained weights. */
  readonly model: LogisticModel;
  /** Where the weights were trained: "host-f64" or "gpu-f32". */
  readonly trainedOn: "host-f64" | "gpu-f32";
  #features: number;

  /**
   * Wraps trained weights (use {@link BagOfWordsClassifier.train} to fit them).
   *
   * @param model The weights (length = feature count).
   * @param labels [label for p <= 0.5, label for p > 0.5].
   * @param name A name for reports.
   * @param trainedOn Where the weights were trained.
   */
  constructor(
    model: LogisticModel,
    labels: readonly [string, string],
    name = "bag-of-words-lr",
    trainedOn: "host-f64" | "gpu-f32" = "host-f64",
  ) {
    this.model = model;
    this.trainedOn = trainedOn;
    this.labels = labels;
    this.name = name;
    this.#features = model.weights.length;
  }

  /**
   * Trains on labelled examples with exactly two distinct labels.
   *
   * @param examples Training data (target = label).
   * @param options Feature count, optimizer settings and trainer.
   * @returns The trained classifier.
   */
  static async train(
    examples: readonly SentenceAndTargetExample[],
    options: BagOfWordsOptions = {},
  ): Promise<BagOfWordsClassifier> {
    const o = parseOptions(SCHEMA, options, "BagOfWordsClassifier.train");
    const labels = [...new Set(examples.map((e) => e.target))].sort();
    if (labels.length !== 2) {
      throw new InvalidArgumentError(
        `BagOfWordsClassifier.train: expected exactly 2 labels, got ${labels.length} (${
          labels.slice(0, 5).join(", ")
        })`,
      );
    }
    const positive = o.positiveLabel ?? labels[1];
    if (!labels.includes(positive)) {
      throw new InvalidArgumentError(
        `BagOfWordsClassifier.train: positiveLabel "${positive}" is not one of ${
          labels.join(", ")
        }`,
      );
    }
    const negative = labels.find((l) => l !== positive)!;
    const x = hashedBagOfWords(examples.map((e) => e.sentence), o.features);
    const y = examples.map((e) => (e.target === positive ? 1 : 0));
    const settings = { steps: o.steps, learningRate: o.learningRate, l2: o.l2 };
    if (o.trainer === "gpu") {
      const { trainLogisticRegressionGpu } = await import("./gpu_logistic_regression.ts");
      const model = await trainLogisticRegressionGpu(x, y, {
        ...settings,
        onStep: o.onStep,
        signal: o.signal,
      });
      return new BagOfWordsClassifier(model, [negative, positive], "bag-of-words-lr", "gpu-f32");
    }
    const model = trainLogisticRegression(x, y, settings);
    return new BagOfWordsClassifier(model, [negative, positive]);
  }

  /**
   * Classifies texts.
   *
   * @param texts The inputs.
   * @returns One label per text.
   */
  predict(texts: readonly string[]): Promise<string[]> {
    const p = predictLogistic(this.model, hashedBagOfWords(texts, this.#features));
    return Promise.resolve(Array.from(p, (v) => (v > 0.5 ? this.labels[1] : this.labels[0])));
  }
}
