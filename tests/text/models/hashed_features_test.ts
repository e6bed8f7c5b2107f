import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../../src/errors.ts";
import { hashString } from "../../../src/text/hash.ts";
import { hashedBagOfWords } from "../../../src/text/models/hashed_features.ts";

Deno.test("hashedBagOfWords: unit-norm rows, sorted in-range columns, uni+bigrams, lower case", () => {
  const m = hashedBagOfWords(["Win money now!", "", "win WIN"], 1024);
  assert.equal(m.rows, 3);
  assert.equal(m.indptr.length, 4);
  for (let i = 0; i < m.rows; i++) {
    let norm = 0;
    for (let k = m.indptr[i]; k < m.indptr[i + 1]; k++) {
      assert.ok(m.indices[k] >= 0 && m.indices[k] < 1024);
      if (k > m.indptr[i]) assert.ok(m.indices[k] > m.indices[k - 1]);
      norm += m.values[k] ** 2;
    }
    if (m.indptr[i + 1] > m.indptr[i]) assert.ok(Math.abs(norm - 1) < 1e-12);
  }
  assert.equal(m.indptr[2] - m.indptr[1], 0, "empty text, empty row");
  const cols = Array.from(m.indices.slice(m.indptr[0], m.indptr[1]));
  for (const f of ["win", "money", "now", "!", "win money", "money now", "now !"]) {
    assert.ok(cols.includes(hashString(f) % 1024), f);
  }
  // "win WIN": one unigram counted twice (log1p(2)) and one bigram (log1p(1)).
  const v = Array.from(m.values.slice(m.indptr[2], m.indptr[3])).toSorted();
  const a = Math.log1p(2), b = Math.log1p(1), n = Math.hypot(a, b);
  assert.ok(Math.abs(v[0] - b / n) < 1e-12 && Math.abs(v[1] - a / n) < 1e-12);
  assert.throws(() => hashedBagOfWords(["x"], 0), InvalidArgumentError);
});
