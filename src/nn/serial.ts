/**
 * `serial(...layers)`: layers composed in sequence; the parameter tree is the array of each
 * layer's parameters (`{}` for parameter-free layers), and each layer gets its own key.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { activation } from "./activation.ts";
 * import { dense } from "./dense.ts";
 * import { serial } from "./serial.ts";
 * const net = serial(dense(8), activation("relu"), dense(2));
 * const { params, outShape } = net.init(random.key(0), [3]);
 * console.log(params.length, outShape); // 3 [2]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { random, type Tensor } from "../gpu/mod.ts";
import { toKey } from "./host_rng.ts";
import { checkInShape, type Layer, type Params } from "./layer.ts";
import { tidy } from "./tidy.ts";

/**
 * Composes layers left to right; params are an array with one entry per layer.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { activation } from "./activation.ts";
 * import { dense } from "./dense.ts";
 * import { serial } from "./serial.ts";
 * const net = serial(dense(4), activation("tanh"));
 * const { params } = net.init(0, [2]);
 * console.log(net.apply(params, random.normal(random.key(1), [5, 2])).shape); // [5, 4]
 * ```
 */
export function serial(...layers: Layer[]): Layer<Params[]> {
  layers.forEach((l, i) => {
    if (!l || typeof l.init !== "function" || typeof l.apply !== "function") {
      throw new InvalidArgumentError(
        `serial: argument ${i} is not a layer (an object with init and apply), got ${String(l)}`,
      );
    }
  });
  const name = `serial(${layers.map((l) => l.name).join(", ")})`;
  return {
    name,
    init(key, inShape) {
      let shape = checkInShape("serial.init", inShape);
      const keys = layers.length > 0 ? random.split(toKey(key, "serial.init"), layers.length) : [];
      const params: Params[] = [];
      layers.forEach((l, i) => {
        const r = l.init(keys[i], shape);
        params.push(r.params);
        shape = r.outShape;
      });
      return { params, outShape: shape };
    },
    apply(params, x) {
      if (!Array.isArray(params) || params.length !== layers.length) {
        throw new InvalidArgumentError(
          `serial.apply: params must be an array of ${layers.length} entries (one per layer), ` +
            `got ${Array.isArray(params) ? `an array of ${params.length}` : typeof params}`,
        );
      }
      return tidy(() => {
        let h: Tensor = x;
        layers.forEach((l, i) => {
          h = l.apply(params[i], h);
        });
        return h;
      });
    },
  };
}
