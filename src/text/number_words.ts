const ONES = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const SCALES = ["", "thousand", "million", "billion", "trillion"];

/**
 * Writes a non-negative integer below 10^15 in English words (short scale,
 * hyphenated tens, no "and"), e.g. for NL-Augmenter's `numeric_to_word` idea.
 *
 * @example
 * ```ts
 * import { integerToWords } from "./number_words.ts";
 * console.log(integerToWords(0), integerToWords(42), integerToWords(1_000_215));
 * // "zero" "forty-two" "one million two hundred fifteen"
 * ```
 * @param n An integer in [0, 10^15).
 * @returns The words, or null when out of range or not an integer.
 */
export function integerToWords(n: number): string | null {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 1e15) return null;
  if (n < 20) return ONES[n];
  const parts: string[] = [];
  let scale = 0;
  while (n > 0) {
    const chunk = n % 1000;
    if (chunk > 0) parts.unshift(chunkToWords(chunk) + (SCALES[scale] ? " " + SCALES[scale] : ""));
    n = Math.floor(n / 1000);
    scale++;
  }
  return parts.join(" ");
}

function chunkToWords(n: number): string {
  const out: string[] = [];
  if (n >= 100) {
    out.push(ONES[Math.floor(n / 100)] + " hundred");
    n %= 100;
  }
  if (n >= 20) out.push(TENS[Math.floor(n / 10)] + (n % 10 ? "-" + ONES[n % 10] : ""));
  else if (n > 0) out.push(ONES[n]);
  return out.join(" ");
}

/**
 * Writes a decimal numeral ("3.14", "-7", "1,250") in words; digits after the
 * point are read one by one.
 *
 * @example
 * ```ts
 * import { numeralToWords } from "./number_words.ts";
 * console.log(numeralToWords("3.14"), numeralToWords("-7"), numeralToWords("1,250"));
 * // "three point one four" "minus seven" "one thousand two hundred fifty"
 * ```
 * @param numeral The numeral as written.
 * @returns The words, or null if it is not a plain numeral below 10^15.
 */
export function numeralToWords(numeral: string): string | null {
  const m = /^(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(numeral);
  if (m === null) return null;
  const whole = integerToWords(Number(m[2].replace(/,/g, "")));
  if (whole === null) return null;
  let out = (m[1] ? "minus " : "") + whole;
  if (m[3] !== undefined) out += " point " + [...m[3]].map((d) => ONES[Number(d)]).join(" ");
  return out;
}
