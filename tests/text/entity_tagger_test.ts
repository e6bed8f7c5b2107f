import assert from "node:assert/strict";
import { ClassificationAdapter } from "../../src/text/classification_adapter.ts";
import { tagEntities } from "../../src/text/entity_tagger.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { SentenceReordering } from "../../src/text/transformations/sentence_reordering.ts";
import { EntityMentionReplacement } from "../../src/text/transformations/entity_mention_replacement.ts";
import { RedundantContext } from "../../src/text/transformations/redundant_context.ts";
import { ShuffleWithinSegments } from "../../src/text/transformations/shuffle_within_segments.ts";

Deno.test("tagEntities: BIO tags for people, places, organizations; punctuation tokens", () => {
  const e = tagEntities("Barack Obama visited Microsoft in New York, then left.");
  assert.deepEqual(e.tokens, [
    "Barack",
    "Obama",
    "visited",
    "Microsoft",
    "in",
    "New",
    "York",
    ",",
    "then",
    "left",
    ".",
  ]);
  assert.deepEqual(e.tags, [
    "B-PER",
    "I-PER",
    "O",
    "B-ORG",
    "O",
    "B-LOC",
    "I-LOC",
    "O",
    "O",
    "O",
    "O",
  ]);
  assert.deepEqual(tagEntities(""), { kind: "tagging", tokens: [], tags: [] });
});

Deno.test("ClassificationAdapter runs tagging and QA operations on labelled texts", () => {
  const ex = {
    kind: "sentence_and_target" as const,
    sentence: "Ann Lee flew to Paris.",
    target: "travel",
  };
  const viaTags = new ClassificationAdapter(
    new EntityMentionReplacement({ prob: 1, mentions: { LOC: ["Lima"], PER: ["Bo Chen"] } }),
  );
  assert.equal(viaTags.via, "tagging");
  assert.deepEqual(viaTags.generate(ex), [{ ...ex, sentence: "Bo Chen flew to Lima ." }]);
  const unchanged = new ClassificationAdapter(new ShuffleWithinSegments({ prob: 0 }));
  assert.deepEqual(unchanged.generate(ex), [ex], "unchanged tokens keep the original text");
  const viaQa = new ClassificationAdapter(new RedundantContext());
  assert.equal(viaQa.via, "question_answer");
  assert.equal(
    (viaQa.generate(ex)[0] as typeof ex).sentence,
    "Ann Lee flew to Paris. Ann Lee flew to Paris.",
  );
  assert.equal(viaQa.generate(ex)[0].kind, "sentence_and_target");
  assert.throws(() => new ClassificationAdapter(new SentenceReordering()), InvalidArgumentError);
});
