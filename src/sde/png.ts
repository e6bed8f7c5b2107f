/**
 * A tiny PNG encoder for grayscale images and image grids (zlib from `node:zlib`, CRC-32 by
 * table), used for digit grids. No dependencies beyond the runtime.
 *
 * @example
 * ```ts
 * import { encodeGrayPng } from "./png.ts";
 * const png = encodeGrayPng(Float32Array.from([0, 0.5, 1, 0.25]), 2, 2);
 * console.log(png.slice(1, 4)); // "PNG" as bytes [80, 78, 71]
 * ```
 * @module
 */
import { deflateSync } from "node:zlib";
import { InvalidArgumentError } from "../errors.ts";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 (the PNG / zlib polynomial) of bytes.
 *
 * @example
 * ```ts
 * import { crc32 } from "./png.ts";
 * console.log(crc32(new TextEncoder().encode("123456789")).toString(16)); // "cbf43926"
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  const td = new Uint8Array(4 + data.length);
  for (let i = 0; i < 4; i++) td[i] = type.charCodeAt(i);
  td.set(data, 4);
  out.set(td, 4);
  dv.setUint32(8 + data.length, crc32(td));
  return out;
}

/**
 * Encodes a grayscale image (values in [0, 1], clipped; row-major `width * height`) as an 8-bit
 * PNG.
 *
 * @example
 * ```ts
 * import { encodeGrayPng } from "./png.ts";
 * console.log(encodeGrayPng(new Float32Array(28 * 28), 28, 28).length > 50); // true
 * ```
 */
export function encodeGrayPng(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
): Uint8Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new InvalidArgumentError(`encodeGrayPng: bad size ${width} x ${height}`);
  }
  if (pixels.length !== width * height) {
    throw new InvalidArgumentError(
      `encodeGrayPng: ${pixels.length} pixels for a ${width} x ${height} image (expected ${
        width * height
      })`,
    );
  }
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const v = pixels[y * width + x];
      raw[y * (width + 1) + 1 + x] = Math.round(
        255 * Math.min(1, Math.max(0, Number.isNaN(v) ? 0 : v)),
      );
    }
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  const sig = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);
  const parts = [
    sig,
    chunk("IHDR", ihdr),
    chunk("IDAT", new Uint8Array(deflateSync(raw))),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Options of {@link imageGrid}. */
export interface GridOptions {
  /** Images per row (default: ceil(sqrt(n))). */
  columns?: number;
  /** Padding between tiles in pixels (default 2). */
  pad?: number;
  /** Nearest-neighbour upscaling factor (default 2). */
  scale?: number;
  /** Background value in [0, 1] (default 0.5). */
  background?: number;
}

/**
 * Tiles n images of `h x w` (flat, values in [0, 1]) into one grid image; returns its pixels and
 * size (pass them to {@link encodeGrayPng}).
 *
 * @example
 * ```ts
 * import { encodeGrayPng, imageGrid } from "./png.ts";
 * const g = imageGrid(new Float32Array(4 * 9), 4, 3, 3, { columns: 2, pad: 1, scale: 1 });
 * console.log(g.width, g.height); // 9 9
 * encodeGrayPng(g.pixels, g.width, g.height);
 * ```
 */
export function imageGrid(
  images: ArrayLike<number>,
  n: number,
  h: number,
  w: number,
  options: GridOptions = {},
): { pixels: Float32Array; width: number; height: number } {
  if (images.length !== n * h * w) {
    throw new InvalidArgumentError(
      `imageGrid: ${images.length} values for ${n} images of ${h} x ${w}`,
    );
  }
  const cols = options.columns ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const pad = options.pad ?? 2, s = options.scale ?? 2;
  const width = (cols * (w + pad) + pad) * s, height = (rows * (h + pad) + pad) * s;
  const pixels = new Float32Array(width * height).fill(options.background ?? 0.5);
  for (let k = 0; k < n; k++) {
    const r = Math.floor(k / cols), c = k % cols;
    const y0 = pad + r * (h + pad), x0 = pad + c * (w + pad);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = images[k * h * w + y * w + x];
        for (let dy = 0; dy < s; dy++) {
          for (let dx = 0; dx < s; dx++) {
            pixels[((y0 + y) * s + dy) * width + (x0 + x) * s + dx] = v;
          }
        }
      }
    }
  }
  return { pixels, width, height };
}
