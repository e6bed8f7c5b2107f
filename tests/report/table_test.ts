import assert from "node:assert/strict";
import * as aq from "arquero";
import { formatNumber, formatValue } from "../../src/report/format.ts";
import { tableCells, tableToCsv, tableToMarkdown, tableToText } from "../../src/report/table.ts";

Deno.test("formatNumber: integers exact, others ~4 significant digits", () => {
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(-17), "-17");
  assert.equal(formatNumber(3.14159265), "3.142");
  assert.equal(formatNumber(0.5), "0.5");
  assert.equal(formatNumber(12345.678), "12346");
  assert.equal(formatNumber(0.001234567), "0.001235");
  assert.equal(formatNumber(1.234e-7), "1.234e-7");
  assert.equal(formatNumber(2.5e20), "2.5e20");
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(-Infinity), "-Infinity");
});

Deno.test("formatValue: objects, null, dates", () => {
  assert.equal(formatValue({ "32": 1.41421, "64": 2 }), "32: 1.414, 64: 2");
  assert.equal(formatValue(undefined), "");
  assert.equal(formatValue(new Date(0)), "1970-01-01T00:00:00.000Z");
  assert.equal(formatValue("x"), "x");
});

const t = aq.table({ name: ["a", "b|c", "dd"], acc: [0.91234, 0.5, null], n: [1, 20, 300] });

Deno.test("tableCells: numeric columns detected, nulls allowed", () => {
  const { columns, rows, numeric } = tableCells(t);
  assert.deepEqual(columns, ["name", "acc", "n"]);
  assert.deepEqual(numeric, [false, true, true]);
  assert.deepEqual(rows[2], ["dd", "", "300"]);
});

Deno.test("tableToMarkdown: header, alignment row, escaped pipes, rounded numbers", () => {
  const md = tableToMarkdown(t).trimEnd().split("\n");
  assert.equal(md[0], "| name | acc | n |");
  assert.equal(md[1], "| :--- | ---: | ---: |");
  assert.equal(md[2], "| a | 0.9123 | 1 |");
  assert.equal(md[3], "| b\\|c | 0.5 | 20 |");
  assert.equal(md.length, 5);
});

Deno.test("tableToCsv: full precision, quoting, empty cells for null", () => {
  const csv = tableToCsv(aq.table({ x: [0.123456789, null], s: ['say "hi", ok', "plain"] }));
  assert.equal(csv, 'x,s\n0.123456789,"say ""hi"", ok"\n,plain\n');
});

Deno.test("tableToText: aligned columns, numbers right-aligned", () => {
  const lines = tableToText(t).trimEnd().split("\n");
  assert.equal(lines.length, 5);
  assert.match(lines[1], /^─+ {2}─+ {2}─+$/);
  // every line has the columns at the same offsets
  assert.equal(lines[0], "name     acc    n");
  assert.equal(lines[2], "a     0.9123    1");
  assert.equal(lines[4], "dd            300");
});
