/**
 * Splits a text into sentences in one linear scan: a sentence ends at a run of
 * `.`, `!`, `?` or `…` (plus closing quotes or brackets) followed by whitespace
 * or the end, or at a blank line. Common abbreviations ("Mr.", "e.g.") and
 * single initials do not end a sentence. The whitespace after each sentence
 * stays attached to it, so joining the pieces gives back the text.
 *
 * @example
 * ```ts
 * import { splitSentences } from "./sentences.ts";
 * console.log(splitSentences("Hi Mr. Smith! How are you? Fine."));
 * // ["Hi Mr. Smith! ", "How are you? ", "Fine."]
 * ```
 * @param text Any string.
 * @returns The sentences with trailing whitespace.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const re = /[.!?…]+["'”’)\]]*(?=\s|$)\s*|\n\s*\n\s*/gu;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const end = m.index + m[0].length;
    const before = text.slice(Math.max(last, m.index - 6), m.index);
    if (
      m[0].startsWith(".") && /(^|\s)(Mr|Mrs|Ms|Dr|Prof|St|vs|etc|e\.g|i\.e|[A-Z])$/.test(before)
    ) {
      continue;
    }
    if (end > last) out.push(text.slice(last, end));
    last = end;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
