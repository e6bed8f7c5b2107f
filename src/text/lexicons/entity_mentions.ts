/**
 * Default mention bank for entity mention replacement, by entity type (CoNLL
 * names: PER, LOC, ORG, MISC). Tokens are pre-split. Surnames are the most
 * common U.S. surnames (2010 census); places are capitals and countries;
 * organizations are widely known names. Person first names come from the
 * `@stdlib` name lists and are combined with these surnames.
 *
 * @example
 * ```ts
 * import { ENTITY_MENTIONS } from "./entity_mentions.ts";
 * console.log(ENTITY_MENTIONS.LOC.some((m) => m.join(" ") === "New Delhi")); // true
 * ```
 */
export const ENTITY_MENTIONS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  LOC: split(
    "Paris|London|Berlin|Madrid|Rome|Lisbon|Vienna|Warsaw|Prague|Athens|Cairo|Nairobi|Lagos|" +
      "Tokyo|Seoul|Beijing|New Delhi|Jakarta|Manila|Bangkok|Hanoi|Sydney|Wellington|Ottawa|" +
      "Mexico City|Lima|Bogota|Santiago|Buenos Aires|Brazil|Canada|Kenya|Norway|Chile|" +
      "Germany|India|Japan|Egypt|Peru|Portugal",
  ),
  ORG: split(
    "United Nations|World Bank|Red Cross|Reuters|BBC|Microsoft|Google|Toyota|Siemens|Nestle|" +
      "Samsung|IBM|Intel|Oxford University|Harvard University|Greenpeace|UNICEF|FIFA|" +
      "Amnesty International|European Commission|Bank of England|General Electric|Airbus|" +
      "Boeing|Volkswagen|Unilever|Sony|Nokia|Philips|Shell",
  ),
  MISC: split(
    "English|French|German|Spanish|Italian|Japanese|Chinese|Olympics|World Cup|Nobel Prize|" +
      "Christmas|Ramadan|Diwali|Easter",
  ),
  SURNAME: split(
    "Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|Martinez|Hernandez|Lopez|" +
      "Gonzalez|Wilson|Anderson|Thomas|Taylor|Moore|Jackson|Martin|Lee|Perez|Thompson|White|" +
      "Harris|Sanchez|Clark|Ramirez|Lewis|Robinson",
  ),
};

function split(raw: string): string[][] {
  return raw.split("|").map((m) => m.split(" "));
}
