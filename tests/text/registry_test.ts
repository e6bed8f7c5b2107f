import assert from "node:assert/strict";
import { InvalidArgumentError, UnknownNameError } from "../../src/errors.ts";
import { Filter } from "../../src/text/filter.ts";
import { createOperation, getOperation, listOperations } from "../../src/text/registry.ts";
import { Transformation } from "../../src/text/transformation.ts";

Deno.test("listOperations filters by type, task, language, keyword, kind and search", () => {
  const all = listOperations();
  assert.equal(all.length, listOperations({ includeHeavy: true }).length);
  const transforms = listOperations({ type: "transformation" });
  const filters = listOperations({ type: "filter" });
  assert.equal(transforms.length + filters.length, all.length);
  assert.deepEqual(
    listOperations({ type: "transformation", kind: "tagging" }).map((e) => e.info.name),
    ["entity_mention_replacement", "shuffle_within_segments"],
  );
  assert.deepEqual(
    listOperations({ type: "transformation", kind: "key_value" }).map((e) => e.info.name),
    ["key_value_shuffle"],
  );
  const qa = listOperations({ task: "question_answering", type: "filter" }).map((e) => e.info.name);
  assert.ok(qa.includes("question_type_filter") && qa.includes("quantitative_question_filter"));
  // "all" languages match any language; English-only operations do not match Hebrew.
  const he = listOperations({ language: "he" }).map((e) => e.info.name);
  assert.ok(he.includes("swap_characters") && !he.includes("butter_fingers"));
  assert.ok(listOperations({ keyword: "noise" }).every((e) => e.info.keywords.includes("noise")));
  assert.deepEqual(
    listOperations({ search: "EMOJI" }).map((e) => e.info.name),
    ["emojify", "sentiment_emoji", "emoji_filter"],
  );
  assert.deepEqual(listOperations({ search: "no such thing" }), []);
});

Deno.test("getOperation / createOperation build typed instances; unknown names suggest", () => {
  const t = createOperation("butter_fingers", { prob: 0.2, seed: 4 });
  assert.ok(t instanceof Transformation);
  assert.equal(t.seed, 4);
  assert.ok(createOperation("numeric_filter") instanceof Filter);
  assert.equal(getOperation("keywords_filter").type, "filter");
  assert.throws(
    () => getOperation("buter_fingers"),
    (e: Error) => e instanceof UnknownNameError && /did you mean: butter_fingers/.test(e.message),
  );
  assert.throws(() => createOperation("keywords_filter"), InvalidArgumentError);
  assert.ok(
    getOperation("keywords_filter").create({ ...getOperation("keywords_filter").exampleOptions }),
  );
});
