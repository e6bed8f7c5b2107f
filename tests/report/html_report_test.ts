import assert from "node:assert/strict";
import { inlineSvg, renderHtmlReport, writeHtmlReport } from "../../src/report/html_report.ts";
import { collectRuns } from "../../src/report/report_data.ts";
import { runSuite } from "../../src/report/runner.ts";
import { resolveConfig } from "../../src/report/config.ts";
import { fakeExperiment } from "./fake_experiment.ts";

const planned = [
  { name: "sde-gmm", module: "sde", description: "Score SDE on a Gaussian mixture" },
  { name: "bnn-ess", module: "bnn", description: "Wide-BNN ESS" },
];

Deno.test("report.html: every experiment run, the planned ones, self-contained", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const a = fakeExperiment("alpha");
    const b = fakeExperiment("beta");
    const c = fakeExperiment("gamma");
    const items = [a, b, c].map((e) => ({
      experiment: e,
      config: resolveConfig(e, { preset: "quick", sets: e === c ? ["fail=true"] : [] }),
    }));
    await runSuite(items, { outRoot, write: () => {}, planned, adapter: "Test GPU <v1>" });
    const html = await Deno.readTextFile(`${outRoot}/report.html`);
    for (const name of ["alpha", "beta", "gamma"]) {
      assert.match(html, new RegExp(`<section class="experiment" id="exp-${name}">`));
    }
    // order follows the run order
    assert.ok(html.indexOf('id="exp-alpha"') < html.indexOf('id="exp-beta"'));
    // claim, metrics, key metric, charts, images, tables, notes, adapter (escaped)
    assert.match(html, /Wider fake networks reach a lower fake loss\./);
    assert.match(html, /<tr class="key"><th scope="row">final_loss/);
    assert.match(html, /<table class="sub"><tr><th>8<\/th><th>16<\/th><\/tr>/);
    assert.equal((html.match(/<svg class="chart"/g) ?? []).length, 2);
    assert.match(html, />Training step<\/text>/);
    assert.match(html, /<img src="data:image\/png;base64,iVBORw0KGgo/);
    assert.match(html, /<h3>Final loss by width<\/h3>/);
    assert.match(html, /<li>label: fake<\/li>/);
    assert.match(html, /Test GPU &lt;v1&gt;/);
    // the failure is shown with its error; planned experiments are listed
    assert.match(html, /<pre class="error">Error: fake failure requested<\/pre>/);
    assert.match(html, /badge failed/);
    for (const p of planned) assert.ok(html.includes(p.name) && html.includes(p.description));
    assert.match(html, /Not yet implemented/);
    // self-contained: no scripts, no external resources
    assert.ok(!/<script/i.test(html));
    assert.ok(!/(src|href)="(https?:)?\/\//i.test(html));
    assert.ok(!/@import|url\(https?:/i.test(html));
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("the report is rebuilt from disk: separate runs appear together", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    for (const name of ["one", "two"]) {
      const e = fakeExperiment(name);
      await runSuite([{ experiment: e, config: resolveConfig(e, { preset: "quick" }) }], {
        outRoot,
        write: () => {},
      });
    }
    const runs = await collectRuns(outRoot);
    assert.deepEqual(runs.map((r) => r.manifest.name), ["one", "two"]);
    assert.equal(runs[0].tables[0].table?.numRows(), 2);
    const html = await Deno.readTextFile(`${outRoot}/report.html`);
    assert.match(html, /id="exp-one"/);
    assert.match(html, /id="exp-two"/);
    // a missing chart file is reported, not fatal
    await Deno.remove(`${outRoot}/one/loss-curve.svg`);
    await writeHtmlReport(outRoot);
    assert.match(await Deno.readTextFile(`${outRoot}/report.html`), /chart file missing/);
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("an empty report still renders, listing planned experiments", () => {
  const html = renderHtmlReport({ runs: [], planned, generated: new Date(0) });
  assert.match(html, /Generated 1970-01-01 00:00:00 UTC/);
  assert.match(html, /\(no runs yet\)/);
  assert.equal((html.match(/not yet implemented/g) ?? []).length >= 2, true);
});

Deno.test("inlineSvg prefixes ids and their references", () => {
  const svg = '<?xml version="1.0"?>\n<svg width="1"><defs><clipPath id="clip1"/></defs>' +
    '<g clip-path="url(#clip1)"/><use href="#clip1"/></svg>';
  const out = inlineSvg(svg, "exp a", 'a "chart"');
  assert.equal(
    out,
    '<svg class="chart" role="img" aria-label="a &quot;chart&quot;" width="1"><defs>' +
      '<clipPath id="exp_a-clip1"/></defs><g clip-path="url(#exp_a-clip1)"/>' +
      '<use href="#exp_a-clip1"/></svg>',
  );
});
