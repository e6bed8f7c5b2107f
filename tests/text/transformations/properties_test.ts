// Behavioural properties of individual transformations, checked over many seeds.
import assert from "node:assert/strict";
import { keyboardNeighbors } from "../../../src/text/lexicons/keyboard_layouts.ts";
import { AmericanizeBritishize } from "../../../src/text/transformations/americanize_britishize.ts";
import { ButterFingers } from "../../../src/text/transformations/butter_fingers.ts";
import { ChangeCharCase } from "../../../src/text/transformations/change_char_case.ts";
import { Contraction } from "../../../src/text/transformations/contraction.ts";
import { ContractionExpansion } from "../../../src/text/transformations/contraction_expansion.ts";
import { DiacriticRemoval } from "../../../src/text/transformations/diacritic_removal.ts";
import { GenderSwap } from "../../../src/text/transformations/gender_swap.ts";
import { LeetLetters } from "../../../src/text/transformations/leet_letters.ts";
import { RandomDeletion } from "../../../src/text/transformations/random_deletion.ts";
import { RandomSwap } from "../../../src/text/transformations/random_swap.ts";
import { SimpleCiphers } from "../../../src/text/transformations/simple_ciphers.ts";
import { WhitespacePerturbation } from "../../../src/text/transformations/whitespace_perturbation.ts";
import { words } from "../../../src/text/words.ts";

const TEXT = "The quick brown fox jumps over the lazy dog while Zoe types quickly";

Deno.test("butter_fingers: every typo is a neighbouring key of the layout, case kept", () => {
  for (const layout of ["qwerty", "azerty", "qwertz", "dvorak"] as const) {
    const near = keyboardNeighbors(layout);
    for (let seed = 0; seed < 20; seed++) {
      const [out] = new ButterFingers({ prob: 0.5, seed, layout }).generateText(TEXT);
      assert.equal(out.length, TEXT.length);
      for (let i = 0; i < TEXT.length; i++) {
        if (out[i] === TEXT[i]) continue;
        const a = TEXT[i], b = out[i];
        assert.equal(a === a.toUpperCase(), b === b.toUpperCase(), "case kept");
        assert.ok(near.get(a.toLowerCase())!.includes(b.toLowerCase()), `${layout}: ${a}->${b}`);
      }
    }
  }
});

Deno.test("butter_fingers: the typo rate follows prob", () => {
  const text = "abcdefghijklmnopqrstuvwxyz".repeat(400);
  for (const prob of [0.05, 0.3]) {
    const [out] = new ButterFingers({ prob, seed: 1 }).generateText(text);
    let changed = 0;
    for (let i = 0; i < text.length; i++) if (out[i] !== text[i]) changed++;
    const rate = changed / text.length;
    // Each letter is redrawn with probability prob; a neighbour is never the letter itself.
    assert.ok(Math.abs(rate - prob) < 4 * Math.sqrt(prob * (1 - prob) / text.length), `${rate}`);
  }
});

Deno.test("keyboard neighbours are symmetric and exclude the key itself", () => {
  for (const layout of ["qwerty", "azerty", "qwertz", "dvorak"] as const) {
    const near = keyboardNeighbors(layout);
    assert.equal(near.size, 26, layout);
    for (const [k, ns] of near) {
      assert.ok(!ns.includes(k));
      for (const n of ns) assert.ok(near.get(n)!.includes(k), `${layout}: ${k}~${n}`);
    }
  }
});

Deno.test("change_char_case with prob 1 is an involution", () => {
  const op = new ChangeCharCase({ prob: 1 });
  for (const t of [TEXT, "École ÑANDÚ straße", "e\u0301X"]) {
    assert.equal(op.generateText(op.generateText(t)[0])[0], t);
  }
});

Deno.test("whitespace_perturbation only adds or removes spaces", () => {
  for (let seed = 0; seed < 10; seed++) {
    const [out] = new WhitespacePerturbation({ seed, addProb: 0.2, removeProb: 0.5 }).generateText(
      TEXT,
    );
    assert.equal(out.replace(/ /g, ""), TEXT.replace(/ /g, ""));
  }
});

Deno.test("leet_letters only writes digits for its letters", () => {
  const [out] = new LeetLetters({ prob: 1 }).generateText("abegilostz ABEGILOSTZ cdfh");
  assert.equal(out, "4839110572 4839110572 cdfh");
});

