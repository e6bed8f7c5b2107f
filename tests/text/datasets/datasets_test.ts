import assert from "node:assert/strict";
import { splitLabelled } from "../../../src/text/datasets/labelled_split.ts";
import { loadSentimentSentences } from "../../../src/text/datasets/sentiment_sentences.ts";
import { emailBody, loadSpamAssassin } from "../../../src/text/datasets/spam_assassin.ts";

Deno.test("loadSpamAssassin: seeded split, labels from groups, bodies cut to maxChars", () => {
  const a = loadSpamAssassin({ seed: 3, evalSize: 100, trainSize: 300, maxChars: 500 });
  const b = loadSpamAssassin({ seed: 3, evalSize: 100, trainSize: 300, maxChars: 500 });
  const c = loadSpamAssassin({ seed: 4, evalSize: 100, trainSize: 300, maxChars: 500 });
  assert.equal(a.eval.length, 100);
  assert.equal(a.train.length, 300);
  assert.deepEqual(a.eval, b.eval);
  assert.notDeepEqual(a.eval, c.eval);
  const evalSet = new Set(a.eval);
  assert.ok(a.train.every((e) => !evalSet.has(e)), "train and eval are disjoint");
  for (const e of [...a.eval, ...a.train]) {
    assert.ok(e.target === "spam" || e.target === "ham");
    assert.ok(e.sentence.length > 0 && e.sentence.length <= 500);
    assert.ok(!/^(Return-Path|Received|From ):/m.test(e.sentence.slice(0, 40)));
  }
  const spamShare = a.eval.filter((e) => e.target === "spam").length / 100;
  assert.ok(spamShare > 0.15 && spamShare < 0.5, `${spamShare}`); // 1,896 of 6,046 are spam
  assert.throws(() => loadSpamAssassin({ evalSize: 0 }), /option evalSize = 0/);
});

Deno.test("emailBody drops headers, HTML and entities", () => {
  assert.equal(
    emailBody("Subject: hi\r\nFrom: a@b\r\n\r\n<p>Hello&nbsp;there &amp; you</p>\n\nBye"),
    "Hello there & you Bye",
  );
  assert.equal(emailBody("no headers at all"), "no headers at all");
  assert.equal(emailBody("H: x\n\n<style>p{}</style><script>x()</script>Body"), "Body");
});

Deno.test("loadSentimentSentences: three sources, balanced labels, seeded split", () => {
  const all = loadSentimentSentences({ evalSize: 500 });
  assert.equal(all.eval.length, 500);
  assert.ok(all.train.length + all.eval.length >= 2990);
  const yelp = loadSentimentSentences({ source: "yelp", evalSize: 100 });
  assert.equal(yelp.eval.length + yelp.train.length, 1000);
  const pos = yelp.eval.concat(yelp.train).filter((e) => e.target === "positive").length;
  assert.equal(pos, 500);
  assert.deepEqual(
    loadSentimentSentences({ source: "imdb", evalSize: 10 }).eval,
    loadSentimentSentences({ source: "imdb", evalSize: 10 }).eval,
  );
});

Deno.test("splitLabelled caps sizes and never overlaps", () => {
  const data = Array.from(
    { length: 10 },
    (_, i) => ({ kind: "sentence_and_target" as const, sentence: `s${i}`, target: "x" }),
  );
  const s = splitLabelled(data, 1, 4, 3);
  assert.equal(s.eval.length, 4);
  assert.equal(s.train.length, 3);
  assert.equal(new Set([...s.eval, ...s.train].map((e) => e.sentence)).size, 7);
  assert.equal(splitLabelled(data, 1, 50).eval.length, 10);
});
