import assert from "node:assert/strict";
import { chartToSvg, renderChart, themed } from "../../src/report/chart.ts";
import { pngSize, svgToPng } from "../../src/report/png.ts";

const spec = {
  title: "Loss by width",
  data: {
    values: [0, 1, 2, 3].flatMap((s) =>
      ["32", "64"].map((w) => ({ step: s, width: w, loss: 1 / (1 + s) }))
    ),
  },
  mark: "line",
  encoding: {
    x: { field: "step", type: "quantitative", title: "Training step" },
    y: { field: "loss", type: "quantitative", title: "Test loss" },
    color: { field: "width", type: "nominal", title: "Width" },
  },
};

/** Tags nest properly and the root is one <svg> element (a small XML well-formedness check). */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  let roots = 0;
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)(?:\s[^>]*?)?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the open element`);
    else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  assert.deepEqual(stack, [], "every element is closed");
  assert.equal(roots, 1, "one root element");
  assert.ok(!/<(?![a-zA-Z/!?])/.test(xml), "no stray '<'");
}

function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  assert.ok(m, "svg has width and height");
  return { width: Number(m[1]), height: Number(m[2]) };
}

Deno.test("chartToSvg: a valid SVG document with axis titles and the DejaVu font", async () => {
  const svg = await chartToSvg(spec);
  assert.ok(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"));
  assert.match(svg, /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const text of ["Training step", "Test loss", "Width", "Loss by width"]) {
    assert.ok(svg.includes(`>${text}</text>`), `axis/legend/title text "${text}" in SVG`);
  }
  assert.match(svg, /font-family="&quot;DejaVu Sans&quot;/);
  assertWellFormed(svg);
  const { width, height } = svgSize(svg);
  assert.ok(width >= 400 && width <= 800, `width ${width}`);
  assert.ok(height >= 250 && height <= 500, `height ${height}`);
});

Deno.test("renderChart: PNG is the SVG size times the scale, and text is drawn", async () => {
  const { svg, png } = await renderChart(spec, { scale: 2 });
  const s = svgSize(svg);
  assert.deepEqual(pngSize(png), {
    width: Math.round(s.width * 2),
    height: Math.round(s.height * 2),
  });
  // The same SVG without its text renders to different pixels: the fonts were used.
  const noText = svg.replace(/<text[^>]*>[^<]*<\/text>/g, "");
  const blank = await svgToPng(noText, { scale: 2 });
  assert.notDeepEqual(png, blank);
  assert.ok(png.length > blank.length, "text adds detail to the PNG");
});

Deno.test("themed: the spec's own config wins over the theme", () => {
  const t = themed({ mark: "point", config: { axis: { titleFontSize: 20 } } });
  const axis = (t.config as { axis: Record<string, unknown> }).axis;
  assert.equal(axis.titleFontSize, 20);
  assert.equal(axis.labelFontSize, 12);
  assert.match(String((t.config as { font: string }).font), /DejaVu Sans/);
});

Deno.test("chartToSvg: an invalid spec gives an InvalidArgumentError", async () => {
  await assert.rejects(chartToSvg({ mark: { type: "nonsense" } }), {
    name: "InvalidArgumentError",
    message: /invalid vega-lite spec/,
  });
});

Deno.test("pngSize rejects non-PNG bytes", () => {
  assert.throws(() => pngSize(new Uint8Array(30)), /not a PNG/);
});