Deno.test("diacritic_removal leaves no combining marks on Latin letters", () => {
  const [out] = new DiacriticRemoval().generateText("Ångström Dvořák Nguyễn Şişli façade");
  assert.equal(out, "Angstrom Dvorak Nguyen Sisli facade");
  assert.ok(!/[\p{Script=Latin}]\p{M}/u.test(out.normalize("NFD")));
});

Deno.test("simple_ciphers: ROT13 and Atbash are involutions; Caesar shifts every letter alike", () => {
  for (const cipher of ["rot13", "atbash"] as const) {
    const op = new SimpleCiphers({ cipher });
    assert.equal(op.generateText(op.generateText(TEXT)[0])[0], TEXT);
  }
  for (let seed = 0; seed < 5; seed++) {
    const [out] = new SimpleCiphers({ cipher: "caesar", seed }).generateText("abc xyz");
    const k = (out.charCodeAt(0) - 97 + 26) % 26;
    assert.ok(k >= 1 && k <= 25);
    const shift = (c: string) => String.fromCharCode(97 + (c.charCodeAt(0) - 97 + k) % 26);
    assert.equal(out, [..."abc xyz"].map((c) => (c === " " ? c : shift(c))).join(""));
  }
});

Deno.test("random_deletion keeps at least one word and never invents words", () => {
  for (let seed = 0; seed < 30; seed++) {
    const [out] = new RandomDeletion({ prob: 0.9, seed }).generateText(TEXT);
    const ws = words(out);
    assert.ok(ws.length >= 1);
    const src = words(TEXT);
    let j = 0;
    for (const w of ws) {
      while (j < src.length && src[j] !== w) j++;
      assert.ok(j < src.length, "kept words are a subsequence of the input");
      j++;
    }
  }
});

Deno.test("random_swap permutes the words and keeps everything else in place", () => {
  for (let seed = 0; seed < 30; seed++) {
    const [out] = new RandomSwap({ ratio: 0.3, seed }).generateText("a, b; c d! e");
    assert.deepEqual(words(out).toSorted(), ["a", "b", "c", "d", "e"]);
    assert.equal(out.replace(/\w/g, "_"), "_, _; _ _! _");
  }
});

Deno.test("contraction and expansion undo each other on common phrases", () => {
  const expanded = "I am sure they are not here and we will not go; she is late.";
  const [contracted] = new Contraction().generateText(expanded);
  assert.equal(contracted, "I'm sure they're not here and we won't go; she's late.");
  assert.equal(new ContractionExpansion().generateText(contracted)[0], expanded);
});

Deno.test("gender_swap twice returns unambiguous sentences unchanged", () => {
  const op = new GenderSwap();
  for (const t of ["The king and his son met the queen.", "She told him about her uncle."]) {
    const once = op.generateText(t)[0];
    assert.notEqual(once, t);
    assert.equal(op.generateText(once)[0], t);
  }
});

Deno.test("americanize_britishize to_british then to_american round-trips", () => {
  const us = "The organization analyzed the color of the theater's center.";
  const br = new AmericanizeBritishize({ direction: "to_british" }).generateText(us)[0];
  assert.equal(br, "The organisation analysed the colour of the theatre's centre.");
  assert.equal(new AmericanizeBritishize({ direction: "to_american" }).generateText(br)[0], us);
});

Deno.test("transformation options are validated: field, value and expectation named", () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () => new ButterFingers({ prob: 1.5 }),
      /butter_fingers: option prob = 1.5: .*<=1/,
    ],
    [
      () => new ButterFingers({ layout: "colemak" as never }),
      /option layout = "colemak"/,
    ],
    [() => new ButterFingers({ seed: 0.5 }), /option seed = 0.5/],
    [() => new ButterFingers({ maxOutputs: 0 }), /option maxOutputs = 0/],
    [() => new LeetLetters({ probability: 1 } as never), /probability not recognised/],
    [() => new SimpleCiphers({ cipher: "vigenere" as never }), /option cipher = "vigenere"/],
  ];
  for (const [make, message] of cases) {
    assert.throws(make, (e: Error) => e.name === "InvalidArgumentError" && message.test(e.message));
  }
});
