// Character-noise transformations: fixed-seed input/output cases (at least five per operation).
// Expected outputs were produced by the implementation and checked by hand; they pin
// the text module's own random stream (not Python's), see src/text/rng.ts.
import { sentenceCases } from "../_cases.ts";
import { ButterFingers } from "../../../src/text/transformations/butter_fingers.ts";
import { ChangeCharCase } from "../../../src/text/transformations/change_char_case.ts";
import { WhitespacePerturbation } from "../../../src/text/transformations/whitespace_perturbation.ts";
import { SwapCharacters } from "../../../src/text/transformations/swap_characters.ts";
import { RandomUpper } from "../../../src/text/transformations/random_upper.ts";
import { LeetLetters } from "../../../src/text/transformations/leet_letters.ts";
import { DiacriticRemoval } from "../../../src/text/transformations/diacritic_removal.ts";
import { SimpleCiphers } from "../../../src/text/transformations/simple_ciphers.ts";
import { VisualAttackLetters } from "../../../src/text/transformations/visual_attack_letters.ts";
import { OcrPerturbation } from "../../../src/text/transformations/ocr_perturbation.ts";
import { AzertyQwertySwap } from "../../../src/text/transformations/azerty_qwerty_swap.ts";
import { UnderscoreTrick } from "../../../src/text/transformations/underscore_trick.ts";
import { RemovePunctuation } from "../../../src/text/transformations/remove_punctuation.ts";

sentenceCases(ButterFingers, [
  [
    { "seed": 0, "prob": 0.1 },
    "Andrew finally returned the French book to Chris that I bought last week",
    ["Andrew cinally returned the French boik to Chris that I bought kzst week"],
  ],
  [{ "seed": 1, "prob": 0.3 }, "Hello World", ["Hellp Wotps"]],
  [{ "seed": 2, "prob": 0.3, "layout": "azerty" }, "Bonjour le monde", ["Gonjour le mlnde"]],
  [{ "seed": 3, "prob": 0.5, "layout": "dvorak", "maxOutputs": 2 }, "typing fast", [
    "tyexnc dant",
    "cyyxnd fasc",
  ]],
  [{ "seed": 4, "prob": 1 }, "Café ñ 👍🏽 ok", ["Fsgé ñ 👍🏽 pl"]],
  [{ "seed": 0, "prob": 0 }, "unchanged text", ["unchanged text"]],
]);

sentenceCases(ChangeCharCase, [
  [{ "seed": 0 }, "The quick brown fox", ["ThE QUick BrOwn fox"]],
  [{ "seed": 1, "prob": 1 }, "Hello, World", ["hELLO, wORLD"]],
  [{ "seed": 2, "prob": 0.5 }, "ÉCOLE straße", ["ÉCOle STRaße"]],
  [{ "seed": 3, "maxOutputs": 2 }, "Mixed Case Input", ["mIxEd casE INPUt", "mixED cASe INPuT"]],
  [{ "seed": 4, "prob": 0.5 }, "שלום abc", ["שלום ABC"]],
]);

sentenceCases(WhitespacePerturbation, [
  [{ "seed": 0 }, "The quick brown fox jumps over the lazy dog", [
    "The quick brown fox jumps over the l azy dog",
  ]],
  [{ "seed": 1, "addProb": 0, "removeProb": 1 }, "a b c", ["abc"]],
  [{ "seed": 2, "addProb": 0.5, "removeProb": 0 }, "abc", ["ab c"]],
  [{ "seed": 3, "addProb": 0.3, "removeProb": 0.3 }, "Ein Hund läuft.", ["E in H und l äuft ."]],
  [{ "seed": 4, "addProb": 0.5, "removeProb": 0 }, "é👩‍👩‍👧", ["é👩‍👩‍👧"]],
]);

sentenceCases(SwapCharacters, [
  [{ "seed": 0, "prob": 0.2 }, "The quick brown fox jumps", ["The quick brown fox jumsp"]],
  [{ "seed": 1, "prob": 1 }, "abcd ef", ["badc fe"]],
  [{ "seed": 2, "prob": 0.5 }, "naïve café", ["anvïe acfé"]],
  [{ "seed": 3, "prob": 0.5, "maxOutputs": 2 }, "swapping letters", [
    "wsapipgn lettres",
    "sawpipng letters",
  ]],
  [{ "seed": 4, "prob": 1 }, "👍🏽ab", ["a👍🏽b"]],
]);

sentenceCases(RandomUpper, [
  [{ "seed": 5 }, "the quick brown fox jumps over the lazy dog", [
    "the quick brown fOx jUmps ovEr tHe lazy dog",
  ]],
  [{ "seed": 1, "prob": 1 }, "straße", ["STRAßE"]],
  [{ "seed": 2, "prob": 0.5 }, "hello world", ["HEllO WOrLD"]],
  [{ "seed": 3, "prob": 0.5 }, "école ñandú", ["éCoLe ñaNDú"]],
  [{ "seed": 4, "prob": 1 }, "ALREADY UPPER", ["ALREADY UPPER"]],
]);

