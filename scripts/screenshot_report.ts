/**
 * Screenshots a `report.html` in headless Chromium, to check it renders in a real
 * browser (layout, fonts, inline SVG charts).
 *
 * ```sh
 * deno run -A scripts/screenshot_report.ts out/report.html --out report.png
 * deno run -A scripts/screenshot_report.ts --sample --out report.png   # a report from a test experiment
 * ```
 *
 * Needs Debian's `chromium` (`apt-get install -y chromium`) or `CHROMIUM=/path/to/chrome`.
 *
 * @example
 * ```ts
 * import { chromiumPath } from "./screenshot_report.ts";
 * console.log(chromiumPath() ?? "no chromium on this machine");
 * ```
 * @module
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The Chromium binary to use: `$CHROMIUM`, else the first of the usual paths that
 * exists, else `null`.
 *
 * @example
 * ```ts
 * import { chromiumPath } from "./screenshot_report.ts";
 * const path = chromiumPath();
 * console.log(path === null || path.length > 0); // true
 * ```
 */
export function chromiumPath(): string | null {
  const env = Deno.env.get("CHROMIUM");
  const candidates = [
    ...(env ? [env] : []),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ];
  for (const c of candidates) {
    try {
      if (Deno.statSync(c).isFile) return c;
    } catch { /* next */ }
  }
  return null;
}

/**
 * Options for {@linkcode screenshot}.
 *
 * @example
 * ```ts
 * import type { ScreenshotOptions } from "./screenshot_report.ts";
 * const o: ScreenshotOptions = { width: 1200, height: 2000 };
 * console.log(o.width); // 1200
 * ```
 */
export interface ScreenshotOptions {
  /** Window width in CSS pixels (default 1200). */
  width?: number;
  /** Window height in CSS pixels (default 2000). */
  height?: number;
  /** Give up after this many milliseconds (default 60 000). */
  timeoutMs?: number;
}

/**
 * Renders `htmlPath` in headless Chromium and writes a PNG screenshot to `pngPath`.
 * The browser runs offline-ish (no background networking, sync, QUIC or updates)
 * with a throwaway profile.
 *
 * @example
 * ```ts ignore
 * import { screenshot } from "./screenshot_report.ts";
 * await screenshot("out/report.html", "report.png");
 * ```
 */
export async function screenshot(
  htmlPath: string,
  pngPath: string,
  options: ScreenshotOptions = {},
): Promise<void> {
  const chromium = chromiumPath();
  if (!chromium) {
    throw new Error("chromium not found: apt-get install -y chromium, or set CHROMIUM");
  }
  const profile = await Deno.makeTempDir({ prefix: "gpusci-chromium-" });
  try {
    const cmd = new Deno.Command(chromium, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        `--user-data-dir=${profile}`,
        `--screenshot=${resolve(pngPath)}`,
        `--window-size=${options.width ?? 1200},${options.height ?? 2000}`,
        pathToFileURL(resolve(htmlPath)).href,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const { code, stderr } = await cmd.output();
    if (code !== 0) {
      throw new Error(
        `chromium exited with ${code}: ${new TextDecoder().decode(stderr).slice(-2000)}`,
      );
    }
    await Deno.stat(pngPath);
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

async function sampleReport(): Promise<string> {
  const { fakeExperiment } = await import("../tests/report/fake_experiment.ts");
  const { runSuite } = await import("../src/report/runner.ts");
  const { resolveConfig } = await import("../src/report/config.ts");
  const { plannedExperiments } = await import("../src/experiments.ts");
  const outRoot = await Deno.makeTempDir({ prefix: "gpusci-report-" });
  const ok = fakeExperiment("fake-demo");
  const failing = fakeExperiment("fake-failure");
  await runSuite([
    { experiment: ok, config: resolveConfig(ok, { preset: "quick", sets: ["widths=8,16,32"] }) },
    { experiment: failing, config: resolveConfig(failing, { sets: ["fail=true"] }) },
  ], {
    outRoot,
    preset: "quick",
    adapter: "llvmpipe (sample)",
    write: () => {},
    planned: plannedExperiments.slice(0, 4),
  });
  return `${outRoot}/report.html`;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string", default: "report.png" },
      sample: { type: "boolean" },
      width: { type: "string", default: "1200" },
      height: { type: "string", default: "2000" },
    },
    allowPositionals: true,
  });
  const html = values.sample ? await sampleReport() : positionals[0] ?? "out/report.html";
  await screenshot(html, values.out!, {
    width: Number(values.width),
    height: Number(values.height),
  });
  console.log(`screenshot of ${html} written to ${values.out}`);
}
