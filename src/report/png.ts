/**
 * SVG to PNG with resvg (WebAssembly, via npm), with fonts passed explicitly so text
 * renders the same on every machine.
 *
 * The resvg WebAssembly binary is looked up, in order: the `wasm` option, the
 * `GPUSCI_RESVG_WASM` environment variable, `index_bg.wasm` beside the resolved
 * `@resvg/resvg-wasm` module (works with `"nodeModulesDir": "auto"`), Node resolution
 * from this module, and `./node_modules/@resvg/resvg-wasm/index_bg.wasm` under the
 * working directory. Users importing gpusci from JSR need `@resvg/resvg-wasm` in a
 * local `node_modules` (`"nodeModulesDir": "auto"` in their deno.json) or the env variable.
 *
 * @example
 * ```ts
 * import { pngSize, svgToPng } from "./png.ts";
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">' +
 *   '<rect width="40" height="20" fill="teal"/></svg>';
 * const png = await svgToPng(svg, { scale: 2 });
 * console.log(pngSize(png)); // { width: 80, height: 40 }
 * ```
 * @module
 */

import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { createRequire } from "node:module";
import { GpusciError, InvalidArgumentError } from "../errors.ts";

/**
 * Font files tried, in order, when none are given: DejaVu Sans (Debian/Ubuntu,
 * Fedora, Arch, Homebrew) then common system sans-serif fonts.
 *
 * @example
 * ```ts
 * import { DEFAULT_FONT_FILES } from "./png.ts";
 * console.log(DEFAULT_FONT_FILES[0]); // "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
 * ```
 */
export const DEFAULT_FONT_FILES: readonly string[] = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/opt/homebrew/share/fonts/DejaVuSans.ttf",
  "/System/Library/Fonts/Supplemental/Arial.ttf",
  "C:\\Windows\\Fonts\\arial.ttf",
];

/**
 * Options for {@linkcode svgToPng}.
 *
 * @example
 * ```ts
 * import type { PngOptions } from "./png.ts";
 * const opts: PngOptions = { scale: 2, background: "white" };
 * console.log(opts.scale); // 2
 * ```
 */
export interface PngOptions {
  /** Pixel density: 2 renders a 400-wide SVG as an 800-pixel PNG (default 2). */
  scale?: number;
  /** Background colour (CSS), default `"white"`. */
  background?: string;
  /** Font files to load (default: the first of {@linkcode DEFAULT_FONT_FILES} that exists, plus its bold face). */
  fontFiles?: string[];
  /** The resvg `index_bg.wasm` bytes or path, if it cannot be found automatically. */
  wasm?: Uint8Array | string;
}

let wasmReady: Promise<void> | null = null;
const fontCache = new Map<string, Uint8Array[]>();

function wasmCandidates(): string[] {
  const out: string[] = [];
  const env = Deno.env.get("GPUSCI_RESVG_WASM");
  if (env) out.push(env);
  try {
    const url = new URL(import.meta.resolve("@resvg/resvg-wasm"));
    if (url.protocol === "file:") {
      out.push(decodeURIComponent(new URL("./index_bg.wasm", url).pathname));
    }
  } catch { /* not resolvable from here */ }
  try {
    if (import.meta.url.startsWith("file:")) {
      out.push(createRequire(import.meta.url).resolve("@resvg/resvg-wasm/index_bg.wasm"));
    }
  } catch { /* no node_modules beside this module */ }
  out.push(`${Deno.cwd()}/node_modules/@resvg/resvg-wasm/index_bg.wasm`);
  return out;
}

async function loadWasm(wasm?: Uint8Array | string): Promise<void> {
  if (wasmReady) return wasmReady;
  wasmReady = (async () => {
    let bytes: Uint8Array | null = wasm instanceof Uint8Array ? wasm : null;
    const tried: string[] = [];
    for (const path of typeof wasm === "string" ? [wasm] : bytes ? [] : wasmCandidates()) {
      tried.push(path);
      try {
        bytes = await Deno.readFile(path);
        break;
      } catch { /* try the next */ }
    }
    if (!bytes) {
      throw new GpusciError(
        `svgToPng: cannot find the resvg WebAssembly file (index_bg.wasm); tried ${
          tried.join(", ")
        }. Set "nodeModulesDir": "auto" and run \`deno install\`, or set GPUSCI_RESVG_WASM`,
      );
    }
    await initWasm(bytes);
  })();
  try {
    await wasmReady;
  } catch (e) {
    wasmReady = null;
    throw e;
  }
}

async function loadFonts(files?: string[]): Promise<Uint8Array[]> {
  const key = (files ?? []).join("\n");
  const cached = fontCache.get(key);
  if (cached) return cached;
  const fonts: Uint8Array[] = [];
  if (files) {
    for (const f of files) fonts.push(await Deno.readFile(f));
  } else {
    for (const f of DEFAULT_FONT_FILES) {
      try {
        fonts.push(await Deno.readFile(f));
      } catch {
        continue;
      }
      const bold = f.replace(/\.ttf$/, "-Bold.ttf");
      try {
        fonts.push(await Deno.readFile(bold));
      } catch { /* bold face is optional */ }
      break;
    }
  }
  if (fonts.length === 0) {
    throw new GpusciError(
      `svgToPng: no font found (tried ${DEFAULT_FONT_FILES.join(", ")}); ` +
        "install fonts-dejavu-core or pass fontFiles",
    );
  }
  fontCache.set(key, fonts);
  return fonts;
}

/**
 * Renders an SVG document to PNG bytes.
 *
 * @example
 * ```ts
 * import { svgToPng } from "./png.ts";
 * const png = await svgToPng(
 *   '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', { scale: 1 },
 * );
 * console.log(png[1] === 0x50); // true ("PNG" signature)
 * ```
 */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) {
    throw new InvalidArgumentError(`svgToPng: scale must be in (0, 16], got ${scale}`);
  }
  await loadWasm(options.wasm);
  const fontBuffers = await loadFonts(options.fontFiles);
  const resvg = new Resvg(
    svg,
    {
      fitTo: { mode: "zoom", value: scale },
      background: options.background ?? "white",
      font: {
        fontBuffers,
        loadSystemFonts: false,
        defaultFontFamily: "DejaVu Sans",
        sansSerifFamily: "DejaVu Sans",
      },
    } as ConstructorParameters<typeof Resvg>[1],
  );
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}

/**
 * Reads a PNG's pixel width and height from its header.
 *
 * @example
 * ```ts
 * import { pngSize, svgToPng } from "./png.ts";
 * const png = await svgToPng(
 *   '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="10"/>', { scale: 1 },
 * );
 * console.log(pngSize(png)); // { width: 30, height: 10 }
 * ```
 */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || signature.some((b, i) => png[i] !== b)) {
    throw new InvalidArgumentError(`pngSize: not a PNG (${png.length} bytes)`);
  }
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
