/**
 * Keyboard layouts butter-fingers typos are drawn from. Rows are the letter keys
 * of the physical layout (ISO/ANSI staggering); neighbours are computed from key
 * geometry, not typed in by hand.
 *
 * @example
 * ```ts
 * import { KEYBOARD_LAYOUTS } from "./keyboard_layouts.ts";
 * console.log(KEYBOARD_LAYOUTS.join(", ")); // "qwerty, azerty, qwertz, dvorak"
 * ```
 */
export const KEYBOARD_LAYOUTS: readonly KeyboardLayout[] = ["qwerty", "azerty", "qwertz", "dvorak"];

/**
 * A supported keyboard layout name.
 *
 * @example
 * ```ts
 * import type { KeyboardLayout } from "./keyboard_layouts.ts";
 * const l: KeyboardLayout = "azerty";
 * console.log(l);
 * ```
 */
export type KeyboardLayout = "qwerty" | "azerty" | "qwertz" | "dvorak";

// Key rows; "." marks a non-letter key that still occupies a position.
const ROWS: Record<KeyboardLayout, readonly string[]> = {
  qwerty: ["qwertyuiop", "asdfghjkl", "zxcvbnm"],
  azerty: ["azertyuiop", "qsdfghjklm", "wxcvbn"],
  qwertz: ["qwertzuiop", "asdfghjkl", "yxcvbnm"],
  dvorak: ["...pyfgcrl", "aoeuidhtns", ".qjkxbmwvz"],
};
// Horizontal offset of each row in key widths (typical staggering).
const ROW_OFFSET = [0, 0.25, 0.75];
const CACHE = new Map<KeyboardLayout, ReadonlyMap<string, string>>();

/**
 * For each lower-case letter of a layout, the letters on physically adjacent
 * keys (same row +-1 key, rows above/below within one key width), as a string.
 *
 * @example
 * ```ts
 * import { keyboardNeighbors } from "./keyboard_layouts.ts";
 * console.log(keyboardNeighbors("qwerty").get("g")); // "tyfhvb"
 * console.log(keyboardNeighbors("azerty").get("a")); // "zq"
 * ```
 * @param layout The layout name.
 * @returns A map letter -> neighbouring letters.
 */
export function keyboardNeighbors(layout: KeyboardLayout): ReadonlyMap<string, string> {
  const cached = CACHE.get(layout);
  if (cached) return cached;
  const keys: { ch: string; x: number; y: number }[] = [];
  ROWS[layout].forEach((row, y) => {
    [...row].forEach((ch, c) => keys.push({ ch, x: c + ROW_OFFSET[y], y }));
  });
  const map = new Map<string, string>();
  for (const k of keys) {
    if (k.ch === ".") continue;
    let near = "";
    for (const o of keys) {
      if (o === k || o.ch === ".") continue;
      if (Math.abs(o.y - k.y) <= 1 && Math.abs(o.x - k.x) <= 1) near += o.ch;
    }
    map.set(k.ch, near);
  }
  CACHE.set(layout, map);
  return map;
}
