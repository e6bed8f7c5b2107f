/**
 * Groups of English discourse markers that can stand in for one another
 * (same PDTB-style sense and the same position: sentence adverbials, or
 * subordinators). Own grouping after NL-Augmenter's
 * `discourse_marker_substitution`, which maps markers to PDTB senses.
 *
 * @example
 * ```ts
 * import { DISCOURSE_MARKERS } from "./discourse_markers.ts";
 * console.log(DISCOURSE_MARKERS.result.includes("therefore")); // true
 * ```
 */
export const DISCOURSE_MARKERS: Readonly<Record<string, readonly string[]>> = {
  contrast: ["however", "nevertheless", "nonetheless", "even so", "on the other hand"],
  result: ["therefore", "thus", "hence", "consequently", "as a result", "accordingly"],
  addition: ["moreover", "furthermore", "in addition", "additionally", "besides", "what is more"],
  example: ["for example", "for instance"],
  concession: ["although", "even though"],
  sequence: ["afterwards", "subsequently", "later on"],
  summary: ["in conclusion", "in summary", "to sum up", "all in all"],
  similarity: ["similarly", "likewise", "in the same way"],
  emphasis: ["indeed", "in fact"],
};
