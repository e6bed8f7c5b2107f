/**
 * Languages {@link detectLanguage} can tell apart (ISO 639-1), plus "und".
 *
 * @example
 * ```ts
 * import { DETECTABLE_LANGUAGES } from "./language_detection.ts";
 * console.log(DETECTABLE_LANGUAGES.includes("he")); // true
 * ```
 */
export const DETECTABLE_LANGUAGES: readonly string[] = [
  "en",
  "fr",
  "de",
  "es",
  "it",
  "pt",
  "nl",
  "ru",
  "uk",
  "el",
  "ar",
  "fa",
  "he",
  "zh",
  "ja",
  "ko",
  "hi",
  "th",
  "ka",
  "hy",
  "und",
];

// Frequent function words per Latin-script language (own short lists).
const STOPWORDS: Record<string, ReadonlySet<string>> = {
  en: set("the of and to in is that it was for on are with as be this have not but they you"),
  fr: set("le la les de des du et est un une que qui dans pour pas sur ce il elle au avec nous"),
  de: set("der die das und ist nicht ein eine zu den von mit sich des auf für im dem ich wir"),
  es: set("el la los las de del y que en un una es por con para no se su al lo como"),
  it: set("il la di che e è un una per non in sono con del della le gli si da ma"),
  pt: set("o a os as de do da e que em um uma é para com não se na no por mais"),
  nl: set("de het een en van is dat niet in op te zijn met voor er die maar ook"),
};

const SCRIPTS: { lang: string; re: RegExp }[] = [
  { lang: "latin", re: /\p{Script=Latin}/u },
  { lang: "cyrillic", re: /\p{Script=Cyrillic}/u },
  { lang: "el", re: /\p{Script=Greek}/u },
  { lang: "arabic", re: /\p{Script=Arabic}/u },
  { lang: "he", re: /\p{Script=Hebrew}/u },
  { lang: "ja", re: /[\p{Script=Hiragana}\p{Script=Katakana}]/u },
  { lang: "zh", re: /\p{Script=Han}/u },
  { lang: "ko", re: /\p{Script=Hangul}/u },
  { lang: "hi", re: /\p{Script=Devanagari}/u },
  { lang: "th", re: /\p{Script=Thai}/u },
  { lang: "ka", re: /\p{Script=Georgian}/u },
  { lang: "hy", re: /\p{Script=Armenian}/u },
];

/**
 * Guesses the language of a text without a model: the majority script of its
 * first 2,000 letters decides for non-Latin scripts (Cyrillic with ї/є/ґ/і is
 * Ukrainian, else Russian; Arabic script with پ/چ/ژ/گ is Persian; any kana makes
 * Han text Japanese); Latin-script text is scored by frequent function words of
 * en/fr/de/es/it/pt/nl. Returns "und" when nothing decides. A light stand-in for
 * the `langid` model NL-Augmenter's language filter uses.
 *
 * @example
 * ```ts
 * import { detectLanguage } from "./language_detection.ts";
 * console.log(detectLanguage("The cat is on the mat"), detectLanguage("Le chat est sur la table"));
 * // "en" "fr"
 * console.log(detectLanguage("שלום עולם"), detectLanguage("こんにちは世界"), detectLanguage("1234")); // "he" "ja" "und"
 * ```
 * @param text Any string.
 * @returns An ISO 639-1 code or "und".
 */
export function detectLanguage(text: string): string {
  const sample = text.slice(0, 4000);
  const counts = new Map<string, number>();
  let letters = 0;
  for (const ch of sample) {
    if (!/\p{L}/u.test(ch)) continue;
    letters++;
    for (const s of SCRIPTS) {
      if (s.re.test(ch)) {
        counts.set(s.lang, (counts.get(s.lang) ?? 0) + 1);
        break;
      }
    }
    if (letters >= 2000) break;
  }
  if (letters === 0) return "und";
  let script = "und";
  let best = 0;
  for (const [k, v] of counts) {
    if (v > best) {
      best = v;
      script = k;
    }
  }
  if (script === "zh" && (counts.get("ja") ?? 0) > 0) return "ja";
  if (script === "cyrillic") return /[їєґі]/iu.test(sample) ? "uk" : "ru";
  if (script === "arabic") return /[پچژگ]/u.test(sample) ? "fa" : "ar";
  if (script !== "latin") return script;
  const tokens = sample.toLowerCase().match(/\p{L}+/gu) ?? [];
  let lang = "und";
  let top = 0;
  for (const [code, words] of Object.entries(STOPWORDS)) {
    let hits = 0;
    for (const t of tokens) if (words.has(t)) hits++;
    if (hits > top) {
      top = hits;
      lang = code;
    }
  }
  return lang;
}

function set(words: string): ReadonlySet<string> {
  return new Set(words.split(" "));
}