sentenceCases(LeetLetters, [
  [{ "seed": 0, "prob": 1 }, "Elite toast", ["31173 70457"]],
  [{ "seed": 1 }, "leetspeak is a gaming tradition", ["leetsp34k 1s a g4ming trad1t10n"]],
  [{ "seed": 2, "prob": 0.5 }, "Hello Sailor", ["H311o S4ilor"]],
  [{ "seed": 3, "prob": 1 }, "xyz", ["xy2"]],
  [{ "seed": 4, "prob": 1 }, "Zoé", ["20é"]],
]);

sentenceCases(DiacriticRemoval, [
  [{}, "Crème brûlée à Łódź ❤️", ["Creme brulee a Lodz ❤️"]],
  [{}, "naïve coöperation São Paulo", ["naive cooperation Sao Paulo"]],
  [{}, "Ærø Straße Œuvre", ["AEro Strasse OEuvre"]],
  [{}, "άλφα Ἀθῆναι", ["αλφα Αθηναι"]],
  [{}, "café 1️⃣ नमस्ते שָׁלוֹם", ["cafe 1️⃣ नमस्ते שָׁלוֹם"]],
]);

sentenceCases(SimpleCiphers, [
  [{}, "Hello, World!", ["Uryyb, Jbeyq!"]],
  [{ "cipher": "atbash" }, "abc XYZ", ["zyx CBA"]],
  [{ "cipher": "caesar", "seed": 1 }, "attack at dawn", ["nggnpx ng qnja"]],
  [{ "cipher": "reversed_words" }, "Hello café 👩‍👩‍👧", ["olleH éfac 👩‍👩‍👧"]],
  [{ "cipher": "random", "seed": 5, "maxOutputs": 3 }, "secret message", [
    "terces egassem",
    "hvxivg nvhhztv",
  ]],
]);

sentenceCases(VisualAttackLetters, [
  [{ "prob": 1 }, "easy", ["еаѕу"]],
  [{ "seed": 1 }, "Visual attack letters", ["Vіѕual attaсk lеtters"]],
  [{ "seed": 2, "prob": 0.5 }, "PASSWORD", ["ΡAЅЅWORD"]],
  [{ "seed": 3, "prob": 1 }, "xyz 123", ["хуz 123"]],
  [{ "seed": 4, "prob": 1 }, "ÉCOLE", ["ÉСΟLΕ"]],
]);

sentenceCases(OcrPerturbation, [
  [{ "prob": 1 }, "modern", ["rn0clcm"]],
  [{ "seed": 1, "prob": 0.3 }, "Optical character recognition is hard", [
    "Optical charaeter reeogriltl0ri is hard",
  ]],
  [{ "seed": 2, "prob": 0.5 }, "clear dim rooms", ["elear dirn r0orns"]],
  [{ "seed": 3, "prob": 1 }, "SOB", ["508"]],
  [{ "seed": 4, "prob": 0.2 }, "the old lighthouse", ["the olcl lighthousc"]],
]);

sentenceCases(AzertyQwertySwap, [
  [{}, "Amazing quiz", ["Qmqwing auiw"]],
  [{ "prob": 0.5, "seed": 1 }, "azerty qwerty", ["qzerty qzerty"]],
  [{}, "no swappable letters here? yes", ["no szqppqble letters here? yes"]],
  [{}, "ZAQW", ["WQAZ"]],
  [{ "prob": 0.5, "seed": 2, "maxOutputs": 2 }, "wizard", ["wiwqrd", "wizqrd"]],
]);

sentenceCases(UnderscoreTrick, [
  [{ "prob": 1 }, "to be or not", ["to_be_or_not"]],
  [{ "seed": 1 }, "the quick brown fox jumps", ["the_quick_brown fox jumps"]],
  [{ "seed": 2, "prob": 0.5 }, "a b c d e f", ["a b c_d e_f"]],
  [{ "prob": 1 }, "nospace", ["nospace"]],
  [{ "prob": 1 }, "tab\tstays", ["tab\tstays"]],
]);

sentenceCases(RemovePunctuation, [
  [{}, "Well-known, isn't it? Yes - «oui»!", ["Well-known isn't it Yes oui"]],
  [{}, "Hello, world.", ["Hello world"]],
  [{}, "(a) b; c: d... e!?", ["a b c d e"]],
  [{}, "don’t stop — ever", ["don’t stop ever"]],
  [{}, "no punctuation", ["no punctuation"]],
]);
