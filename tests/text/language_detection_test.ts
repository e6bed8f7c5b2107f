import assert from "node:assert/strict";
import { DETECTABLE_LANGUAGES, detectLanguage } from "../../src/text/language_detection.ts";

Deno.test("detectLanguage: scripts and Latin-script function words", () => {
  const cases: [string, string][] = [
    ["The cat is on the mat and it is happy", "en"],
    ["Le chat est sur la table et il dort", "fr"],
    ["Der Hund ist nicht hier und das ist gut", "de"],
    ["El perro está en la casa con los niños", "es"],
    ["Il gatto è sulla tavola e non dorme", "it"],
    ["O gato está em casa e não dorme", "pt"],
    ["De kat is niet in het huis", "nl"],
    ["Привет, как дела?", "ru"],
    ["Привіт, як справи? Їжак", "uk"],
    ["Γειά σου κόσμε", "el"],
    ["مرحبا بالعالم", "ar"],
    ["سلام دنیا چطوری", "fa"],
    ["שלום עולם", "he"],
    ["你好世界", "zh"],
    ["こんにちは世界", "ja"],
    ["안녕하세요 세계", "ko"],
    ["नमस्ते दुनिया", "hi"],
    ["สวัสดีชาวโลก", "th"],
    ["გამარჯობა", "ka"],
    ["Բարեւ աշխարհ", "hy"],
    ["12345 !!!", "und"],
    ["", "und"],
  ];
  for (const [text, lang] of cases) assert.equal(detectLanguage(text), lang, text);
  for (const [, lang] of cases) assert.ok(DETECTABLE_LANGUAGES.includes(lang));
});
