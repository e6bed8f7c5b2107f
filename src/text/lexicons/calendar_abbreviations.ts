import { parsePairs } from "./parse_pairs.ts";

/**
 * Weekday and month names -> their usual English abbreviations (the idea of
 * NL-Augmenter's `weekday_month_abbreviation`). "May" has no abbreviation and is
 * absent.
 *
 * @example
 * ```ts
 * import { CALENDAR_ABBREVIATIONS } from "./calendar_abbreviations.ts";
 * console.log(CALENDAR_ABBREVIATIONS.find(([n]) => n === "September")?.[1]); // "Sept."
 * ```
 */
export const CALENDAR_ABBREVIATIONS: readonly (readonly [string, string])[] = parsePairs(`
Monday|Mon.
Tuesday|Tue.
Wednesday|Wed.
Thursday|Thu.
Friday|Fri.
Saturday|Sat.
Sunday|Sun.
January|Jan.
February|Feb.
March|Mar.
April|Apr.
June|Jun.
July|Jul.
August|Aug.
September|Sept.
October|Oct.
November|Nov.
December|Dec.
`);

/**
 * Further abbreviations read back when expanding (variants with no full stop
 * need one to be recognised).
 *
 * @example
 * ```ts
 * import { EXTRA_CALENDAR_ABBREVIATIONS } from "./calendar_abbreviations.ts";
 * console.log(EXTRA_CALENDAR_ABBREVIATIONS.length > 0); // true
 * ```
 */
export const EXTRA_CALENDAR_ABBREVIATIONS: readonly (readonly [string, string])[] = parsePairs(`
Tues.|Tuesday
Thur.|Thursday
Thurs.|Thursday
Sep.|September
`);
