import { parsePairs } from "./parse_pairs.ts";

/**
 * Masculine -> feminine word pairs for gender swapping (own list in the spirit
 * of NL-Augmenter's `gender_swap`; pronoun "her", which maps to "him" or "his",
 * is handled by the transformation, not the table).
 *
 * @example
 * ```ts
 * import { GENDER_PAIRS } from "./gender_pairs.ts";
 * console.log(GENDER_PAIRS.find(([m]) => m === "king")?.[1]); // "queen"
 * ```
 */
export const GENDER_PAIRS: readonly (readonly [string, string])[] = parsePairs(`
he|she
himself|herself
man|woman
men|women
boy|girl
boys|girls
father|mother
fathers|mothers
son|daughter
sons|daughters
brother|sister
brothers|sisters
husband|wife
husbands|wives
king|queen
kings|queens
prince|princess
princes|princesses
uncle|aunt
uncles|aunts
nephew|niece
nephews|nieces
grandfather|grandmother
grandfathers|grandmothers
grandson|granddaughter
grandsons|granddaughters
grandpa|grandma
boyfriend|girlfriend
boyfriends|girlfriends
gentleman|lady
gentlemen|ladies
sir|madam
mr.|ms.
actor|actress
actors|actresses
waiter|waitress
waiters|waitresses
male|female
males|females
masculine|feminine
dad|mom
dads|moms
daddy|mommy
groom|bride
monk|nun
monks|nuns
stepfather|stepmother
hero|heroine
heroes|heroines
emperor|empress
duke|duchess
headmaster|headmistress
policeman|policewoman
policemen|policewomen
businessman|businesswoman
businessmen|businesswomen
chairman|chairwoman
spokesman|spokeswoman
widower|widow
lad|lass
`);
