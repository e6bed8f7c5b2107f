import assert from "node:assert/strict";
import { PhraseTable } from "../../src/text/phrase_table.ts";

Deno.test("PhraseTable matches whole words, longest phrase first, case-insensitively", () => {
  const t = new PhraseTable([
    ["new york", ["NYC"]],
    ["new", ["novel"]],
    ["york", ["Y"]],
    ["can't", ["cannot"]],
  ]);
  assert.equal(t.size, 4);
  assert.deepEqual(t.findAll("New York is new; renew Yorkshire.").map((m) => [m.text, m.key]), [
    ["New York", "new york"],
    ["new", "new"],
  ]);
  assert.equal(t.replace("I can’t", (m) => m.candidates[0]), "I cannot", "curly apostrophe");
  assert.equal(t.replace("new café", (m) => (m.key === "new" ? null : "x")), "new café");
  assert.ok(t.has("NEW") && !t.has("old"));
  assert.deepEqual(t.get("York"), ["Y"]);
});

Deno.test("PhraseTable: case-sensitive tables, regex metacharacters, unicode boundaries", () => {
  const t = new PhraseTable(
    [["UN", ["United Nations"]], ["w/o", ["without"]], ["(c)", ["©"]]],
    true,
  );
  assert.equal(t.replace("un UN UNo", (m) => m.candidates[0]), "un United Nations UNo");
  assert.equal(t.replace("tea w/o milk", (m) => m.candidates[0]), "tea without milk");
  const u = new PhraseTable([["café", ["coffee"]]]);
  assert.equal(
    u.replace("Café cafés écafé café.", (m) => m.candidates[0]),
    "coffee cafés écafé coffee.",
  );
  assert.equal(new PhraseTable([]).replace("x", () => "y"), "x");
  const dup = new PhraseTable([["a", ["b"]], ["A", ["c", "b"]]]);
  assert.deepEqual(dup.get("a"), ["b", "c"]);
});
