import { createRequire } from "node:module";
import { z } from "zod";
import type { SentenceAndTargetExample } from "../example.ts";
import { parseOptions } from "../options.ts";
import { type LabelledSplit, splitLabelled } from "./labelled_split.ts";

/**
 * Options of {@link loadSentimentSentences}.
 *
 * @example
 * ```ts
 * import type { SentimentSentencesOptions } from "./sentiment_sentences.ts";
 * const o: SentimentSentencesOptions = { source: "yelp", evalSize: 200 };
 * console.log(o.source);
 * ```
 */
export interface SentimentSentencesOptions {
  /** Which review site (default "all": 3,000 sentences). */
  source?: "amazon" | "imdb" | "yelp" | "all";
  /** Seed of the split (default 0). */
  seed?: number;
  /** Evaluation sentences (default 500). */
  evalSize?: number;
}

const SCHEMA = z.strictObject({
  source: z.enum(["amazon", "imdb", "yelp", "all"]).default("all"),
  seed: z.number().int().default(0),
  evalSize: z.number().int().min(1).max(3003).default(500),
});

/**
 * Labelled review sentences from "From Group to Individual Labels Using Deep
 * Features" (Kotzias et al. 2015; UCI "Sentiment Labelled Sentences"): 1,000
 * each from Amazon, IMDb and Yelp, target "positive" or "negative". They ship
 * as test fixtures of the npm package `sentiment`, so they load offline.
 *
 * @example
 * ```ts
 * import { loadSentimentSentences } from "./sentiment_sentences.ts";
 * const { eval: test, train } = loadSentimentSentences({ source: "yelp", evalSize: 100 });
 * console.log(test.length, train.length > 800, new Set(test.map((e) => e.target)).size); // 100 true 2
 * ```
 * @param options Source, seed and evaluation size.
 * @returns The split (train = the rest).
 */
export function loadSentimentSentences(options: SentimentSentencesOptions = {}): LabelledSplit {
  const o = parseOptions(SCHEMA, options, "loadSentimentSentences");
  const require = createRequire(import.meta.url);
  const sources = o.source === "all" ? ["amazon", "imdb", "yelp"] : [o.source];
  const examples: SentenceAndTargetExample[] = [];
  for (const s of sources) {
    const rows = require(`sentiment/test/fixtures/${s}.json`) as { text: string; class: number }[];
    for (const r of rows) {
      const text = r.text.trim();
      if (text.length === 0) continue;
      examples.push({
        kind: "sentence_and_target",
        sentence: text,
        target: r.class === 1 ? "positive" : "negative",
      });
    }
  }
  return splitLabelled(examples, o.seed, o.evalSize);
}
